package dev.partitionkeeper.activities.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * archive_retention on a Parquet archive: the partition's folder goes, data files first and the manifest last,
 * so an expiry killed halfway is finished by the next; nothing of another partition is touched.
 */
class ParquetArchiveExpiryTest {
    static final TableName PARENT = new TableName("public", "events");

    @TempDir
    Path dir;

    private static void put(FileSystemArchiveStore store, String key) throws Exception {
        store.put(key, new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anExpiryKilledHalfwayIsFinishedByTheNextAndOtherPartitionsStay() throws Exception {
        FileSystemArchiveStore store = new FileSystemArchiveStore(dir);
        ArchiveLayout old = ArchiveLayout.of(PARENT, "events_p1");
        ArchiveLayout other = ArchiveLayout.of(PARENT, "events_p10");
        for (ArchiveLayout l : List.of(old, other)) {
            put(store, l.key(ArchiveLayout.fileName(0)));
            put(store, l.key(ArchiveLayout.fileName(1)));
            put(store, l.manifestKey());
        }
        ParquetArchiveFormat format = new ParquetArchiveFormat(
                null, store, ArchiveTestSupport.smallFiles(Files.createDirectories(dir.resolve("w"))));

        // killed after the first data file: the manifest (written last by the export) is still there
        store.delete(old.key(ArchiveLayout.fileName(0)));
        ArchiveFormat.Expired e = format.expire(PARENT, "events_p1");
        assertEquals(2, e.files(), e::detail);
        assertEquals(List.of(), store.list(old.dir()));
        assertEquals(3, store.list(other.dir()).size(), "events_p10 shares a name prefix and is left alone");

        ArchiveFormat.Expired again = format.expire(PARENT, "events_p1");
        assertEquals(0, again.files());
        assertTrue(again.detail().contains("was already deleted"), again::detail);
    }
}

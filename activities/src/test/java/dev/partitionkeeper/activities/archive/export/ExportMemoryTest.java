package dev.partitionkeeper.activities.archive.export;

import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static dev.partitionkeeper.activities.testing.PgTestSupport.queryLong;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifests;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export streams: it runs in a child JVM whose heap is smaller than the partition's data. By default 1M
 * rows (about 100 MB through COPY) in a 96 MB heap with 16 MB row groups, to stay fast; with
 * {@code -Dpk.memoryTestRows=5000000 -Dpk.memoryTestHeap=256m -Dpk.memoryTestRowGroup=67108864} it is the
 * issue's check: 5 million rows, default row groups, 256 MB heap.
 */
@Tag("postgres")
class ExportMemoryTest {

    @TempDir
    Path dir;

    @Test
    void exportStreamsWithAHeapSmallerThanThePartition() throws Exception {
        long rows = Long.getLong("pk.memoryTestRows", 1_000_000);
        String heap = System.getProperty("pk.memoryTestHeap", "96m");
        String rowGroup = System.getProperty("pk.memoryTestRowGroup", Integer.toString(16 * 1024 * 1024));
        String url = PgTestSupport.newDatabase("archive_memory");
        exec(
                url,
                "CREATE SCHEMA archive",
                "CREATE UNLOGGED TABLE archive.big (id bigint NOT NULL, at timestamptz NOT NULL, amount numeric(12,2),"
                        + " account int, note text)",
                "INSERT INTO archive.big SELECT g, timestamptz '2024-01-01' + g * interval '500 ms', (g % 100000) * 0.37,"
                        + " g % 5000, 'payment ' || g || ' ' || md5(g::text) FROM generate_series(1, " + rows + ") g");
        assertEquals(rows, queryLong(url, "SELECT count(*) FROM archive.big"));
        Path store = Files.createDirectories(dir.resolve("store"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx" + heap,
                        "-XX:+ExitOnOutOfMemoryError",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ExportMemoryMain.class.getName(),
                        url,
                        store.toString(),
                        work.toString(),
                        rowGroup))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!child.waitFor(5, TimeUnit.MINUTES)) {
            child.destroyForcibly();
        }
        String output = Files.readString(log);
        assertEquals(0, child.exitValue(), "export in a " + heap + " heap failed:\n" + output);
        ArchiveManifest manifest = ArchiveManifests.read(
                        new FileSystemArchiveStore(store), ArchiveLayout.of(new TableName("public", "big"), "big"))
                .orElseThrow();
        assertEquals(rows, manifest.rowCount(), output);
        System.out.println(
                output.lines().filter(l -> l.startsWith("exported")).findFirst().orElse(output));
    }
}

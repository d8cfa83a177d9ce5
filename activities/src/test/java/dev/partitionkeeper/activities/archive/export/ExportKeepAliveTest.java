package dev.partitionkeeper.activities.archive.export;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.fileStore;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.CatalogColumns;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.archive.store.ForwardingArchiveStore;
import dev.partitionkeeper.activities.archive.store.StoredObject;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload slower than the activity's heartbeat timeout must not look like a dead worker: while the writer
 * stores a file, the calling thread keeps calling the listener (which heartbeats) every keep-alive interval.
 */
@Tag("postgres")
class ExportKeepAliveTest {

    private static final TableName SOURCE = new TableName("archive", "slow_p1");
    private static final long UPLOAD_MILLIS = 700;
    private static final long KEEP_ALIVE_MILLIS = 100;

    @TempDir
    Path dir;

    @Test
    void theListenerIsCalledWhileASlowStoreUploadsTheLastFile() throws Exception {
        String url = PgTestSupport.newDatabase("archive_keepalive");
        exec(
                url,
                "CREATE SCHEMA archive",
                "CREATE TABLE archive.slow_p1 (id bigint NOT NULL, at timestamptz NOT NULL, note text)",
                "INSERT INTO archive.slow_p1 SELECT g, timestamptz '2024-07-01' + g * interval '1 second', md5(g::text)"
                        + " FROM generate_series(1, 2000) g");
        Path work = Files.createDirectories(dir.resolve("work"));
        SlowStore store = new SlowStore(fileStore(dir.resolve("store")));
        ExportRequest request =
                new ExportRequest(SOURCE, new TableName("public", "slow"), "slow_p1", "2024-07-01", "2024-08-01", "at");
        // one file, and no progress ticks from the scan itself: every call comes from the keep-alive
        ExportOptions options = ExportOptions.newBuilder()
                .workDir(work)
                .progressEveryRows(1_000_000)
                .build();
        List<Long> calls = new ArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void onRows(long rows, long bytes) {
                calls.add(rows);
            }
        };
        try (Connection c = DriverManager.getConnection(url)) {
            List<ArchiveColumn> columns = CatalogColumns.read(c, SOURCE);
            ExportPass.Result result = new ExportPass(
                            store, request.layout(), columns, "at", options, listener, Map.of(), KEEP_ALIVE_MILLIS)
                    .run(c, SOURCE);
            assertEquals(1, result.files().size());
            assertEquals(2000, result.summary().rows());
        }
        assertEquals(1, store.uploads);
        // 700 ms of upload at one call per 100 ms; generous for a busy machine
        assertTrue(calls.size() >= 3, "listener calls during the upload: " + calls);
        assertTrue(calls.stream().allMatch(rows -> rows == 2000), calls.toString());
    }

    /** A filesystem store whose uploads take {@link #UPLOAD_MILLIS}, as a slow link to S3 would. */
    private static final class SlowStore extends ForwardingArchiveStore {
        volatile int uploads;

        SlowStore(FileSystemArchiveStore delegate) {
            super(delegate);
        }

        @Override
        public StoredObject put(String key, InputStream in) throws IOException {
            try {
                Thread.sleep(UPLOAD_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            uploads++;
            return delegate.put(key, in);
        }
    }
}

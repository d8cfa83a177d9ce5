package dev.partitionkeeper.activities.archive.export;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.fileStore;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.manifest.ArchiveFile;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifests;
import dev.partitionkeeper.activities.archive.restore.ArchiveRestorer;
import dev.partitionkeeper.activities.archive.store.ArchiveCredentialsException;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.archive.store.ForwardingArchiveStore;
import dev.partitionkeeper.activities.archive.store.StoredObject;
import dev.partitionkeeper.activities.archive.verify.ArchiveVerifier;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed mid-export (simulated by a listener that throws) leaves no archive that looks complete,
 * and the next run produces exactly one complete archive. Damage to an archive or its source makes
 * verification fail with a line naming the difference.
 */
@Tag("postgres")
class ExportCrashTest {

    private static final TableName SOURCE = new TableName("archive", "metrics_p7");
    private static final TableName PARENT = new TableName("public", "metrics");
    private static final int ROWS = 3000;

    @TempDir
    Path dir;

    private String url;
    private Path work;
    private ExportRequest request;

    /** The failure a killed worker would be; thrown from the listener. */
    static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(String where) {
            super("simulated crash " + where);
        }
    }

    @BeforeEach
    void createSource() throws Exception {
        url = PgTestSupport.newDatabase("archive_crash");
        exec(
                url,
                "CREATE SCHEMA archive",
                "CREATE TABLE archive.metrics_p7 (id bigint NOT NULL, at timestamptz NOT NULL, value double precision,"
                        + " label text)",
                "INSERT INTO archive.metrics_p7 SELECT g, timestamptz '2024-07-01' + g * interval '1 second', g / 3.0,"
                        + " md5(g::text) FROM generate_series(1, " + ROWS + ") g");
        work = Files.createDirectories(dir.resolve("work"));
        request = new ExportRequest(SOURCE, PARENT, "metrics_p7", "2024-07-01", "2024-08-01", "at");
    }

    @Test
    void killedAtAnyPointTheRerunWritesExactlyOneCompleteArchive() throws Exception {
        List<Supplier<ProgressListener>> crashes = List.of(
                () -> new ProgressListener() {
                    @Override
                    public void onRows(long rows, long bytes) {
                        if (rows >= 1200) {
                            throw new SimulatedCrash("at row " + rows);
                        }
                    }
                },
                () -> new ProgressListener() {
                    @Override
                    public void onFileStored(int index, StoredObject file) {
                        if (index == 1) {
                            throw new SimulatedCrash("after file " + index + " was stored");
                        }
                    }
                },
                () -> new ProgressListener() {
                    @Override
                    public void beforeManifest(List<StoredObject> files) {
                        throw new SimulatedCrash("before the manifest, " + files.size() + " files stored");
                    }
                });
        int scenario = 0;
        for (Supplier<ProgressListener> crash : crashes) {
            FileSystemArchiveStore store = fileStore(dir.resolve("store-" + scenario++));
            try (SingleConnectionDataSource ds = new SingleConnectionDataSource(url)) {
                ParquetExporter exporter = new ParquetExporter(ds, store, smallFiles(work));
                SimulatedCrash thrown = assertThrows(SimulatedCrash.class, () -> exporter.export(request, crash.get()));

                // the crash left files but no manifest: the archive is visibly incomplete
                assertFalse(store.exists(request.layout().manifestKey()), thrown.getMessage());
                VerifyResult incomplete = new ArchiveVerifier(ds, store, work).verify(request.layout(), SOURCE);
                assertFalse(incomplete.ok());
                assertTrue(
                        incomplete.mismatches().get(0).startsWith("manifest.json is missing at "),
                        incomplete.mismatches().toString());

                // the same connection is still usable, and the rerun completes
                ExportResult done = exporter.export(request, ProgressListener.NONE);
                assertEquals(ActionResult.DONE, done.outcome(), thrown.getMessage());
                assertEquals(ROWS, done.rows());
                assertOneCompleteArchive(store, done, ds);

                ExportResult again = exporter.export(request, ProgressListener.NONE);
                assertEquals(ActionResult.ALREADY_DONE, again.outcome());
                assertEquals(done.contentChecksum(), again.contentChecksum());
            }
        }
        assertTrue(Files.list(work).findAny().isEmpty(), "no local Parquet file is left behind");
    }

    @Test
    void aStoreFailureOnTheWriterThreadFailsTheExportWithThatFailure() throws Exception {
        FileSystemArchiveStore store = fileStore(dir.resolve("store"));
        // stores the first file, then fails as a full disk or a revoked S3 key would
        ArchiveStore failing = new ForwardingArchiveStore(store) {
            private int puts;

            @Override
            public Path newLocalFile(String key, Path workDir) throws IOException {
                return store.newLocalFile(key, workDir);
            }

            @Override
            public StoredObject putFile(String key, Path file, long size, String sha256) throws IOException {
                if (++puts == 2) {
                    throw new ArchiveCredentialsException("access denied storing " + key, null);
                }
                return store.putFile(key, file, size, sha256);
            }
        };
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource(url)) {
            // the very exception, so the activity can still tell "do not retry" failures apart
            ArchiveCredentialsException e = assertThrows(
                    ArchiveCredentialsException.class,
                    () -> new ParquetExporter(ds, failing, smallFiles(work)).export(request, ProgressListener.NONE));
            assertEquals("access denied storing public/metrics/metrics_p7/part-00001.parquet", e.getMessage());
            assertFalse(store.exists(request.layout().manifestKey()));
            // the unfinished file was deleted; only the one stored before the failure is left, for the rerun to remove
            assertEquals(
                    List.of(request.layout().key(ArchiveLayout.fileName(0))),
                    store.list(request.layout().dir()));

            ExportResult done = new ParquetExporter(ds, store, smallFiles(work)).export(request, ProgressListener.NONE);
            assertEquals(ROWS, done.rows());
            assertOneCompleteArchive(store, done, ds);
        }
    }

    @Test
    void leftoversOfALargerInterruptedRunAreRemoved() throws Exception {
        FileSystemArchiveStore store = fileStore(dir.resolve("store"));
        ArchiveLayout layout = request.layout();
        // a previous run that wrote more files (other settings) and a temporary file, then died
        store.put(layout.key(ArchiveLayout.fileName(7)), new ByteArrayInputStream(new byte[] {1, 2, 3}));
        Files.writeString(store.root().resolve(layout.dir()).resolve(".part-00000.parquet.tmp-dead"), "junk");
        // a sibling partition whose name starts the same is not touched
        store.put("public/metrics/metrics_p70/manifest.json", new ByteArrayInputStream(new byte[] {9}));
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource(url)) {
            ExportResult done = new ParquetExporter(ds, store, smallFiles(work)).export(request, ProgressListener.NONE);
            assertOneCompleteArchive(store, done, ds);
        }
        assertTrue(store.exists("public/metrics/metrics_p70/manifest.json"));
    }

    @Test
    void aFlippedByteMakesVerificationFailNamingTheFile() throws Exception {
        FileSystemArchiveStore store = fileStore(dir.resolve("store"));
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource(url)) {
            new ParquetExporter(ds, store, smallFiles(work)).export(request, ProgressListener.NONE);
            Path file = store.localFile(request.layout().key(ArchiveLayout.fileName(0)))
                    .orElseThrow();
            long middle = Files.size(file) / 2;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, middle);
                b.put(0, (byte) (b.get(0) ^ 0x01)).rewind();
                ch.write(b, middle);
            }
            VerifyResult result = new ArchiveVerifier(ds, store, work).verify(request.layout(), SOURCE);
            assertFalse(result.ok());
            assertTrue(
                    result.mismatches().stream()
                            .anyMatch(m -> m.startsWith("file part-00000.parquet sha256: manifest ")),
                    result.mismatches().toString());
            assertEquals(ROWS, result.sourceRows());

            // restoring the damaged archive fails and leaves nothing behind
            exec(url, "CREATE SCHEMA restored");
            TableName into = new TableName("restored", "metrics_p7");
            RestoreResult restore = new ArchiveRestorer(ds, store, work).restore(request.layout(), into);
            assertFalse(restore.ok());
            assertTrue(
                    restore.mismatches().stream().anyMatch(m -> m.startsWith("file part-00000.parquet sha256: ")),
                    restore.mismatches().toString());
            assertEquals(
                    0,
                    PgTestSupport.queryLong(
                            url,
                            "SELECT count(*) FROM pg_class WHERE relname = 'metrics_p7'"
                                    + " AND relnamespace = 'restored'::regnamespace"));
        }
    }

    @Test
    void aDeletedSourceRowMakesVerificationFailWithBothCounts() throws Exception {
        FileSystemArchiveStore store = fileStore(dir.resolve("store"));
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource(url)) {
            new ParquetExporter(ds, store, smallFiles(work)).export(request, ProgressListener.NONE);
            exec(url, "DELETE FROM archive.metrics_p7 WHERE id = 1234");
            VerifyResult result = new ArchiveVerifier(ds, store, work).verify(request.layout(), SOURCE);
            assertFalse(result.ok());
            assertEquals(ROWS - 1, result.sourceRows());
            assertEquals(ROWS, result.archiveRows());
            assertTrue(
                    result.mismatches().contains("row count: source " + (ROWS - 1) + ", archive " + ROWS),
                    result.mismatches().toString());
            assertTrue(
                    result.mismatches().stream().anyMatch(m -> m.startsWith("content checksum: source ")),
                    result.mismatches().toString());

            // a changed value (same count) is caught by the checksum alone
            exec(
                    url,
                    "INSERT INTO archive.metrics_p7 VALUES (1234, timestamptz '2024-07-01' + 1234 * interval '1 second',"
                            + " 1234 / 3.0, 'changed')");
            VerifyResult changed = new ArchiveVerifier(ds, store, work).verify(request.layout(), SOURCE);
            assertFalse(changed.ok());
            assertEquals(1, changed.mismatches().size(), changed.mismatches().toString());
            assertTrue(
                    changed.mismatches().get(0).startsWith("content checksum: source "),
                    changed.mismatches().toString());
        }
    }

    @Test
    void aMissingFileAndAStrayFileAreNamed() throws Exception {
        FileSystemArchiveStore store = fileStore(dir.resolve("store"));
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource(url)) {
            ExportResult done = new ParquetExporter(ds, store, smallFiles(work)).export(request, ProgressListener.NONE);
            assertTrue(done.files() > 1, done.toString());
            store.delete(request.layout().key(ArchiveLayout.fileName(1)));
            store.put(request.layout().key("part-00099.parquet"), new ByteArrayInputStream(new byte[] {0}));
            VerifyResult result = new ArchiveVerifier(ds, store, work).verify(request.layout(), SOURCE);
            assertFalse(result.ok());
            assertTrue(
                    result.mismatches()
                            .contains("file part-00001.parquet is listed in the manifest but missing from the archive"),
                    result.mismatches().toString());
            assertTrue(
                    result.mismatches()
                            .contains("file part-00099.parquet is in the archive directory but not in the manifest"),
                    result.mismatches().toString());
            assertEquals(-1, result.archiveRows());
        }
    }

    @Test
    void anEmptyPartitionStillGetsOneFileAndRestores() throws Exception {
        exec(url, "CREATE TABLE archive.empty_p1 (LIKE archive.metrics_p7)");
        TableName empty = new TableName("archive", "empty_p1");
        ExportRequest emptyRequest = new ExportRequest(empty, PARENT, "empty_p1", "2024-09-01", "2024-10-01", "at");
        FileSystemArchiveStore store = fileStore(dir.resolve("store"));
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource(url)) {
            ExportResult done =
                    new ParquetExporter(ds, store, smallFiles(work)).export(emptyRequest, ProgressListener.NONE);
            assertEquals(0, done.rows());
            assertEquals(1, done.files());
            assertEquals(null, done.keyMin());
            assertTrue(new ArchiveVerifier(ds, store, work)
                    .verify(emptyRequest.layout(), empty)
                    .ok());
            RestoreResult restored = new ArchiveRestorer(ds, store, work)
                    .restore(emptyRequest.layout(), new TableName("archive", "empty_again"));
            assertTrue(restored.ok(), restored.mismatches().toString());
            assertEquals(0, restored.rows());

            // a restore target in a schema that does not exist says what to create
            SQLException noSchema = assertThrows(
                    SQLException.class,
                    () -> new ArchiveRestorer(ds, store, work)
                            .restore(emptyRequest.layout(), new TableName("nowhere", "t")));
            assertTrue(
                    noSchema.getMessage()
                            .startsWith("cannot create nowhere.t from the archive's columns (ERROR: schema"
                                    + " \"nowhere\" does not exist"),
                    noSchema.getMessage());
        }
    }

    @Test
    void badInputIsRefusedNamingTheProblem() throws Exception {
        FileSystemArchiveStore store = fileStore(dir.resolve("store"));
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource(url)) {
            ParquetExporter exporter = new ParquetExporter(ds, store, smallFiles(work));
            ExportRequest noTable = new ExportRequest(new TableName("archive", "nope"), PARENT, "nope", "", "", "at");
            assertEquals(
                    "table archive.nope does not exist: check the schema and name (a detached partition may have been"
                            + " moved to the archive schema)",
                    assertThrows(IllegalArgumentException.class, () -> exporter.export(noTable, ProgressListener.NONE))
                            .getMessage());
            ExportRequest noKey = new ExportRequest(SOURCE, PARENT, "metrics_p7", "", "", "created");
            assertEquals(
                    "partition key column \"created\" is not a column of the table; it has: [id, at, value, label]",
                    assertThrows(IllegalArgumentException.class, () -> exporter.export(noKey, ProgressListener.NONE))
                            .getMessage());
            assertTrue(store.list("").isEmpty(), "nothing written for bad input");
        }
    }

    @Test
    void aSourceWhoseColumnsChangedIsAMismatchNotAnError() throws Exception {
        FileSystemArchiveStore store = fileStore(dir.resolve("store"));
        try (SingleConnectionDataSource ds = new SingleConnectionDataSource(url)) {
            new ParquetExporter(ds, store, smallFiles(work)).export(request, ProgressListener.NONE);
            exec(url, "ALTER TABLE archive.metrics_p7 ADD COLUMN extra int");
            VerifyResult result = new ArchiveVerifier(ds, store, work).verify(request.layout(), SOURCE);
            assertFalse(result.ok());
            assertEquals(
                    List.of("columns: source has (\"id\" bigint, \"at\" timestamp with time zone, \"value\" double"
                            + " precision, \"label\" text, \"extra\" integer), archive has (\"id\" bigint, \"at\" timestamp with time"
                            + " zone, \"value\" double precision, \"label\" text)"),
                    result.mismatches());
            assertEquals(ROWS, result.archiveRows());

            exec(url, "DROP TABLE archive.metrics_p7");
            VerifyResult gone = new ArchiveVerifier(ds, store, work).verify(request.layout(), SOURCE);
            assertFalse(gone.ok());
            assertTrue(
                    gone.mismatches().get(0).startsWith("source: table archive.metrics_p7 does not exist"),
                    gone.mismatches().toString());
        }
    }

    private void assertOneCompleteArchive(
            FileSystemArchiveStore store, ExportResult done, SingleConnectionDataSource ds) throws Exception {
        ArchiveLayout layout = request.layout();
        ArchiveManifest manifest = ArchiveManifests.read(store, layout).orElseThrow();
        List<String> expected = new ArrayList<>();
        expected.add(layout.manifestKey());
        manifest.files().forEach(f -> expected.add(layout.key(f.name())));
        expected.sort(null);
        assertEquals(expected, store.list(layout.dir()), "exactly the manifest's files");
        assertEquals(done.files(), manifest.files().size());
        assertEquals(
                ROWS, manifest.files().stream().mapToLong(ArchiveFile::rows).sum());
        VerifyResult verified = new ArchiveVerifier(ds, store, work).verify(layout, SOURCE);
        assertTrue(verified.ok(), verified.mismatches().toString());
    }
}

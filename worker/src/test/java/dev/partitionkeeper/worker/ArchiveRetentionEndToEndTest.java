package dev.partitionkeeper.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.iceberg.IcebergCatalogs;
import dev.partitionkeeper.activities.archive.iceberg.IcebergSettings;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.TableReport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * archive_retention through Temporal (issue 17), for both archive formats: a first pass archives and drops six
 * monthly partitions (retention 2 months); the next deletes from the archive the three whose upper bound is more
 * than archive_retention (5 months) ago, and nothing younger; a third has nothing to do.
 */
@Tag("postgres")
class ArchiveRetentionEndToEndTest {
    static EmbeddedTemporal temporal;
    static final LocalDate MONTH = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
    /** Archived and dropped by the first pass: 8 to 3 months back. */
    static final List<String> ARCHIVED = List.of(name(8), name(7), name(6), name(5), name(4), name(3));
    /** Past archive_retention 5 months: their upper bound is at least 5 months back. */
    static final List<String> EXPIRED = List.of(name(8), name(7), name(6));

    static final List<String> KEPT = List.of(name(5), name(4), name(3));

    @BeforeAll
    static void startTemporal() {
        temporal = EmbeddedTemporal.start();
    }

    @AfterAll
    static void stopTemporal() {
        temporal.close();
    }

    static String name(int monthsBack) {
        return "events_p"
                + MONTH.minusMonths(monthsBack).toString().substring(0, 7).replace('-', '_');
    }

    /** Months 8 back to 1 ahead, partition i months back holding 10 + i rows. */
    static String database(String name) throws SQLException {
        String url = PgTestSupport.newDatabase(name);
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public.events (id bigint NOT NULL, created_at timestamptz NOT NULL, payload text)"
                    + " PARTITION BY RANGE (created_at)");
            for (int back = 8; back >= -1; back--) {
                LocalDate from = MONTH.minusMonths(back);
                s.execute("CREATE TABLE public." + name(back) + " PARTITION OF public.events FOR VALUES FROM ('" + from
                        + " 00:00:00+00') TO ('" + from.plusMonths(1) + " 00:00:00+00')");
                s.execute("INSERT INTO public.events SELECT g, '" + from + " 00:00:00+00'::timestamptz + g * interval"
                        + " '1 hour', 'row ' || g FROM generate_series(1, " + (10 + back) + ") g");
            }
        }
        return url;
    }

    static long rows(String partition) {
        int back = ARCHIVED.indexOf(partition);
        return 10 + 8 - back;
    }

    private static WorkerConfig config(Path archive, String format) {
        return WorkerConfig.parse("test", """
        archive:
          location: %s
          format: %s
        tables:
          - table: public.events
            interval: monthly
            premake: 2
            retention: 2 months
            retention_action: archive_and_drop
            drop_grace: 0d
            archive_retention: 5 months
        """.formatted(archive, format), Map.of())
                .withTaskQueue("archive-retention-e2e-" + System.nanoTime());
    }

    private static MaintenanceReport pass(String url, WorkerConfig cfg) {
        try (WorkerRuntime rt = new WorkerRuntime(
                temporal.connection().client(), cfg, new PostgresSettings(url, null, null, 4), cfg::tables, null)) {
            rt.start();
            return PassRunner.run(temporal.connection().client(), cfg.taskQueue(), MaintenanceRequest.all("test"));
        }
    }

    private static List<ActionResult> expiries(TableReport t) {
        return t.actions().stream()
                .filter(a -> a.action().startsWith("expire archive of "))
                .toList();
    }

    /** The first pass archives and drops; the second expires the old archives, and says so. */
    private static void archiveThenExpire(String url, Path dir, String format) {
        TableReport first = pass(url, config(dir, format)).tables().get(0);
        assertEquals(0, expiries(first).size(), "nothing is expired before it was dropped: " + first.actions());
        for (String p : ARCHIVED) {
            assertEquals(
                    1,
                    PgTestSupport.queryLong(
                            url,
                            "SELECT count(*) FROM partition_keeper.partition_lifecycle WHERE partition_name = '" + p
                                    + "' AND verified_at IS NOT NULL AND dropped_at IS NOT NULL"
                                    + " AND archive_expired_at IS NULL"),
                    p);
        }

        TableReport second = pass(url, config(dir, format)).tables().get(0);
        assertEquals(TableReport.OK, second.status(), second::toString);
        List<ActionResult> expired = expiries(second);
        assertEquals(
                EXPIRED.stream().map(p -> "expire archive of " + p).toList(),
                expired.stream().map(a -> a.action().split(" \\[")[0]).toList(),
                second.actions()::toString);
        for (ActionResult a : expired) {
            assertEquals(ActionResult.DONE, a.outcome(), a::toString);
            assertTrue(a.detail().startsWith("deleted "), a::detail);
        }
        assertEquals(
                EXPIRED.size(),
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM partition_keeper.partition_lifecycle WHERE archive_expired_at IS NOT NULL"
                                + " AND archive_expired_by LIKE '%/%'"),
                "the lifecycle says when and by which workflow/activity");
        for (String p : KEPT) {
            assertEquals(
                    0,
                    PgTestSupport.queryLong(
                            url,
                            "SELECT count(*) FROM partition_keeper.partition_lifecycle WHERE partition_name = '" + p
                                    + "' AND archive_expired_at IS NOT NULL"),
                    p);
        }
        assertEquals(
                EXPIRED.size(),
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM partition_keeper.action_log WHERE action = 'expire_archive'"
                                + " AND outcome = 'done' AND workflow_id IS NOT NULL AND activity_id IS NOT NULL"));
    }

    /** Again: nothing; and with the expiry's record lost (a kill after the delete), the re-run only records it. */
    private static void expiryIsIdempotent(String url, Path dir, String format) {
        TableReport third = pass(url, config(dir, format)).tables().get(0);
        assertEquals(List.of(), third.actions(), third::toString);

        PgTestSupport.exec(
                url,
                "UPDATE partition_keeper.partition_lifecycle SET archive_expired_at = NULL, archive_expired_by = NULL"
                        + " WHERE partition_name = '" + EXPIRED.get(0) + "'");
        TableReport rerun = pass(url, config(dir, format)).tables().get(0);
        List<ActionResult> again = expiries(rerun);
        assertEquals(1, again.size(), rerun::toString);
        assertEquals(ActionResult.ALREADY_DONE, again.get(0).outcome(), again.get(0)::toString);
        assertEquals(
                EXPIRED.size(),
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM partition_keeper.partition_lifecycle WHERE archive_expired_at IS NOT NULL"));
    }

    private static String status(Path dir, String url, String format) throws IOException {
        Path cfg = dir.resolve("status-" + format + ".yaml");
        Files.writeString(
                cfg,
                "postgres:\n  url: " + url + "\ntemporal:\n  task_queue: status-" + System.nanoTime()
                        + "\narchive:\n  location: " + dir + "\n  format: " + format
                        + "\ntables:\n  - table: public.events\n    interval: monthly\n");
        var out = new StringWriter();
        var err = new StringWriter();
        Main.run(new PrintWriter(out), new PrintWriter(err), "status", "-c", cfg.toString());
        return out.toString();
    }

    private static int restore(Path dir, String url, String format, String source, String into, StringWriter err)
            throws IOException {
        Path cfg = dir.resolve("restore-" + format + ".yaml");
        Files.writeString(
                cfg,
                "postgres:\n  url: " + url + "\ntemporal:\n  task_queue: restore-" + System.nanoTime()
                        + "\narchive:\n  location: " + dir + "\n  format: " + format
                        + "\ntables:\n  - table: public.events\n    interval: monthly\n");
        var out = new StringWriter();
        return Main.run(
                new PrintWriter(out), new PrintWriter(err), "restore", source, "--into", into, "-c", cfg.toString());
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void parquetArchivesPastArchiveRetentionAreDeletedAndNothingYounger(@TempDir Path dir) throws Exception {
        String url = database("archive_retention_parquet");
        archiveThenExpire(url, dir, "parquet");

        for (String p : EXPIRED) {
            Path folder = dir.resolve("public/events/" + p);
            assertEquals(
                    List.of(), Files.isDirectory(folder) ? files(folder) : List.of(), p + ": files and manifest gone");
        }
        for (String p : KEPT) {
            assertTrue(Files.exists(dir.resolve("public/events/" + p + "/manifest.json")), p);
            // a younger archive still restores, verified against its manifest's count and checksum
            var err = new StringWriter();
            assertEquals(
                    0,
                    restore(
                            dir,
                            url,
                            "parquet",
                            dir.resolve("public/events/" + p).toString(),
                            "public.copy_" + p,
                            err),
                    err::toString);
            assertEquals(rows(p), PgTestSupport.queryLong(url, "SELECT count(*) FROM public.copy_" + p));
        }
        String status = status(dir, url, "parquet");
        assertTrue(status.contains(EXPIRED.size() + " expired"), status);
        assertTrue(status.contains("deleted at "), status);

        expiryIsIdempotent(url, dir, "parquet");
    }

    @Test
    void icebergRowsPastArchiveRetentionAreDeletedTheirFilesExpiredAndYoungerPartitionsStillRead(@TempDir Path dir)
            throws Exception {
        String url = database("archive_retention_iceberg");
        archiveThenExpire(url, dir, "iceberg");

        Catalog catalog =
                IcebergCatalogs.open(IcebergSettings.jdbcInSchema(url, null, null, "partition_keeper", dir.toString()));
        try {
            Table t = catalog.loadTable(TableIdentifier.of("public", "events"));
            List<String> live = new ArrayList<>();
            long liveRows = 0;
            try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
                for (FileScanTask task : tasks) {
                    live.add(task.file().location());
                    liveRows += task.file().recordCount();
                }
            }
            assertEquals(
                    KEPT.stream().mapToLong(ArchiveRetentionEndToEndTest::rows).sum(), liveRows, live::toString);
            for (String p : EXPIRED) {
                assertTrue(
                        live.stream().noneMatch(f -> f.contains("/data/" + p + "/")), p + " is not scanned: " + live);
            }
            int snapshots = 0;
            for (Snapshot ignored : t.snapshots()) {
                snapshots++;
            }
            assertEquals(1, snapshots, "expire snapshots kept only the current one");
        } finally {
            if (catalog instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
        List<Path> parquet = files(dir).stream()
                .filter(f -> f.toString().endsWith(".parquet"))
                .toList();
        for (String p : EXPIRED) {
            assertTrue(parquet.stream().noneMatch(f -> f.toString().contains("/data/" + p + "/")), p + ": " + parquet);
        }
        for (String p : KEPT) {
            assertTrue(parquet.stream().anyMatch(f -> f.toString().contains("/data/" + p + "/")), p + ": " + parquet);
            // a younger partition's snapshot was expired too: it is still found (carried), read and verified
            var err = new StringWriter();
            assertEquals(
                    0,
                    restore(dir, url, "iceberg", "iceberg:public.events/" + p, "public.copy_" + p, err),
                    err::toString);
            assertEquals(rows(p), PgTestSupport.queryLong(url, "SELECT count(*) FROM public.copy_" + p));
        }
        var err = new StringWriter();
        assertNotEquals(0, restore(dir, url, "iceberg", "iceberg:public.events/" + EXPIRED.get(0), "public.gone", err));
        assertTrue(err.toString().contains("archives partition " + EXPIRED.get(0)), err::toString);
        assertTrue(err.toString().contains("deleted by archive_retention"), err::toString);
        String status = status(dir, url, "iceberg");
        assertTrue(status.contains(EXPIRED.size() + " expired"), status);
        assertFalse(status.contains("Exception"), status);

        expiryIsIdempotent(url, dir, "iceberg");
    }
}

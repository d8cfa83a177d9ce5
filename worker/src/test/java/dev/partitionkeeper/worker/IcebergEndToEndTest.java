package dev.partitionkeeper.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.TableReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** archive.format iceberg through Temporal: detach, export into Iceberg, verify through Iceberg, drop. */
@Tag("postgres")
class IcebergEndToEndTest {
    static EmbeddedTemporal temporal;
    static final String OLD = ArchiveEndToEndTest.OLD;

    @BeforeAll
    static void startTemporal() {
        temporal = EmbeddedTemporal.start();
    }

    @AfterAll
    static void stopTemporal() {
        temporal.close();
    }

    private static WorkerConfig config(Path warehouse) {
        return WorkerConfig.parse("test", """
        archive:
          location: %s
          format: iceberg
        tables:
          - table: public.transactions
            interval: monthly
            premake: 3
            retention: 12 months
            retention_action: archive_and_drop
            drop_grace: 0d
        """.formatted(warehouse), Map.of())
                .withTaskQueue("iceberg-e2e-" + System.nanoTime());
    }

    private static MaintenanceReport pass(String url, WorkerConfig cfg) {
        try (WorkerRuntime rt = new WorkerRuntime(
                temporal.connection().client(), cfg, new PostgresSettings(url, null, null, 4), cfg::tables, null)) {
            rt.start();
            return PassRunner.run(temporal.connection().client(), cfg.taskQueue(), MaintenanceRequest.all("test"));
        }
    }

    @Test
    void aPassArchivesIntoIcebergVerifiesThroughItAndDrops(@TempDir Path dir) throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_e2e");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 40);
        long oldRows = PgTestSupport.queryLong(url, "SELECT count(*) FROM public." + OLD);

        MaintenanceReport r = pass(url, config(dir));
        TableReport t = r.tables().get(0);
        assertEquals(
                List.of("create", "create", "detach", "export", "verify", "drop"),
                t.actions().stream().map(a -> a.action().split(" ")[0]).toList(),
                () -> t.actions().toString());
        // the pass report names the Iceberg table and the snapshot
        String exportDetail = t.actions().get(3).detail();
        assertTrue(
                exportDetail.startsWith(
                        "archive iceberg:partition_keeper.public.transactions partition " + OLD + " snapshot "),
                exportDetail);
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = files.toList();
            assertTrue(all.stream().anyMatch(p -> p.toString().endsWith(".metadata.json")), all.toString());
            assertEquals(
                    1,
                    all.stream().filter(p -> p.toString().endsWith(".parquet")).count(),
                    all.toString());
            assertTrue(all.stream().noneMatch(p -> p.toString().endsWith("manifest.json")), "no Parquet manifest");
        }
        assertEquals(
                0,
                PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'partition_archive'"),
                "detached table dropped");
        assertEquals(
                oldRows,
                PgTestSupport.queryLong(
                        url,
                        "SELECT archived_rows FROM partition_keeper.partition_lifecycle WHERE partition_name = '" + OLD
                                + "' AND verified_at IS NOT NULL AND dropped_at IS NOT NULL"
                                + " AND archive_location LIKE 'iceberg:partition_keeper.public.transactions partition "
                                + OLD + " snapshot %'"));
        // the JDBC catalog's tables are in the bookkeeping schema and name the table
        assertEquals(
                1,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM partition_keeper.iceberg_tables"
                                + " WHERE table_namespace = 'public' AND table_name = 'transactions'"));

        MaintenanceReport again = pass(url, config(dir));
        assertEquals(0, again.tables().get(0).actions().size(), () -> again.toString());

        // restore from Iceberg by name, attached back, then by bounds into another name
        Path cfg = dir.resolve("restore.yaml");
        Files.writeString(
                cfg,
                "postgres:\n  url: " + url + "\ntemporal:\n  task_queue: restore-" + System.nanoTime()
                        + "\narchive:\n  location: " + dir + "\n  format: iceberg"
                        + "\ntables:\n  - table: public.transactions\n    interval: monthly\n");
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(
                new PrintWriter(out),
                new PrintWriter(err),
                "restore",
                "iceberg:public.transactions/" + OLD,
                "--attach",
                "-c",
                cfg.toString());
        assertEquals(0, code, () -> out + "\n" + err);
        assertEquals(oldRows, PgTestSupport.queryLong(url, "SELECT count(*) FROM public." + OLD));
        assertEquals(
                1,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM pg_inherits WHERE inhrelid = 'public." + OLD
                                + "'::regclass AND inhparent = 'public.transactions'::regclass"));
        String from = PgTestSupport.queryString(
                url,
                "SELECT range_from FROM partition_keeper.partition_lifecycle WHERE partition_name = '" + OLD + "'");
        String to = PgTestSupport.queryString(
                url, "SELECT range_to FROM partition_keeper.partition_lifecycle WHERE partition_name = '" + OLD + "'");
        int byBounds = Main.run(
                new PrintWriter(out),
                new PrintWriter(err),
                "restore",
                "iceberg:public.transactions@" + from + ".." + to,
                "--into",
                "public.restored_copy",
                "-c",
                cfg.toString());
        assertEquals(0, byBounds, () -> out + "\n" + err);
        assertEquals(oldRows, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.restored_copy"));
        // and by the id of the snapshot that archived it, as status and the bookkeeping show it
        String snapshot = PgTestSupport.queryString(
                url,
                "SELECT substring(archive_location from ' snapshot ([0-9]+)') FROM partition_keeper.partition_lifecycle"
                        + " WHERE partition_name = '" + OLD + "'");
        int bySnapshot = Main.run(
                new PrintWriter(out),
                new PrintWriter(err),
                "restore",
                "iceberg:public.transactions#" + snapshot,
                "--into",
                "public.snapshot_copy",
                "-c",
                cfg.toString());
        assertEquals(0, bySnapshot, () -> out + "\n" + err);
        assertEquals(oldRows, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.snapshot_copy"));

        // status shows each archived partition's Iceberg table and snapshot
        var status = new StringWriter();
        int statusCode = Main.run(new PrintWriter(status), new PrintWriter(err), "status", "-c", cfg.toString());
        assertTrue(
                statusCode == 0 || statusCode == 3, "status exits 0, or 3 when a table needs attention: " + statusCode);
        assertTrue(
                status.toString()
                        .contains("iceberg:partition_keeper.public.transactions partition " + OLD + " snapshot"),
                status::toString);

        int missing = Main.run(
                new PrintWriter(out),
                new PrintWriter(err),
                "restore",
                "iceberg:public.transactions/no_such_partition",
                "-c",
                cfg.toString());
        assertTrue(missing != 0, "a partition never archived is refused");
        assertTrue(err.toString().contains("archives partition no_such_partition"), err::toString);
    }
}

package dev.partitionkeeper.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.config.ArchiveFormatSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.testing.EmbeddedTemporalExtension;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.TableReport;
import io.temporal.client.WorkflowFailedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain through Temporal: detach, export, verify, drop, and the refusals that keep rows safe.
 * {@link IcebergEndToEndTest} runs the chain with {@code format: iceberg} through the helpers here.
 */
@Tag("postgres")
class ArchiveEndToEndTest {
    @RegisterExtension
    static final EmbeddedTemporalExtension temporal = new EmbeddedTemporalExtension();

    static final String OLD = "transactions_p"
            + LocalDate.now(ZoneOffset.UTC)
                    .withDayOfMonth(1)
                    .minusMonths(13)
                    .toString()
                    .substring(0, 7)
                    .replace('-', '_');

    private static WorkerConfig config(Path archive, String action, String grace) {
        return config(archive, ArchiveFormatSettings.PARQUET, action, grace);
    }

    /** {@code public.transactions}, monthly, with 12 months' retention, archived in {@code format}. */
    static WorkerConfig config(Path archive, String format, String action, String grace) {
        return WorkerConfig.parse("test", """
        archive:
          location: %s
          format: %s
        tables:
          - table: public.transactions
            interval: monthly
            premake: 3
            retention: 12 months
            retention_action: %s
            drop_grace: %s
        """.formatted(archive, format, action, grace), Map.of())
                .withTaskQueue(format + "-e2e-" + System.nanoTime());
    }

    @Test
    void archiveAndDropWithoutGraceDropsOnlyAfterTheArchiveIsVerified(@TempDir Path dir) throws Exception {
        String url = PgTestSupport.newDatabase("archive_e2e");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 40);
        long oldRows = PgTestSupport.queryLong(url, "SELECT count(*) FROM public." + OLD);

        assertArchivedVerifiedAndDropped(url, temporal.pass(url, config(dir, "archive_and_drop", "0d")), oldRows);
        Path partDir = dir.resolve("public/transactions/" + OLD);
        assertTrue(Files.exists(partDir.resolve("manifest.json")), "manifest written");
        try (Stream<Path> files = Files.list(partDir)) {
            assertEquals(1, files.filter(p -> p.toString().endsWith(".parquet")).count());
        }

        MaintenanceReport again = temporal.pass(url, config(dir, "archive_and_drop", "0d"));
        assertEquals(0, again.tables().get(0).actions().size(), () -> again.toString());
    }

    @Test
    void aRowDeletedAfterVerificationStopsTheDropAndKeepsTheTable(@TempDir Path dir) throws Exception {
        String url = PgTestSupport.newDatabase("archive_e2e_refuse");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 40);
        MaintenanceReport first = temporal.pass(url, config(dir, "archive_and_drop", "1d"));
        assertEquals(5, first.tables().get(0).actions().size(), () -> first.toString()); // no drop: grace running
        // the source changes after verification, and the grace period is over
        PgTestSupport.exec(
                url,
                "DELETE FROM partition_archive." + OLD + " WHERE ctid = (SELECT min(ctid) FROM partition_archive." + OLD
                        + ")",
                "UPDATE partition_keeper.partition_lifecycle SET drop_after = now() - interval '1 minute'");
        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class, () -> temporal.pass(url, config(dir, "archive_and_drop", "1d")));
        TableReport failed = PassRunner.reportOf(e).orElseThrow().tables().get(0);
        assertEquals(TableReport.FAILED, failed.status());
        assertTrue(failed.error().contains("refusing to drop"), failed.error());
        assertEquals(
                1,
                PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'partition_archive'"),
                "table kept");
    }

    @Test
    void aCorruptedArchiveFailsVerificationAndNothingIsDropped(@TempDir Path dir) throws Exception {
        String url = PgTestSupport.newDatabase("archive_e2e_corrupt");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 40);
        temporal.pass(url, config(dir, "archive", "0d")); // export + verify, never drop
        Path parquet = dir.resolve("public/transactions/" + OLD + "/part-00000.parquet");
        byte[] bytes = Files.readAllBytes(parquet);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(parquet, bytes);
        PgTestSupport.exec(
                url, "UPDATE partition_keeper.partition_lifecycle SET verified_at = NULL, drop_after = NULL");
        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class, () -> temporal.pass(url, config(dir, "archive_and_drop", "0d")));
        TableReport failed = PassRunner.reportOf(e).orElseThrow().tables().get(0);
        assertTrue(failed.error().contains("does not match"), failed.error());
        assertEquals(
                1,
                PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'partition_archive'"),
                "table kept");
        assertTrue(PgTestSupport.queryLong(
                        url, "SELECT count(*) FROM partition_keeper.partition_lifecycle WHERE last_error IS NOT NULL")
                == 1);
    }

    @Test
    void restoreRecreatesTheDroppedPartitionVerifiesItAndAttachesItBack(@TempDir Path dir) throws Exception {
        String url = PgTestSupport.newDatabase("archive_e2e_restore");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 40);
        long before = PgTestSupport.queryLong(url, "SELECT count(*) FROM public." + OLD);
        temporal.pass(url, config(dir, "archive_and_drop", "0d"));
        assertEquals(0, PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_tables WHERE tablename = '" + OLD + "'"));

        Path cfg = restoreConfig(dir, url, "");
        String out = restore(cfg, dir.resolve("public/transactions/" + OLD).toString(), "--attach");
        assertTrue(out.contains(String.valueOf(before)), out);
        assertEquals(
                "transactions",
                PgTestSupport.queryLong(
                                        url,
                                        "SELECT count(*) FROM pg_inherits" + " WHERE inhrelid = 'public." + OLD
                                                + "'::regclass AND inhparent = 'public.transactions'::regclass")
                                == 1
                        ? "transactions"
                        : "not attached");
        assertEquals(before, PgTestSupport.queryLong(url, "SELECT count(*) FROM public." + OLD));

        // restoring again into another name gives an independent, verified copy
        restore(cfg, dir.resolve("public/transactions/" + OLD).toString(), "--into", "public.restored_copy");
        assertEquals(before, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.restored_copy"));
    }

    /**
     * A pass that archives and drops without grace: it created two partitions, detached, exported, verified and
     * dropped {@link #OLD}, whose {@code rows} the bookkeeping records as archived; no detached table is left.
     */
    static TableReport assertArchivedVerifiedAndDropped(String url, MaintenanceReport pass, long rows) {
        TableReport t = pass.tables().get(0);
        assertEquals(
                List.of("create", "create", "detach", "export", "verify", "drop"),
                t.actions().stream().map(a -> a.action().split(" ")[0]).toList(),
                () -> t.actions().toString());
        assertEquals(
                0,
                PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'partition_archive'"),
                "detached table dropped");
        assertEquals(
                rows,
                PgTestSupport.queryLong(
                        url,
                        "SELECT archived_rows FROM partition_keeper.partition_lifecycle WHERE partition_name = '" + OLD
                                + "' AND verified_at IS NOT NULL AND dropped_at IS NOT NULL"));
        return t;
    }

    /** {@code restore.yaml} in {@code dir} for the CLI: {@code url}'s database, a task queue of its own, {@code more}. */
    static Path restoreConfig(Path dir, String url, String more) throws IOException {
        Path cfg = dir.resolve("restore.yaml");
        Files.writeString(
                cfg,
                "postgres:\n  url: " + url + "\ntemporal:\n  task_queue: restore-" + System.nanoTime() + more
                        + "\ntables:\n  - table: public.transactions\n    interval: monthly\n");
        return cfg;
    }

    /** {@code partition-keeper restore <args> -c <cfg>}, which must exit 0; what it printed. */
    static String restore(Path cfg, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("restore"));
        all.addAll(List.of(args));
        all.addAll(List.of("-c", cfg.toString()));
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
        assertEquals(0, code, () -> out + "\n" + err);
        return out.toString();
    }
}

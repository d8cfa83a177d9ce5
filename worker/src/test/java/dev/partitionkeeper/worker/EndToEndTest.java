package dev.partitionkeeper.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.TableReport;
import io.temporal.client.WorkflowFailedException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real worker over gRPC against the Java SDK's standalone Temporal test server and a real
 * PostgreSQL: the whole chain as production runs it, minus the Schedule.
 */
@Tag("postgres")
class EndToEndTest {
    static EmbeddedTemporal temporal;

    @BeforeAll
    static void startTemporal() {
        temporal = EmbeddedTemporal.start();
    }

    @AfterAll
    static void stopTemporal() {
        temporal.close();
    }

    private static WorkerRuntime worker(String url, WorkerConfig cfg) {
        WorkerRuntime rt = new WorkerRuntime(
                temporal.connection().client(), cfg, new PostgresSettings(url, null, null, 4), cfg::tables, null);
        rt.start();
        return rt;
    }

    @Test
    void passCreatesRunwayDetachesOldPartitionsAndIsIdempotent() throws Exception {
        String url = PgTestSupport.newDatabase("e2e");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 50);
        String queue = "e2e-" + System.nanoTime();
        WorkerConfig cfg =
                WorkerConfig.parse("test", DemoData.policyYaml(), Map.of()).withTaskQueue(queue);
        try (WorkerRuntime rt = worker(url, cfg)) {
            MaintenanceReport first =
                    PassRunner.run(temporal.connection().client(), queue, MaintenanceRequest.all("e2e"));
            TableReport t = first.tables().get(0);
            assertEquals("public.transactions", t.table());
            assertEquals(3, t.actions().size(), () -> "actions: " + t.actions());
            assertEquals(3, t.layout().runwayPartitions());
            // the three strays in the month premake created moved out of the default partition
            assertEquals(2, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.transactions_default"));
            assertEquals(
                    1,
                    PgTestSupport.queryLong(
                            url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'partition_archive'"));
            assertEquals(
                    1,
                    PgTestSupport.queryLong(
                            url,
                            "SELECT count(*) FROM partition_keeper.partition_lifecycle WHERE detached_at IS NOT NULL"));
            long total = PgTestSupport.queryLong(url, "SELECT count(*) FROM public.transactions")
                    + PgTestSupport.queryLong(
                            url,
                            "SELECT count(*) FROM partition_archive."
                                    + "transactions_p"
                                    + LocalDate.now(ZoneOffset.UTC)
                                            .withDayOfMonth(1)
                                            .minusMonths(13)
                                            .toString()
                                            .substring(0, 7)
                                            .replace('-', '_'));
            assertEquals(50L * 14 + 5, total, "no row lost: attached + detached = inserted");

            MaintenanceReport second =
                    PassRunner.run(temporal.connection().client(), queue, MaintenanceRequest.all("again"));
            assertTrue(second.tables().get(0).actions().isEmpty(), () -> "second pass acted: " + second);
            assertTrue(PgTestSupport.queryLong(url, "SELECT count(*) FROM partition_keeper.action_log") >= 3);
        }
    }

    @Test
    void badTableFailsThePassWithItsReasonButOtherTablesAreMaintained() throws Exception {
        String url = PgTestSupport.newDatabase("e2e_bad");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 10);
        String queue = "e2e-bad-" + System.nanoTime();
        WorkerConfig cfg = WorkerConfig.parse("test", """
        tables:
          - table: public.does_not_exist
            interval: daily
          - table: public.transactions
            interval: monthly
            premake: 2
        """, Map.of()).withTaskQueue(queue);
        try (WorkerRuntime rt = worker(url, cfg)) {
            WorkflowFailedException e = assertThrows(
                    WorkflowFailedException.class,
                    () -> PassRunner.run(temporal.connection().client(), queue, MaintenanceRequest.all("bad")));
            MaintenanceReport report = PassRunner.reportOf(e).orElseThrow();
            TableReport bad = report.tables().get(0);
            assertEquals(TableReport.FAILED, bad.status());
            assertTrue(bad.error().contains("public.does_not_exist does not exist"), bad.error());
            assertEquals(List.of(), bad.actions());
            TableReport good = report.tables().get(1);
            assertEquals(2, good.layout().runwayPartitions(), () -> "good table not maintained: " + good);
        }
    }
}

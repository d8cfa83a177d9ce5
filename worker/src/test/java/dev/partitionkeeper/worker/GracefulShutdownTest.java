package dev.partitionkeeper.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What SIGTERM does (the shutdown hook calls {@link WorkerRuntime#close()}): the worker stops polling,
 * the running step gets shutdown_grace, and another worker on the task queue finishes the pass with no
 * step done twice.
 */
@Tag("postgres")
class GracefulShutdownTest {

    @Test
    void aDrainedWorkerHandsThePassToAnotherWithNoStepDoneTwice() throws Exception {
        String url = PgTestSupport.newDatabase("drain");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 10);
        String next = "transactions_p"
                + LocalDate.now(ZoneOffset.UTC)
                        .withDayOfMonth(1)
                        .plusMonths(2)
                        .toString()
                        .substring(0, 7)
                        .replace('-', '_');
        WorkerConfig cfg = WorkerConfig.parse("test", """
        temporal:
          shutdown_grace: 2s
        maintenance:
          lock_max_wait: 1m
        tables:
          - table: public.transactions
            interval: monthly
            premake: 3
        """, Map.of()).withTaskQueue("drain-" + System.nanoTime());
        PostgresSettings pg = new PostgresSettings(url, null, null, 4);
        try (EmbeddedTemporal temporal = EmbeddedTemporal.start();
                Connection reader = DriverManager.getConnection(url)) {
            WorkflowClient client = temporal.connection().client();
            // A long reader of the table: the ATTACH waits outside the lock queue while it runs.
            reader.setAutoCommit(false);
            try (Statement s = reader.createStatement()) {
                s.executeQuery("SELECT count(*) FROM public.transactions").close();
            }
            // the SDK's test server never times out a stopped worker's sticky queue; a real server does in seconds
            WorkerRuntime first = new WorkerRuntime(client, cfg, pg, cfg::tables, null, false);
            first.start();
            MaintenanceWorkflow wf = client.newWorkflowStub(
                    MaintenanceWorkflow.class,
                    WorkflowOptions.newBuilder()
                            .setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID)
                            .setTaskQueue(cfg.taskQueue())
                            .setWorkflowExecutionTimeout(Duration.ofMinutes(2))
                            .build());
            WorkflowClient.start(wf::run, MaintenanceRequest.all("drain test"), null);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_class WHERE relname = '" + next + "'") == 0) {
                assertTrue(System.nanoTime() < deadline, "the create step never started");
                Thread.sleep(50);
            }

            long t0 = System.nanoTime();
            CompletableFuture<Void> draining = CompletableFuture.runAsync(first::close);
            Thread.sleep(300);
            reader.commit(); // the step can finish now, within the grace period, or is retried elsewhere
            draining.get();
            long closeMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(closeMillis < 2_000 + 5_000 + 3_000, "close took " + closeMillis + " ms");

            try (WorkerRuntime second = new WorkerRuntime(client, cfg, pg, cfg::tables, null, false)) {
                second.start();
                MaintenanceReport report = WorkflowStub.fromTyped(wf).getResult(MaintenanceReport.class);
                assertEquals(3, report.tables().get(0).layout().runwayPartitions(), () -> report.toString());
            }
            assertEquals(
                    1,
                    PgTestSupport.queryLong(
                            url,
                            "SELECT count(*) FROM partition_keeper.action_log"
                                    + " WHERE action = 'create' AND partition_name = '" + next
                                    + "' AND outcome = 'done'"),
                    "the create step was done exactly once");
        }
    }
}

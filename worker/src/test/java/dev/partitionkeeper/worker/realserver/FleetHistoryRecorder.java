package dev.partitionkeeper.worker.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.PassRunner;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.DatabasePassWorkflow;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.TableReport;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records a fleet pass for {@code RecordedHistoriesReplayTest}, as {@link HistoryRecorder} records the others: on
 * the real Temporal server and PostgreSQL, two databases (the second refusing connections), one pass. Writes the
 * pass ({@code fleet-pass-one-database-down.json}) and the first database's part ({@code fleet-database-pass.json},
 * a table with work, so a table child). Runs only when asked:
 *
 * <pre>
 * mvn -B -pl worker -am verify -Dtest=FleetHistoryRecorder -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dpk.record.histories=$PWD/workflows/src/test/resources/histories
 * </pre>
 */
@Tag(DevServerExtension.TAG)
@Tag("postgres")
@EnabledIfSystemProperty(named = "pk.record.histories", matches = ".+")
class FleetHistoryRecorder {
    @RegisterExtension
    static DevServerExtension temporal = DevServerExtension.headless();

    @Test
    void recordAFleetPass() throws Exception {
        List<String> dbs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String url = PgTestSupport.newDatabase("fleetrec");
            PgTestSupport.exec(
                    url,
                    "CREATE TABLE public.events (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
            dbs.add(url.substring(url.lastIndexOf('/') + 1, url.indexOf('?') < 0 ? url.length() : url.indexOf('?')));
        }
        PgTestSupport.exec(PgTestSupport.adminUrl(), "ALTER DATABASE \"" + dbs.get(1) + "\" ALLOW_CONNECTIONS false");
        String queue = "fleet-record-" + System.nanoTime();
        WorkerConfig cfg = WorkerConfig.parse(
                "fleet.yaml",
                "postgres:\n  url: '" + PgTestSupport.adminUrl() + "'\n  connect_timeout: 1s\n"
                        + "temporal:\n  task_queue: " + queue + "\n"
                        + "databases:\n  - name: " + dbs.get(0) + "\n  - name: " + dbs.get(1) + "\n"
                        + "tables:\n  - table: public.events\n    interval: daily\n    premake: 1\n",
                Map.of());
        WorkflowClient client = temporal.connection().client();
        try (WorkerRuntime rt = new WorkerRuntime(
                client, cfg, new PostgresSettings(PgTestSupport.adminUrl(), null, null, 2), cfg::tables, null)) {
            rt.start();
            WorkflowFailedException e = assertThrows(
                    WorkflowFailedException.class,
                    () -> PassRunner.run(client, queue, MaintenanceRequest.all("fleet pass")));
            MaintenanceReport report = PassRunner.reportOf(e).orElseThrow();
            assertEquals(TableReport.OK, report.tables().get(0).status(), report::toString);
            assertEquals(TableReport.FAILED, report.tables().get(1).status(), report::toString);
            WorkflowExecutionHistory pass = client.fetchHistory(MaintenanceWorkflow.WORKFLOW_ID);
            WorkflowExecutionHistory part =
                    client.fetchHistory(DatabasePassWorkflow.workflowId(MaintenanceWorkflow.WORKFLOW_ID, dbs.get(0)));
            assertTrue(
                    part.getEvents().stream()
                            .anyMatch(ev -> ev.hasStartChildWorkflowExecutionInitiatedEventAttributes()),
                    "the first database's table had work: a table child");
            Path out = Files.createDirectories(Path.of(System.getProperty("pk.record.histories")));
            Files.writeString(out.resolve("fleet-pass-one-database-down.json"), pass.toJson(true));
            Files.writeString(out.resolve("fleet-database-pass.json"), part.toJson(true));
        } finally {
            PgTestSupport.exec(
                    PgTestSupport.adminUrl(), "ALTER DATABASE \"" + dbs.get(1) + "\" ALLOW_CONNECTIONS true");
        }
    }
}

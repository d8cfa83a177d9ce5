package dev.partitionkeeper.worker.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.chaos.ArchiveWatch;
import dev.partitionkeeper.worker.chaos.ChaosPass;
import dev.partitionkeeper.worker.chaos.ChaosTables;
import dev.partitionkeeper.worker.chaos.ChaosWorkerMain;
import dev.partitionkeeper.worker.chaos.FaultScenario;
import dev.partitionkeeper.worker.chaos.Invariant;
import dev.partitionkeeper.worker.chaos.WorkerProcess;
import dev.partitionkeeper.worker.chaos.Writers;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.TableMaintenanceWorkflow;
import dev.partitionkeeper.workflows.TableReport;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code WorkerPoolTest} (workflows module, on the SDK's test server with worker factories) on the real
 * server with worker processes: two {@link ChaosWorkerMain} JVMs poll one task queue with sticky queues on,
 * as in production. The one running an export is SIGKILLed; the other takes over the export (after its
 * heartbeat timeout) and the workflows (after the dead worker's sticky queue times out) and finishes the
 * pass with no step done twice, the invariant holding.
 */
@Tag(DevServerExtension.TAG)
@Tag("postgres")
@Tag("chaos")
class WorkerPoolRealServerTest {
    @RegisterExtension
    static DevServerExtension temporal = DevServerExtension.headless();

    /** The export that was running on the killed worker. */
    record Interrupted(String workflowId, String activityId, String killedIdentity, String survivor) {}

    @Test
    void oneWorkerKilledMidExportTheOtherFinishesThePassWithNoStepDoneTwice(@TempDir Path dir) throws Exception {
        ChaosTables tables = ChaosTables.forPasses(1).withHeavyOldestDays(FaultScenario.HEAVY_ROWS);
        String url = PgTestSupport.newDatabase("pool_real");
        tables.create(url);
        Path archive = dir.resolve("archive");
        Path config = dir.resolve("partition-keeper.yaml");
        String queue = "pool-" + System.nanoTime();
        Files.writeString(config, tables.config(url, queue, 0, "archive:\n  location: " + archive + "\n"));
        Path logs = Path.of("target", "chaos-logs", "pool-" + System.currentTimeMillis());
        Map<String, String> env = Map.of(ChaosWorkerMain.STICKY_ENV, "true");
        WorkflowClient client = temporal.connection().client();

        try (WorkerProcess a = WorkerProcess.start(config, temporal.target(), logs.resolve("a.log"), env);
                WorkerProcess b = WorkerProcess.start(config, temporal.target(), logs.resolve("b.log"), env);
                ArchiveStore store = new FileSystemArchiveStore(archive);
                Writers writers = new Writers(
                                url, ChaosTables.TABLES, Duration.ofDays(tables.days() + 1), tables.seedRows() + 1, 13)
                        .start(2)) {
            ArchiveWatch watch = new ArchiveWatch(store);
            Interrupted[] killed = {null};
            long[] lastLook = {0};
            MaintenanceReport report = ChaosPass.run(client, queue, "pool-pass", Duration.ofMinutes(3), () -> {
                if (killed[0] == null) {
                    killed[0] = killTheExporter(client, a, b);
                }
                if (System.nanoTime() - lastLook[0] > 300_000_000L) {
                    watch.look();
                    lastLook[0] = System.nanoTime();
                }
            });

            assertNotNull(killed[0], "no export was seen running on a worker: nobody was killed");
            Interrupted k = killed[0];
            assertFalse((k.killedIdentity().startsWith(a.pid() + "@") ? a : b).isAlive());
            assertTrue((k.killedIdentity().startsWith(a.pid() + "@") ? b : a).isAlive(), "the survivor died");
            for (TableReport t : report.tables()) {
                // "attention": the writers' rows in events_a's DEFAULT partition, as in the chaos suite
                assertTrue(
                        t.status().equals(TableReport.OK) || t.status().equals(TableReport.ATTENTION),
                        report::toString);
            }
            // the interrupted export was retried, and completed, on the survivor
            HistoryEvent started = activityStarted(client, k);
            assertEquals(
                    k.survivor(),
                    started.getActivityTaskStartedEventAttributes().getIdentity(),
                    started::toString);
            assertTrue(started.getActivityTaskStartedEventAttributes().getAttempt() >= 2, started::toString);

            writers.pause();
            Invariant.Result r = new Invariant(url, store, watch).check(tables.seedRows(), writers);
            System.out.println(
                    "pool: killed " + k + "; " + r.census() + "; action log: " + Invariant.actionSummary(url));
            assertTrue(r.problems().isEmpty(), () -> r.census() + "\n" + String.join("\n", r.problems()));
            assertEquals(2L * ChaosTables.TABLES.size(), r.census().droppedArchives(), r.census()::toString);
            List<String> twice = Invariant.stepsDoneTwice(url);
            assertTrue(twice.isEmpty(), () -> "steps done twice: " + twice);
        }
    }

    /** SIGKILLs the worker whose identity ({@code pid@host}) a started export carries; null while there is none. */
    private static Interrupted killTheExporter(WorkflowClient client, WorkerProcess a, WorkerProcess b) {
        for (String table : ChaosTables.TABLES) {
            String id = TableMaintenanceWorkflow.workflowId("public." + table);
            List<PendingActivityInfo> pending;
            try {
                pending = client.getWorkflowServiceStubs()
                        .blockingStub()
                        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                                .setNamespace(client.getOptions().getNamespace())
                                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                                .build())
                        .getPendingActivitiesList();
            } catch (RuntimeException e) {
                continue; // the table's workflow has not started yet
            }
            for (PendingActivityInfo p : pending) {
                if (!p.getActivityType().getName().equals("ArchiveExport")
                        || p.getState() != PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) {
                    continue;
                }
                String who = p.getLastWorkerIdentity();
                WorkerProcess victim = who.startsWith(a.pid() + "@") ? a : who.startsWith(b.pid() + "@") ? b : null;
                if (victim != null) {
                    WorkerProcess survivor = victim == a ? b : a;
                    victim.kill();
                    return new Interrupted(
                            id, p.getActivityId(), who, survivor.pid() + who.substring(who.indexOf('@')));
                }
            }
        }
        return null;
    }

    /** The ActivityTaskStarted event of the interrupted export (written once, for the attempt that ended it). */
    private static HistoryEvent activityStarted(WorkflowClient client, Interrupted k) {
        List<HistoryEvent> events = client.fetchHistory(k.workflowId()).getEvents();
        long scheduled = events.stream()
                .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
                .filter(e -> e.getActivityTaskScheduledEventAttributes()
                        .getActivityId()
                        .equals(k.activityId()))
                .mapToLong(HistoryEvent::getEventId)
                .findFirst()
                .orElseThrow(() ->
                        new AssertionError("activity " + k.activityId() + " not in the history of " + k.workflowId()));
        return events.stream()
                .filter(HistoryEvent::hasActivityTaskStartedEventAttributes)
                .filter(e -> e.getActivityTaskStartedEventAttributes().getScheduledEventId() == scheduled)
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("activity " + k.activityId() + " never started in " + k.workflowId()));
    }
}

package dev.partitionkeeper.worker.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.controlplane.CliRun;
import dev.partitionkeeper.workflows.MaintenanceCarryOver;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.RestoreRequest;
import dev.partitionkeeper.workflows.RestoreWorkflow;
import dev.partitionkeeper.workflows.Visibility;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records the histories that {@code workflows}' {@code RecordedHistoriesReplayTest} replays in every build, from
 * real runs: the real Temporal server (the CLI's dev server) and a real PostgreSQL, the production worker wiring.
 * Not a test of its own: it runs only when asked, and writes one JSON file per run, as Temporal exports them:
 *
 * <pre>
 * mvn -B -pl worker -am verify -Dtest=HistoryRecorder -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dpk.record.histories=$PWD/workflows/src/test/resources/histories
 * </pre>
 *
 * Record new histories when a workflow changes (behind {@code Workflow.getVersion}) and keep the old ones until
 * no run of the old code can be open (docs/operations.md, "Shipping a workflow change"). The pass's histories
 * are named after the change they record ({@link #PASS}); the restore and conversion ones are rewritten in place
 * (put back the committed ones when those workflows did not change).
 */
@Tag(DevServerExtension.TAG)
@Tag("postgres")
@EnabledIfSystemProperty(named = "pk.record.histories", matches = ".+")
class HistoryRecorder {
    @RegisterExtension
    static DevServerExtension temporal = DevServerExtension.headless();

    /** Prefix of the pass's histories: the code they were recorded from (the cheap pass of issue 15). */
    static final String PASS = "cheap-pass-";

    @TempDir
    Path dir;

    private static Path out() throws Exception {
        return Files.createDirectories(Path.of(System.getProperty("pk.record.histories")));
    }

    private static WorkflowExecutionHistory history(WorkflowExecution run) {
        return temporal.connection().client().fetchHistory(run.getWorkflowId(), run.getRunId());
    }

    private static void save(String name, WorkflowExecutionHistory h) throws Exception {
        Files.writeString(out().resolve(name + ".json"), h.toJson(true));
    }

    private static WorkflowExecution latest(String workflowId) {
        return temporal.connection()
                .stubs()
                .blockingStub()
                .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace("default")
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                        .build())
                .getWorkflowExecutionInfo()
                .getExecution();
    }

    /** The children a run started, by run (a table's workflow ID is reused by every pass). */
    private static List<WorkflowExecution> children(WorkflowExecutionHistory parent) {
        return parent.getEvents().stream()
                .filter(HistoryEvent::hasChildWorkflowExecutionStartedEventAttributes)
                .map(e -> e.getChildWorkflowExecutionStartedEventAttributes().getWorkflowExecution())
                .toList();
    }

    @Test
    void recordEveryWorkflowType() throws Exception {
        // lock_max_wait 2s + a reader holding the table for ~5s: the first create fails its first attempt
        // (LockBusy) and is retried by Temporal, so the table workflow's history has a retried step
        RealServerFixture fx = new RealServerFixture(temporal, dir, "record", """
        maintenance:
          lock_max_wait: 2s
        """);
        PgTestSupport.exec(
                fx.url,
                "CREATE TABLE public.events (id bigserial, at timestamptz NOT NULL," + " PRIMARY KEY (id, at))",
                "INSERT INTO public.events (at) SELECT now() - i * interval '1 day'"
                        + " FROM generate_series(0, 199) i");
        fx.startWorker();
        try {
            WorkflowClient client = temporal.connection().client();

            // the pass: maintain's signal-with-start, a second request joining while the first pass waits for the lock,
            // and (the threshold lowered through the run's input) a continue-as-new that carries the second request
            try (Connection reader = DriverManager.getConnection(fx.url);
                    Statement s = reader.createStatement()) {
                reader.setAutoCommit(false);
                s.execute("LOCK TABLE public.transactions IN ACCESS SHARE MODE");
                MaintenanceWorkflow wf = client.newWorkflowStub(
                        MaintenanceWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID)
                                .setTaskQueue(fx.taskQueue)
                                .setMemo(Visibility.memo(Visibility.TRIGGER_ON_DEMAND, fx.config.toString()))
                                .build());
                BatchRequest batch = client.newSignalWithStartRequest();
                batch.add(wf::run, (MaintenanceRequest) null, MaintenanceCarryOver.continuingAfter(1));
                batch.add(
                        wf::requestMaintenance,
                        new MaintenanceRequest(List.of("public.transactions"), false, "first request"));
                WorkflowExecution first = client.signalWithStart(batch);
                Thread.sleep(1500); // the first pass is in the lock gate now
                client.newWorkflowStub(MaintenanceWorkflow.class, MaintenanceWorkflow.WORKFLOW_ID)
                        .requestMaintenance(
                                new MaintenanceRequest(List.of(), false, "joined while the first pass ran"));
                Thread.sleep(3500);
                reader.rollback();

                client.newUntypedWorkflowStub(MaintenanceWorkflow.WORKFLOW_ID)
                        .getResult(3, TimeUnit.MINUTES, MaintenanceReport.class);
                WorkflowExecutionHistory pass1 = history(first);
                WorkflowExecution second = latest(MaintenanceWorkflow.WORKFLOW_ID);
                assertTrue(!second.getRunId().equals(first.getRunId()), "the run continued as new");
                WorkflowExecutionHistory pass2 = history(second);
                save(PASS + "maintenance-joined-then-continued-as-new", pass1);
                save(PASS + "maintenance-after-continue-as-new", pass2);
                List<WorkflowExecution> tables1 = children(pass1);
                assertEquals(1, tables1.size());
                WorkflowExecutionHistory chain = history(tables1.get(0));
                List<String> steps = chain.getEvents().stream()
                        .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
                        .map(e -> e.getActivityTaskScheduledEventAttributes()
                                .getActivityType()
                                .getName())
                        .toList();
                assertTrue(
                        steps.containsAll(List.of(
                                "PartitionCreatePartition",
                                "PartitionDetachPartition",
                                "ArchiveExport",
                                "ArchiveVerify",
                                "ArchiveDrop")),
                        "the table workflow ran the whole chain: " + steps);
                assertTrue(
                        chain.getEvents().stream()
                                .anyMatch(e -> e.hasActivityTaskStartedEventAttributes()
                                        && e.getActivityTaskStartedEventAttributes()
                                                        .getAttempt()
                                                > 1),
                        "a step was retried");
                save(PASS + "table-create-detach-export-verify-drop-retried", chain);
                // the second pass finds nothing to do: one survey activity, no child (no table history to record)
                assertEquals(List.of(), children(pass2), "a table with nothing to do gets no child");
                assertEquals(
                        List.of("PolicyLoad", "PartitionSurvey"),
                        pass2.getEvents().stream()
                                .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
                                .map(e -> e.getActivityTaskScheduledEventAttributes()
                                        .getActivityType()
                                        .getName())
                                .toList());
            }

            // a pass whose only work is catalog changes: the newest (empty, future) partition is gone, so the pass
            // creates it again, in the table's one applyDdl activity
            String newest = PgTestSupport.queryString(
                    fx.url,
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                            + " WHERE i.inhparent = 'public.transactions'::regclass"
                            + " AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'"
                            + " ORDER BY pg_get_expr(c.relpartbound, c.oid) DESC LIMIT 1");
            PgTestSupport.exec(
                    fx.url,
                    "ALTER TABLE public.transactions DETACH PARTITION public.\"" + newest + "\"",
                    "DROP TABLE public.\"" + newest + "\"");
            CliRun creates = fx.cli("maintain", "--wait", "--reason", "runway only");
            // attention, not ok: the demo's default partition holds two rows of 2019 on purpose
            assertTrue(creates.exitCode() == Main.OK || creates.exitCode() == Main.ATTENTION, creates::toString);
            WorkflowExecutionHistory pass3 = history(latest(MaintenanceWorkflow.WORKFLOW_ID));
            List<WorkflowExecution> tables3 = children(pass3);
            assertEquals(1, tables3.size(), "one table had work");
            WorkflowExecutionHistory runway = history(tables3.get(0));
            assertEquals(
                    List.of("PartitionApplyDdl"),
                    runway.getEvents().stream()
                            .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
                            .map(e -> e.getActivityTaskScheduledEventAttributes()
                                    .getActivityType()
                                    .getName())
                            .toList(),
                    "catalog changes only: one activity");
            save("one-ddl-activity-table-runway-only", runway);

            // restore the partition the pass dropped, from its archive
            String location;
            try (var files = Files.list(fx.archive.resolve("public").resolve("transactions"))) {
                location = files.findFirst().orElseThrow().toString();
            }
            RestoreWorkflow restore = client.newWorkflowStub(
                    RestoreWorkflow.class,
                    WorkflowOptions.newBuilder()
                            .setWorkflowId(RestoreWorkflow.workflowId(location))
                            .setTaskQueue(fx.taskQueue)
                            .build());
            restore.restore(new RestoreRequest(location, "public.restored_copy", false));
            save("restore", history(latest(RestoreWorkflow.workflowId(location))));

            // convert an ordinary table through the swap, then roll it back
            CliRun converted = fx.cli("convert", "public.events", "--column", "at");
            assertEquals(Main.OK, converted.exitCode(), converted::toString);
            save("convert-through-swap", history(latest("partition-convert/public.events")));
            CliRun back = fx.cli("convert", "--rollback", "public.events");
            assertEquals(Main.OK, back.exitCode(), back::toString);
            save("convert-rollback", history(latest("partition-convert/public.events")));
        } finally {
            fx.close();
        }
    }
}

package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.ControlPlaneSupport.attach;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.awaitStatus;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.events;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.result;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.signalWithStart;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.table;
import static dev.partitionkeeper.workflows.Fixtures.BILLING_EVENTS;
import static dev.partitionkeeper.workflows.Fixtures.CREATE_APR;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static dev.partitionkeeper.workflows.Fixtures.done;
import static dev.partitionkeeper.workflows.Fixtures.partitionActivities;
import static dev.partitionkeeper.workflows.Fixtures.policyActivities;
import static dev.partitionkeeper.workflows.Fixtures.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.partitionkeeper.workflows.ControlPlaneSupport.Gate;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** On-demand maintenance: signal-with-start, draining, the {@code maintain} update and the status query. */
class MaintenanceSignalsTest {

    @RegisterExtension
    static final TestWorkflowExtension testWorkflow = Fixtures.extension();

    final PartitionActivities partitions = partitionActivities();
    final Gate gate = new Gate();

    @Test
    void signalWithStartWhileIdleStartsAPassForTheRequestedTables(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));
        WorkflowClient client = env.getWorkflowClient();

        signalWithStart(
                client,
                worker.getTaskQueue(),
                new MaintenanceRequest(List.of("billing.\"Billing Events\""), false, "operator: refill runway"));
        MaintenanceReport report = result(client, MaintenanceWorkflow.WORKFLOW_ID);

        assertEquals("operator: refill runway", report.reason());
        assertEquals(
                List.of("billing.\"Billing Events\""),
                report.tables().stream().map(TableReport::table).toList());
        verify(partitions).plan(eq(BILLING_EVENTS), anyLong());
        verify(partitions, never()).plan(eq(TRANSACTIONS), anyLong());
        MaintenanceStatus done = attach(client, MaintenanceWorkflow.WORKFLOW_ID).status();
        assertEquals(MaintenanceStatus.DONE, done.phase());
        assertEquals(1, done.completedPasses());
    }

    @Test
    void requestsArrivingDuringAPassAreDrainedBeforeTheRunCompletes(TestWorkflowEnvironment env, Worker worker)
            throws Exception {
        gate.blockFirstCreate(partitions);
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow wf = attach(client, MaintenanceWorkflow.WORKFLOW_ID);

        signalWithStart(
                client, worker.getTaskQueue(), new MaintenanceRequest(List.of("public.transactions"), false, "first"));
        gate.awaitEntered();
        // joins the running pass: same ID, no second run
        signalWithStart(
                client,
                worker.getTaskQueue(),
                new MaintenanceRequest(List.of("billing.\"Billing Events\""), false, "second"));
        signalWithStart(client, worker.getTaskQueue(), new MaintenanceRequest(List.of(), true, "third, dry run"));
        MaintenanceStatus during = awaitStatus(wf, s -> s.queuedRequests() == 2);
        assertEquals(1, during.pass());
        assertEquals(
                TableReportState.RUNNING, table(during, "public.transactions").state());
        gate.open();
        MaintenanceReport report = result(client, MaintenanceWorkflow.WORKFLOW_ID);

        // pass 1: transactions; pass 2: billing; pass 3: dry run over both
        assertEquals(
                List.of(
                        "public.transactions",
                        "billing.\"Billing Events\"",
                        "public.transactions",
                        "billing.\"Billing Events\""),
                report.tables().stream().map(TableReport::table).toList());
        assertEquals("first; second; third, dry run", report.reason());
        assertFalse(report.dryRun());
        verify(partitions, times(2)).plan(eq(TRANSACTIONS), anyLong());
        verify(partitions, times(2)).plan(eq(BILLING_EVENTS), anyLong());
        verify(partitions, times(1)).verifyLayout(eq(TRANSACTIONS), anyLong());
        List<HistoryEvent> history = events(client, MaintenanceWorkflow.WORKFLOW_ID);
        // three requests; the children's per-step tableProgress signals are not requests
        assertEquals(
                3,
                history.stream()
                        .filter(HistoryEvent::hasWorkflowExecutionSignaledEventAttributes)
                        .filter(e -> !e.getWorkflowExecutionSignaledEventAttributes()
                                .getSignalName()
                                .equals("tableProgress"))
                        .count());
        assertEquals(
                1,
                history.stream()
                        .filter(HistoryEvent::hasWorkflowExecutionStartedEventAttributes)
                        .count());
        assertEquals(3, wf.status().completedPasses());
    }

    @Test
    void updateReturnsTheReportOfThePassThatServedIt(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));
        WorkflowClient client = env.getWorkflowClient();

        MaintenanceReport report = updateWithStart(
                client,
                worker.getTaskQueue(),
                new MaintenanceRequest(List.of("public.transactions"), true, "operator: check"));

        assertTrue(report.dryRun());
        assertEquals("operator: check", report.reason());
        assertEquals(
                List.of("public.transactions"),
                report.tables().stream().map(TableReport::table).toList());
        assertEquals(TableReport.OK, report.tables().get(0).status());
        verify(partitions, never()).createPartition(any(), any());
    }

    @Test
    void rejectedUpdateLeavesNoTraceInHistory(TestWorkflowEnvironment env, Worker worker) throws Exception {
        gate.blockFirstCreate(partitions);
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow wf = attach(client, MaintenanceWorkflow.WORKFLOW_ID);
        signalWithStart(client, worker.getTaskQueue(), MaintenanceRequest.all("first"));
        gate.awaitEntered();
        List<HistoryEvent> before = events(client, MaintenanceWorkflow.WORKFLOW_ID);

        WorkflowUpdateException unknown = assertThrows(
                WorkflowUpdateException.class,
                () -> wf.maintain(new MaintenanceRequest(List.of("public.orders"), false, "typo")));
        WorkflowUpdateException malformed = assertThrows(
                WorkflowUpdateException.class,
                () -> wf.maintain(new MaintenanceRequest(List.of("x; drop table y"), false, "injection")));

        assertTrue(
                Fixtures.messageChain(unknown)
                        .contains("table public.orders is not in the policy; known tables: "
                                + "public.transactions, billing.\"Billing Events\""),
                Fixtures.messageChain(unknown));
        assertTrue(
                Fixtures.messageChain(malformed).contains("is not a valid identifier"),
                Fixtures.messageChain(malformed));
        List<HistoryEvent> after = events(client, MaintenanceWorkflow.WORKFLOW_ID);
        // A real server drops the validator's (speculative) workflow task altogether; the Java test server
        // records it, empty. Either way: no update, signal, command or request reached history.
        List<EventType> added = after.subList(before.size(), after.size()).stream()
                .map(HistoryEvent::getEventType)
                .toList();
        assertTrue(
                added.stream()
                        .allMatch(t -> t == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED
                                || t == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
                                || t == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
                () -> "new events: " + added);
        assertFalse(after.stream().anyMatch(e -> e.getEventType().name().contains("UPDATE")), after::toString);
        assertFalse(
                after.toString().contains("public.orders") || after.toString().contains("drop table"));
        assertEquals(0, wf.status().queuedRequests());
        gate.open();
        MaintenanceReport report = result(client, MaintenanceWorkflow.WORKFLOW_ID);
        assertFalse(report.failed());
        assertEquals(2, report.tables().size());
    }

    @Test
    void queryDuringALongStepShowsTheTableItsStepAndThePlan(TestWorkflowEnvironment env, Worker worker)
            throws Exception {
        gate.blockFirstCreate(partitions);
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow wf = attach(client, MaintenanceWorkflow.WORKFLOW_ID);
        signalWithStart(client, worker.getTaskQueue(), MaintenanceRequest.all("operator: now"));
        gate.awaitEntered();

        MaintenanceStatus running = awaitStatus(wf, s -> !s.current().isEmpty());
        assertEquals(MaintenanceStatus.RUNNING, running.phase());
        assertEquals(Visibility.TRIGGER_DIRECT, running.trigger());
        assertEquals(
                List.of("public.transactions"),
                running.current().stream().map(t -> t.table()).toList());
        assertEquals(
                "partition-maintenance/public.transactions",
                running.current().get(0).workflowId());
        assertEquals(
                MaintenanceStatus.TableState.QUEUED,
                table(running, "billing.\"Billing Events\"").state());
        // what the table's workflow reports at each step start (rows/bytes come from long steps' heartbeats)
        List<String> plan = List.of("finalize detach transactions_p2025_10", CREATE_APR.summary());
        wf.tableProgress(new TableProgress("public.transactions", CREATE_APR.summary(), plan, 1, 1200, 65_536));
        MaintenanceStatus step = awaitStatus(wf, s -> s.current().get(0).step() != null);
        MaintenanceStatus.TableState t = step.current().get(0);
        assertEquals(CREATE_APR.summary(), t.step());
        assertEquals(plan, t.plan());
        assertEquals(1200, t.rows());
        assertEquals(65_536, t.bytes());
        assertNull(step.lastError());
        gate.open();
        result(client, MaintenanceWorkflow.WORKFLOW_ID);
        MaintenanceStatus after = wf.status();
        assertEquals(TableReport.OK, table(after, "public.transactions").state());
        assertEquals(4, table(after, "public.transactions").actionsDone());
    }

    @Test
    void signalNamingAnUnknownTableIsReportedAndTheRunServesTheOthers(TestWorkflowEnvironment env, Worker worker)
            throws Exception {
        gate.blockFirstCreate(partitions);
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow wf = attach(client, MaintenanceWorkflow.WORKFLOW_ID);
        signalWithStart(client, worker.getTaskQueue(), MaintenanceRequest.all("first"));
        gate.awaitEntered();
        signalWithStart(client, worker.getTaskQueue(), new MaintenanceRequest(List.of("public.orders"), false, "typo"));
        MaintenanceStatus during = awaitStatus(wf, s -> s.rejectedRequests() == 1);
        assertTrue(during.lastError().contains("table public.orders is not in the policy"), during::toString);
        assertEquals(0, during.queuedRequests());
        gate.open();

        MaintenanceReport report = result(client, MaintenanceWorkflow.WORKFLOW_ID);
        assertFalse(report.failed(), report::toString);
        assertEquals(
                List.of("public.transactions"),
                report.tables().stream().map(TableReport::table).toList());
        verify(partitions).verifyLayout(eq(TRANSACTIONS), anyLong());
        assertEquals(1, wf.status().completedPasses());
    }

    @Test
    void searchAttributesFollowTheRunWhenTheStarterSetThem(TestWorkflowEnvironment env, Worker worker) {
        Visibility.definitions().forEach(env::registerSearchAttribute);
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow wf = client.newWorkflowStub(
                MaintenanceWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(MaintenanceWorkflow.SCHEDULED_WORKFLOW_ID + "-2026-03-16T02:00:00Z")
                        .setTaskQueue(worker.getTaskQueue())
                        .setTypedSearchAttributes(Visibility.initial(Visibility.TRIGGER_SCHEDULE))
                        .setMemo(Visibility.memo(Visibility.TRIGGER_SCHEDULE, "partition-keeper.yaml"))
                        .build());

        wf.run(MaintenanceRequest.all("scheduled"), null);

        var described = client.newUntypedWorkflowStub(
                        MaintenanceWorkflow.SCHEDULED_WORKFLOW_ID + "-2026-03-16T02:00:00Z")
                .describe();
        assertEquals(TableReport.OK, described.getTypedSearchAttributes().get(Visibility.OUTCOME));
        assertEquals(
                List.of("public.transactions"),
                described.getTypedSearchAttributes().get(Visibility.TABLES));
        assertEquals(
                Visibility.TRIGGER_SCHEDULE,
                described.getTypedSearchAttributes().get(Visibility.TRIGGER));
        assertEquals("partition-keeper.yaml", described.getMemo(Visibility.MEMO_CONFIG, String.class));
        assertEquals(Visibility.TRIGGER_SCHEDULE, wf.status().trigger());
        // the table's child carries its table too, so a list filtered by table shows it next to the pass
        var child = client.newUntypedWorkflowStub(TableMaintenanceWorkflow.workflowId("public.transactions"))
                .describe();
        assertEquals(
                List.of("public.transactions"), child.getTypedSearchAttributes().get(Visibility.TABLES));
        assertEquals(
                Visibility.TRIGGER_SCHEDULE, child.getTypedSearchAttributes().get(Visibility.TRIGGER));
        assertEquals(
                IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
                Visibility.definitions().get(Visibility.TABLES.getName()));
    }

    @Test
    void drainedRunReplays(TestWorkflowEnvironment env, Worker worker) throws Exception {
        gate.blockFirstCreate(partitions);
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));
        WorkflowClient client = env.getWorkflowClient();
        signalWithStart(
                client, worker.getTaskQueue(), new MaintenanceRequest(List.of("public.transactions"), false, "a"));
        gate.awaitEntered();
        signalWithStart(client, worker.getTaskQueue(), MaintenanceRequest.all("b"));
        gate.open();
        result(client, MaintenanceWorkflow.WORKFLOW_ID);

        WorkflowExecutionHistory history = client.fetchHistory(MaintenanceWorkflow.WORKFLOW_ID);
        WorkflowReplayer.replayWorkflowExecution(history, MaintenanceWorkflowImpl.class);
        assertTrue(
                history.getEvents().stream().anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED),
                "table parallelism is recorded as a side effect");
    }

    /** What {@code maintain --wait} does. */
    static MaintenanceReport updateWithStart(WorkflowClient client, String taskQueue, MaintenanceRequest request) {
        MaintenanceWorkflow wf = client.newWorkflowStub(
                MaintenanceWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID)
                        .setTaskQueue(taskQueue)
                        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                        .build());
        WorkflowUpdateHandle<MaintenanceReport> handle = WorkflowClient.startUpdateWithStart(
                wf::maintain,
                request,
                UpdateOptions.<MaintenanceReport>newBuilder()
                        .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                        .build(),
                new WithStartWorkflowOperation<>(wf::run, (MaintenanceRequest) null, null));
        return handle.getResult();
    }

    /** Short names for the table states used above. */
    static final class TableReportState {
        static final String RUNNING = MaintenanceStatus.TableState.RUNNING;
    }
}

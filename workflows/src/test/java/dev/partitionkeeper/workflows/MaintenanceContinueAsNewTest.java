package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.ControlPlaneSupport.attach;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.awaitStatus;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.result;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.signalWithStart;
import static dev.partitionkeeper.workflows.Fixtures.BILLING_EVENTS;
import static dev.partitionkeeper.workflows.Fixtures.DETACH_NOV;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static dev.partitionkeeper.workflows.Fixtures.done;
import static dev.partitionkeeper.workflows.Fixtures.partitionActivities;
import static dev.partitionkeeper.workflows.Fixtures.policyActivities;
import static dev.partitionkeeper.workflows.Fixtures.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.partitionkeeper.workflows.ControlPlaneSupport.Gate;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionContinuedAsNewEventAttributes;
import io.temporal.client.BatchRequest;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A run that keeps receiving requests continues as new between passes instead of growing its history
 * without bound. The threshold is lowered to one event through the run's input, so every run continues
 * as soon as it has served a pass and requests are still queued.
 */
class MaintenanceContinueAsNewTest {

    @RegisterExtension
    static final TestWorkflowExtension testWorkflow = Fixtures.extension();

    /** Continue as new after every pass that leaves requests queued. */
    static final MaintenanceCarryOver EVERY_PASS = MaintenanceCarryOver.continuingAfter(1);

    final PartitionActivities partitions = partitionActivities();
    final Gate gate = new Gate();

    /** {@code maintain} as the CLI sends it, with the lowered threshold in the run's input. */
    private static WorkflowExecution signalWithStartLowThreshold(
            WorkflowClient client, String taskQueue, MaintenanceRequest request) {
        MaintenanceWorkflow wf = client.newWorkflowStub(
                MaintenanceWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID)
                        .setTaskQueue(taskQueue)
                        .setMemo(Visibility.memo(Visibility.TRIGGER_ON_DEMAND, "partition-keeper.yaml"))
                        .build());
        BatchRequest batch = client.newSignalWithStartRequest();
        batch.add(wf::run, (MaintenanceRequest) null, EVERY_PASS);
        batch.add(wf::requestMaintenance, request);
        return client.signalWithStart(batch);
    }

    /**
     * Starts the chain as {@code maintain} would, with the lowered threshold: the first request's pass is held
     * at its first create of public.transactions until the test opens the gate.
     */
    private WorkflowExecution startFirstPassBlocked(TestWorkflowEnvironment env, Worker worker)
            throws InterruptedException {
        gate.blockFirstCreate(partitions);
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));
        WorkflowExecution first = signalWithStartLowThreshold(
                env.getWorkflowClient(),
                worker.getTaskQueue(),
                new MaintenanceRequest(List.of("public.transactions"), false, "first"));
        gate.awaitEntered();
        return first;
    }

    @Test
    void requestsKeepArrivingAndTheRunContinuesAsNewWithoutLosingOne(TestWorkflowEnvironment env, Worker worker)
            throws Exception {
        WorkflowExecution first = startFirstPassBlocked(env, worker);
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow wf = attach(client, MaintenanceWorkflow.WORKFLOW_ID);
        signalWithStart(
                client,
                worker.getTaskQueue(),
                new MaintenanceRequest(List.of("billing.\"Billing Events\""), false, "second"));
        signalWithStart(client, worker.getTaskQueue(), new MaintenanceRequest(List.of(), true, "third, dry run"));
        signalWithStart(
                client, worker.getTaskQueue(), new MaintenanceRequest(List.of("public.transactions"), false, "fourth"));
        awaitStatus(wf, s -> s.queuedRequests() == 3);
        gate.open();
        MaintenanceReport last = result(client, MaintenanceWorkflow.WORKFLOW_ID);

        List<WorkflowExecutionHistory> runs = chain(client, first);
        assertEquals(3, runs.size(), "run 1: first; run 2: second + fourth; run 3: the dry run");
        MaintenanceCarryOver toSecond = carried(runs.get(0));
        assertEquals(
                List.of("second", "third, dry run", "fourth"),
                toSecond.queued().stream().map(MaintenanceRequest::reason).toList());
        assertEquals(1, toSecond.completedPasses());
        assertEquals(List.of("public.transactions"), toSecond.touchedTables());
        assertEquals(1, toSecond.continueAsNewAfterEvents(), "the lowered threshold stays with the chain");
        assertEquals(
                List.of("third, dry run"),
                carried(runs.get(1)).queued().stream()
                        .map(MaintenanceRequest::reason)
                        .toList());
        // each run started from the one before, with no request of its own and the starter's memo
        for (WorkflowExecutionHistory run : runs.subList(1, runs.size())) {
            var started = run.getEvents().get(0).getWorkflowExecutionStartedEventAttributes();
            assertFalse(started.getContinuedExecutionRunId().isEmpty());
            assertTrue(started.getMemo().getFieldsMap().containsKey(Visibility.MEMO_CONFIG), started::toString);
        }

        // every request served exactly once: transactions in passes 1, 2 and the dry run; billing in 2 and 3
        // (plus one: in pass 2, transactions' child waited out the hand-over to other passes and planned again)
        verify(partitions, times(4)).plan(eq(TRANSACTIONS), anyLong());
        verify(partitions, times(2)).plan(eq(BILLING_EVENTS), anyLong());
        assertTrue(last.dryRun());
        assertEquals("third, dry run", last.reason());
        assertEquals(
                List.of("public.transactions", "billing.\"Billing Events\""),
                last.tables().stream().map(TableReport::table).toList());
        MaintenanceStatus status = wf.status();
        assertEquals(3, status.completedPasses(), "passes are counted over the chain");
        assertEquals(Visibility.TRIGGER_ON_DEMAND, status.trigger());
        assertEquals(MaintenanceStatus.DONE, status.phase());

        for (WorkflowExecutionHistory run : runs) {
            WorkflowReplayer.replayWorkflowExecution(run, MaintenanceWorkflowImpl.class);
        }
    }

    @Test
    void anAcceptedUpdateIsAnsweredByItsOwnRunBeforeItContinues(TestWorkflowEnvironment env, Worker worker)
            throws Exception {
        WorkflowExecution first = startFirstPassBlocked(env, worker);
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow wf = attach(client, MaintenanceWorkflow.WORKFLOW_ID);

        WorkflowUpdateHandle<MaintenanceReport> update = WorkflowClient.startUpdate(
                wf::maintain,
                new MaintenanceRequest(List.of("billing.\"Billing Events\""), false, "operator: --wait"),
                UpdateOptions.<MaintenanceReport>newBuilder()
                        .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                        .build());
        signalWithStart(client, worker.getTaskQueue(), new MaintenanceRequest(List.of(), true, "later, dry run"));
        awaitStatus(wf, s -> s.queuedRequests() == 2);
        gate.open();

        MaintenanceReport answer = update.getResult();
        assertEquals("operator: --wait", answer.reason());
        assertEquals(
                List.of("billing.\"Billing Events\""),
                answer.tables().stream().map(TableReport::table).toList());
        MaintenanceReport last = result(client, MaintenanceWorkflow.WORKFLOW_ID);
        assertTrue(last.dryRun());

        List<WorkflowExecutionHistory> runs = chain(client, first);
        assertEquals(2, runs.size());
        // the first run served the update (a second pass) before it continued; only the signal was carried
        assertTrue(runs.get(0).getEvents().stream()
                .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED));
        assertEquals(
                List.of("later, dry run"),
                carried(runs.get(0)).queued().stream()
                        .map(MaintenanceRequest::reason)
                        .toList());
        assertEquals(2, carried(runs.get(0)).completedPasses());
        for (WorkflowExecutionHistory run : runs) {
            WorkflowReplayer.replayWorkflowExecution(run, MaintenanceWorkflowImpl.class);
        }
    }

    @Test
    void aTableThatFailedInAnEarlierRunFailsTheRunThatEndsTheChain(TestWorkflowEnvironment env, Worker worker)
            throws Exception {
        doAnswer(inv -> {
                    throw ApplicationFailure.newNonRetryableFailure("name taken", Failures.CATALOG_CONFLICT);
                })
                .doAnswer(inv -> done(inv.<PlannedAction>getArgument(1)))
                .when(partitions)
                .detachPartition(TRANSACTIONS, DETACH_NOV);
        WorkflowExecution first = startFirstPassBlocked(env, worker);
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow wf = attach(client, MaintenanceWorkflow.WORKFLOW_ID);
        signalWithStart(
                client,
                worker.getTaskQueue(),
                new MaintenanceRequest(List.of("billing.\"Billing Events\""), false, "second"));
        awaitStatus(wf, s -> s.queuedRequests() == 1);
        gate.open();

        WorkflowFailedException e =
                assertThrows(WorkflowFailedException.class, () -> result(client, MaintenanceWorkflow.WORKFLOW_ID));
        List<WorkflowExecutionHistory> runs = chain(client, first);
        assertEquals(2, runs.size());
        MaintenanceCarryOver handed = carried(runs.get(0));
        assertEquals(1, handed.failures().size());
        assertEquals("name taken", handed.failures().get(0).error());
        MaintenanceReport report = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApplicationFailure af && Failures.PASS_FAILED.equals(af.getType())) {
                report = af.getDetails().get(MaintenanceReport.class);
            }
        }
        assertTrue(report != null, () -> "no PassFailed report in " + Fixtures.messageChain(e));
        assertEquals(
                List.of("public.transactions", "billing.\"Billing Events\""),
                report.tables().stream().map(TableReport::table).toList());
        assertEquals(TableReport.FAILED, report.tables().get(0).status());
        assertFalse(TableReport.FAILED.equals(report.tables().get(1).status()));
        assertTrue(
                wf.status().lastError().contains("name taken"),
                () -> wf.status().toString());
    }

    @Test
    void startersThatSendOnlyTheRequestStillStartARun(TestWorkflowEnvironment env, Worker worker) {
        // Schedules created before the run took a second argument, and `temporal workflow start --input`
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        WorkflowStub untyped = env.getWorkflowClient()
                .newUntypedWorkflowStub(
                        "PartitionMaintenance",
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(MaintenanceWorkflow.SCHEDULED_WORKFLOW_ID + "-old")
                                .setTaskQueue(worker.getTaskQueue())
                                .build());

        untyped.start(MaintenanceRequest.all("scheduled"));

        MaintenanceReport report = untyped.getResult(MaintenanceReport.class);
        assertEquals("scheduled", report.reason());
        assertEquals(
                List.of("public.transactions"),
                report.tables().stream().map(TableReport::table).toList());
    }

    @Test
    void aNegativeThresholdIsRefused(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        MaintenanceWorkflow wf = Fixtures.maintenanceWorkflow(env, worker);

        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> wf.run(MaintenanceRequest.all("test"), MaintenanceCarryOver.continuingAfter(-5)));
        assertTrue(
                Fixtures.messageChain(e)
                        .contains("continueAsNewAfterEvents must be 0 (the default, 10000) or more," + " got: -5"),
                Fixtures.messageChain(e));
    }

    /** Every run of the chain that starts with {@code first}, oldest first. */
    private static List<WorkflowExecutionHistory> chain(WorkflowClient client, WorkflowExecution first) {
        List<WorkflowExecutionHistory> runs = new ArrayList<>();
        String runId = first.getRunId();
        while (runId != null) {
            WorkflowExecutionHistory h = client.fetchHistory(first.getWorkflowId(), runId);
            runs.add(h);
            HistoryEvent close = h.getLastEvent();
            runId = close.hasWorkflowExecutionContinuedAsNewEventAttributes()
                    ? close.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
                    : null;
        }
        return runs;
    }

    /** What a run handed to the next one. */
    private static MaintenanceCarryOver carried(WorkflowExecutionHistory run) {
        WorkflowExecutionContinuedAsNewEventAttributes can =
                run.getLastEvent().getWorkflowExecutionContinuedAsNewEventAttributes();
        return DefaultDataConverter.newDefaultInstance()
                .fromPayloads(1, Optional.of(can.getInput()), MaintenanceCarryOver.class, MaintenanceCarryOver.class);
    }
}

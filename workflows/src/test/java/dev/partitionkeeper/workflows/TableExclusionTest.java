package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.ControlPlaneSupport.attach;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.awaitStatus;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.events;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.result;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.signalWithStart;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.stub;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.table;
import static dev.partitionkeeper.workflows.Fixtures.NOW;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static dev.partitionkeeper.workflows.Fixtures.done;
import static dev.partitionkeeper.workflows.Fixtures.partitionActivities;
import static dev.partitionkeeper.workflows.Fixtures.policyActivities;
import static dev.partitionkeeper.workflows.Fixtures.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;

import dev.partitionkeeper.workflows.ControlPlaneSupport.Gate;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.activity.Activity;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.stubbing.Answer;

/** A scheduled and an on-demand pass never work on the same table at once, and neither starves the other. */
class TableExclusionTest {
    static final String SCHEDULED = MaintenanceWorkflow.SCHEDULED_WORKFLOW_ID + "-2026-03-16T02:00:00Z";

    @RegisterExtension
    static final TestWorkflowExtension testWorkflow = Fixtures.extension();

    final PartitionActivities partitions = partitionActivities();
    final Gate gate = new Gate();
    /** Child run ID of every step on public.transactions, in the order the steps ran. */
    final List<String> steps = Collections.synchronizedList(new ArrayList<>());

    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();

    /** Tracks every step on public.transactions; the first create blocks at the gate, then does {@code first}. */
    private void trackTransactions(Answer<Object> first) {
        // planning in the pass's survey is a catalog read outside the table's exclusion; only a child's own
        // (re-)plan, under the exclusion, counts as a step on the table
        Answer<Object> plan = inv ->
                MaintenancePlanner.plan(Fixtures.catalogOf(TRANSACTIONS.table()), inv.<TablePolicy>getArgument(0), NOW);
        doAnswer(inv -> Activity.getExecutionContext()
                                .getInfo()
                                .getWorkflowId()
                                .equals(TableMaintenanceWorkflow.workflowId("public.transactions"))
                        ? tracked(plan).answer(inv)
                        : plan.answer(inv))
                .when(partitions)
                .plan(eq(TRANSACTIONS), anyLong());
        doAnswer(tracked(inv -> gate.pass(() -> {
                    try {
                        return first.answer(inv);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                })))
                .doAnswer(tracked(inv -> done(inv.<PlannedAction>getArgument(1))))
                .when(partitions)
                .createPartition(eq(TRANSACTIONS), any());
        doAnswer(tracked(inv -> done(inv.<PlannedAction>getArgument(1))))
                .when(partitions)
                .detachPartition(eq(TRANSACTIONS), any());
        doAnswer(tracked(inv -> Fixtures.GOOD_LAYOUT)).when(partitions).verifyLayout(eq(TRANSACTIONS), anyLong());
    }

    private Answer<Object> tracked(Answer<Object> inner) {
        return inv -> {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            steps.add(Activity.getExecutionContext().getInfo().getRunId());
            try {
                return inner.answer(inv);
            } finally {
                inFlight.decrementAndGet();
            }
        };
    }

    /** The child runs that worked on public.transactions, in order, each listed once per contiguous stretch. */
    private List<String> runOrder() {
        List<String> out = new ArrayList<>();
        synchronized (steps) {
            for (String run : steps) {
                if (out.isEmpty() || !out.get(out.size() - 1).equals(run)) {
                    out.add(run);
                }
            }
        }
        return out;
    }

    /** Run IDs of the children a pass started for public.transactions. */
    private static List<String> childRuns(WorkflowClient client, String workflowId) {
        return events(client, workflowId).stream()
                .filter(HistoryEvent::hasChildWorkflowExecutionStartedEventAttributes)
                .map(e -> e.getChildWorkflowExecutionStartedEventAttributes().getWorkflowExecution())
                .filter(ex -> ex.getWorkflowId().equals("partition-maintenance/public.transactions"))
                .map(ex -> ex.getRunId())
                .toList();
    }

    private static void startScheduled(WorkflowClient client, String taskQueue) {
        MaintenanceWorkflow scheduled = stub(client, SCHEDULED, taskQueue);
        WorkflowClient.start(scheduled::run, MaintenanceRequest.all("scheduled"), null);
    }

    @Test
    void scheduledAndOnDemandPassesForTheSameTableSerialize(TestWorkflowEnvironment env, Worker worker)
            throws Exception {
        trackTransactions(inv -> done(inv.<PlannedAction>getArgument(1)));
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        WorkflowClient client = env.getWorkflowClient();

        startScheduled(client, worker.getTaskQueue());
        gate.awaitEntered();
        signalWithStart(
                client,
                worker.getTaskQueue(),
                new MaintenanceRequest(List.of("public.transactions"), false, "operator: now"));
        MaintenanceStatus waiting = awaitStatus(
                attach(client, MaintenanceWorkflow.WORKFLOW_ID),
                s -> !s.tables().isEmpty() && table(s, "public.transactions").lockWaits() > 0);
        assertEquals(
                MaintenanceStatus.TableState.LOCKED,
                table(waiting, "public.transactions").state());
        gate.open();

        assertEquals(TableReport.OK, result(client, SCHEDULED).tables().get(0).status());
        assertEquals(
                TableReport.OK,
                result(client, MaintenanceWorkflow.WORKFLOW_ID).tables().get(0).status());
        assertEquals(1, maxInFlight.get(), "two steps on public.transactions ran at once");
        List<String> expected = new ArrayList<>(childRuns(client, SCHEDULED));
        expected.addAll(childRuns(client, MaintenanceWorkflow.WORKFLOW_ID));
        assertEquals(expected, runOrder(), "scheduled pass first, then the on-demand one, never interleaved");
    }

    @Test
    void aRunTakingATableAgainLetsTheWaitingPassGoFirst(TestWorkflowEnvironment env, Worker worker) throws Exception {
        trackTransactions(inv -> done(inv.<PlannedAction>getArgument(1)));
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow onDemand = attach(client, MaintenanceWorkflow.WORKFLOW_ID);

        signalWithStart(
                client, worker.getTaskQueue(), new MaintenanceRequest(List.of("public.transactions"), false, "1st"));
        gate.awaitEntered();
        startScheduled(client, worker.getTaskQueue());
        awaitStatus(
                attach(client, SCHEDULED),
                s -> !s.tables().isEmpty() && table(s, "public.transactions").lockWaits() > 0);
        signalWithStart(
                client, worker.getTaskQueue(), new MaintenanceRequest(List.of("public.transactions"), false, "2nd"));
        awaitStatus(onDemand, s -> s.queuedRequests() == 1);
        gate.open();

        result(client, MaintenanceWorkflow.WORKFLOW_ID);
        result(client, SCHEDULED);
        List<String> onDemandRuns = childRuns(client, MaintenanceWorkflow.WORKFLOW_ID);
        List<String> scheduledRuns = childRuns(client, SCHEDULED);
        assertEquals(2, onDemandRuns.size());
        assertEquals(
                List.of(onDemandRuns.get(0), scheduledRuns.get(0), onDemandRuns.get(1)),
                runOrder(),
                "the scheduled pass, waiting, gets the table between the on-demand run's two passes");
        assertEquals(1, maxInFlight.get());
    }

    @Test
    void theLockIsReleasedWhenTheHoldingPassFails(TestWorkflowEnvironment env, Worker worker) throws Exception {
        trackTransactions(inv -> {
            throw ApplicationFailure.newNonRetryableFailure("name taken", Failures.CATALOG_CONFLICT);
        });
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        WorkflowClient client = env.getWorkflowClient();

        startScheduled(client, worker.getTaskQueue());
        gate.awaitEntered();
        signalWithStart(client, worker.getTaskQueue(), MaintenanceRequest.all("operator: retry"));
        awaitStatus(
                attach(client, MaintenanceWorkflow.WORKFLOW_ID),
                s -> !s.tables().isEmpty() && table(s, "public.transactions").lockWaits() > 0);
        gate.open();

        WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> result(client, SCHEDULED));
        assertTrue(Fixtures.messageChain(failed).contains("name taken"), Fixtures.messageChain(failed));
        MaintenanceReport onDemand = result(client, MaintenanceWorkflow.WORKFLOW_ID);
        assertEquals(TableReport.OK, onDemand.tables().get(0).status());
        assertEquals(2, runOrder().size());
    }
}

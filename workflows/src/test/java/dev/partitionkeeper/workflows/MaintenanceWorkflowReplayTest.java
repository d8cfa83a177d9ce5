package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.Fixtures.BILLING_EVENTS;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static dev.partitionkeeper.workflows.Fixtures.maintenanceWorkflow;
import static dev.partitionkeeper.workflows.Fixtures.messageChain;
import static dev.partitionkeeper.workflows.Fixtures.partitionActivities;
import static dev.partitionkeeper.workflows.Fixtures.policyActivities;
import static dev.partitionkeeper.workflows.Fixtures.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Histories of real runs replay against the current code: a change that breaks determinism fails here. */
class MaintenanceWorkflowReplayTest {

    @RegisterExtension
    static final TestWorkflowExtension testWorkflow = Fixtures.extension();

    final PartitionActivities partitions = partitionActivities();

    @Test
    void passOverTwoTablesReplays(TestWorkflowEnvironment env, Worker worker) throws Exception {
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));
        maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null);

        assertEquals(2, replayAll(env.getWorkflowClient()));
    }

    @Test
    void dryRunReplays(TestWorkflowEnvironment env, Worker worker) throws Exception {
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        maintenanceWorkflow(env, worker).run(new MaintenanceRequest(List.of(), true, "dry run"), null);

        // the survey's plans are a dry run's report: no child
        assertEquals(0, replayAll(env.getWorkflowClient()));
    }

    @Test
    void failedPassReplays(TestWorkflowEnvironment env, Worker worker) throws Exception {
        doThrow(ApplicationFailure.newNonRetryableFailure("name taken", Failures.CATALOG_CONFLICT))
                .when(partitions)
                .detachPartition(any(), any());
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        assertThrows(
                WorkflowFailedException.class,
                () -> maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null));

        assertEquals(1, replayAll(env.getWorkflowClient()));
    }

    @Test
    void replayNoticesAChangedStepOrder(TestWorkflowEnvironment env, Worker worker) throws Exception {
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null);
        WorkflowExecutionHistory child =
                env.getWorkflowClient().fetchHistory(TableMaintenanceWorkflow.workflowId("public.transactions"));

        // proves the replays above would fail on a non-deterministic change
        Exception e =
                assertThrows(Exception.class, () -> WorkflowReplayer.replayWorkflowExecution(child, VerifyFirst.class));
        assertTrue(
                messageChain(e).contains("nondeterministic") || messageChain(e).contains("NonDeterministic"),
                messageChain(e));
    }

    /** The per-table workflow with its steps reordered: verify before planning. */
    public static class VerifyFirst implements TableMaintenanceWorkflow {
        @Override
        public TableReport maintain(TableMaintenanceRequest request) {
            PartitionActivities acts = Workflow.newActivityStub(PartitionActivities.class, StepOptions.read("verify"));
            acts.verifyLayout(request.policy(), Workflow.currentTimeMillis());
            acts.plan(request.policy(), Workflow.currentTimeMillis());
            return null;
        }

        @Override
        public TableProgress progress() {
            return null;
        }
    }

    /** Replays the parent and every child it started; returns the number of children. */
    private static int replayAll(WorkflowClient client) throws Exception {
        WorkflowExecutionHistory parent = client.fetchHistory(MaintenanceWorkflow.WORKFLOW_ID);
        WorkflowReplayer.replayWorkflowExecution(parent, MaintenanceWorkflowImpl.class);
        List<String> children = parent.getEvents().stream()
                .filter(HistoryEvent::hasStartChildWorkflowExecutionInitiatedEventAttributes)
                .map(e -> e.getStartChildWorkflowExecutionInitiatedEventAttributes()
                        .getWorkflowId())
                .toList();
        for (String child : children) {
            WorkflowReplayer.replayWorkflowExecution(client.fetchHistory(child), TableMaintenanceWorkflowImpl.class);
        }
        return children.size();
    }
}

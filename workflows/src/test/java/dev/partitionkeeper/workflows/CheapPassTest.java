package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.ControlPlaneSupport.events;
import static dev.partitionkeeper.workflows.Fixtures.BILLING_EVENTS;
import static dev.partitionkeeper.workflows.Fixtures.GOOD_LAYOUT;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static dev.partitionkeeper.workflows.Fixtures.maintenanceWorkflow;
import static dev.partitionkeeper.workflows.Fixtures.partitionActivities;
import static dev.partitionkeeper.workflows.Fixtures.policyActivities;
import static dev.partitionkeeper.workflows.Fixtures.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cheap pass (issue 15): a table with nothing to do costs no child workflow and no activity of its own,
 * only tables with actions get a child, and no step adds a history event to the pass.
 */
class CheapPassTest {
    @RegisterExtension
    static final TestWorkflowExtension testWorkflow = Fixtures.extension();

    final PartitionActivities partitions = partitionActivities();

    static final LayoutReport SHORT_RUNWAY =
            new LayoutReport(false, 1, "2026-05-01", 5, 0, List.of("runway 1 of premake 2"));

    private void nothingToDo(TablePolicy policy) {
        doReturn(new MaintenancePlan(policy.table(), "created_at", KeyType.TIMESTAMPTZ, 0, List.of(), List.of(), 2))
                .when(partitions)
                .plan(eq(policy), anyLong());
    }

    private static List<String> activities(List<HistoryEvent> events) {
        return events.stream()
                .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
                .map(e -> e.getActivityTaskScheduledEventAttributes()
                        .getActivityType()
                        .getName())
                .toList();
    }

    private static long count(List<HistoryEvent> events, EventType type) {
        return events.stream().filter(e -> e.getEventType() == type).count();
    }

    @Test
    void nothingToDoTakesOneActivityPerDatabaseAndNoChild(TestWorkflowEnvironment env, Worker worker) throws Exception {
        nothingToDo(TRANSACTIONS);
        nothingToDo(BILLING_EVENTS);
        doReturn(SHORT_RUNWAY).when(partitions).verifyLayout(eq(BILLING_EVENTS), anyLong());
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));

        MaintenanceReport report = maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null);

        List<HistoryEvent> events = events(env.getWorkflowClient(), MaintenanceWorkflow.WORKFLOW_ID);
        assertEquals(
                List.of("PolicyLoad", "PartitionSurvey"),
                activities(events),
                "the policy, then one activity for the database's two tables");
        assertEquals(0, count(events, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED));
        assertEquals(0, count(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED));
        assertEquals(
                List.of("public.transactions", "billing.\"Billing Events\""),
                report.tables().stream().map(TableReport::table).toList());
        assertEquals(TableReport.OK, report.tables().get(0).status());
        assertEquals(GOOD_LAYOUT, report.tables().get(0).layout());
        assertEquals(TableReport.ATTENTION, report.tables().get(1).status(), "the layout checked by the survey counts");
        assertEquals(SHORT_RUNWAY, report.tables().get(1).layout());
        WorkflowReplayer.replayWorkflowExecution(
                env.getWorkflowClient().fetchHistory(MaintenanceWorkflow.WORKFLOW_ID), MaintenanceWorkflowImpl.class);
    }

    @Test
    void onlyATableWithActionsGetsAChildWhichRunsTheSurveyedPlanWithoutSignals(
            TestWorkflowEnvironment env, Worker worker) throws Exception {
        nothingToDo(BILLING_EVENTS);
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));

        MaintenanceReport report = maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null);

        WorkflowClient client = env.getWorkflowClient();
        List<HistoryEvent> pass = events(client, MaintenanceWorkflow.WORKFLOW_ID);
        assertEquals(List.of("PolicyLoad", "PartitionSurvey"), activities(pass));
        assertEquals(1, count(pass, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED));
        assertEquals(0, count(pass, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), "no progress signal per step");
        List<HistoryEvent> child = events(client, TableMaintenanceWorkflow.workflowId("public.transactions"));
        assertEquals(
                List.of("PartitionApplyDdl"),
                activities(child),
                "the surveyed plan, not planned again, its catalog changes and layout check in one activity");
        verify(partitions, times(2)).createPartition(eq(TRANSACTIONS), any());
        verify(partitions, times(1)).detachPartition(eq(TRANSACTIONS), any());
        verify(partitions, times(1)).finalizeDetach(eq(TRANSACTIONS), any());
        assertEquals(0, count(child, EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED));
        verify(partitions, times(1)).plan(eq(TRANSACTIONS), anyLong());
        verify(partitions, times(1)).verifyLayout(eq(BILLING_EVENTS), anyLong()); // by the survey, not by a child
        assertEquals(TableReport.OK, report.tables().get(0).status());
        assertEquals(4, report.tables().get(0).actions().size());
        assertEquals(TableReport.OK, report.tables().get(1).status());

        WorkflowExecutionHistory parent = client.fetchHistory(MaintenanceWorkflow.WORKFLOW_ID);
        WorkflowReplayer.replayWorkflowExecution(parent, MaintenanceWorkflowImpl.class);
        WorkflowReplayer.replayWorkflowExecution(
                client.fetchHistory(TableMaintenanceWorkflow.workflowId("public.transactions")),
                TableMaintenanceWorkflowImpl.class);
    }

    @Test
    void aTableThatCannotBePlannedFailsAloneWithoutAChild(TestWorkflowEnvironment env, Worker worker) {
        nothingToDo(BILLING_EVENTS);
        doThrow(ApplicationFailure.newNonRetryableFailure(
                        "table \"public.transactions\" is not range-partitioned", "InvalidPolicy"))
                .when(partitions)
                .plan(eq(TRANSACTIONS), anyLong());
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));

        Exception e = assertThrows(
                Exception.class, () -> maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null));

        assertTrue(Fixtures.messageChain(e).contains("is not range-partitioned"), Fixtures.messageChain(e));
        List<HistoryEvent> pass = events(env.getWorkflowClient(), MaintenanceWorkflow.WORKFLOW_ID);
        assertEquals(0, count(pass, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED));
        verify(partitions).verifyLayout(eq(BILLING_EVENTS), anyLong());
    }

    @Test
    void aSurveyThatKeepsFailingFailsEveryTableWithItsReason(TestWorkflowEnvironment env, Worker worker) {
        doThrow(new IllegalStateException("connection refused"))
                .when(partitions)
                .plan(eq(TRANSACTIONS), anyLong());
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));

        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null));

        ApplicationFailure pass = (ApplicationFailure) e.getCause();
        assertEquals(Failures.PASS_FAILED, pass.getType());
        MaintenanceReport report = pass.getDetails().get(MaintenanceReport.class);
        assertEquals(
                List.of(TableReport.FAILED, TableReport.FAILED),
                report.tables().stream().map(TableReport::status).toList());
        assertTrue(report.tables().get(1).error().contains("connection refused"), report::toString);
        List<HistoryEvent> events = events(env.getWorkflowClient(), MaintenanceWorkflow.WORKFLOW_ID);
        assertEquals(List.of("PolicyLoad", "PartitionSurvey"), activities(events), "one survey, retried by Temporal");
        assertEquals(0, count(events, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED));
    }
}

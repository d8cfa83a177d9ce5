package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.ControlPlaneSupport.events;
import static dev.partitionkeeper.workflows.Fixtures.NOW;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static dev.partitionkeeper.workflows.Fixtures.maintenanceWorkflow;
import static dev.partitionkeeper.workflows.Fixtures.partitionActivities;
import static dev.partitionkeeper.workflows.Fixtures.policyActivities;
import static dev.partitionkeeper.workflows.Fixtures.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;

import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A fleet pass on the SDK's test server with stand-in activities: one child per database, each running the cheap
 * pass; nothing to do costs one activity per database (its survey), read from the histories; a database whose
 * survey fails fails its own tables only.
 */
class FleetPassWorkflowTest {
    @RegisterExtension
    static final TestWorkflowExtension testWorkflow = TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(
                    MaintenanceWorkflowImpl.class, TableMaintenanceWorkflowImpl.class, DatabasePassWorkflowImpl.class)
            .setInitialTime(NOW)
            .setDoNotStart(true)
            .build();

    static final List<String> DATABASES = List.of("tenant_1", "tenant_2", "tenant_3");
    static final TablePolicy[] FLEET =
            DATABASES.stream().map(TRANSACTIONS::withDatabase).toArray(TablePolicy[]::new);

    final PartitionActivities partitions = partitionActivities();

    private void nothingToDo() {
        doReturn(new MaintenancePlan(
                        TRANSACTIONS.table(), "created_at", KeyType.TIMESTAMPTZ, 0, List.of(), List.of(), 2))
                .when(partitions)
                .plan(argThat(p -> p != null && p.database() != null), anyLong());
    }

    private static List<String> activities(List<HistoryEvent> events) {
        return events.stream()
                .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
                .map(e -> e.getActivityTaskScheduledEventAttributes()
                        .getActivityType()
                        .getName())
                .toList();
    }

    private static List<String> children(List<HistoryEvent> events) {
        return events.stream()
                .filter(HistoryEvent::hasStartChildWorkflowExecutionInitiatedEventAttributes)
                .map(e -> e.getStartChildWorkflowExecutionInitiatedEventAttributes()
                        .getWorkflowId())
                .toList();
    }

    @Test
    void nothingToDoTakesOneActivityPerDatabase(TestWorkflowEnvironment env, Worker worker) throws Exception {
        nothingToDo();
        start(env, worker, partitions, policyActivities(FLEET));

        MaintenanceReport report = maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null);

        WorkflowClient client = env.getWorkflowClient();
        List<HistoryEvent> pass = events(client, MaintenanceWorkflow.WORKFLOW_ID);
        assertEquals(List.of("PolicyLoad"), activities(pass), "the pass itself loads the policy only");
        assertEquals(
                DATABASES.stream()
                        .map(db -> DatabasePassWorkflow.workflowId(MaintenanceWorkflow.WORKFLOW_ID, db))
                        .toList(),
                children(pass),
                "one child per database");
        for (String db : DATABASES) {
            List<HistoryEvent> part =
                    events(client, DatabasePassWorkflow.workflowId(MaintenanceWorkflow.WORKFLOW_ID, db));
            assertEquals(List.of("PartitionSurvey"), activities(part), db);
            assertEquals(List.of(), children(part), db + ": no table has work, so no table child");
        }
        assertEquals(
                List.of("tenant_1/public.transactions", "tenant_2/public.transactions", "tenant_3/public.transactions"),
                report.tables().stream().map(TableReport::table).toList());
        assertTrue(report.tables().stream().allMatch(r -> TableReport.OK.equals(r.status())), report::toString);
        WorkflowReplayer.replayWorkflowExecution(
                client.fetchHistory(MaintenanceWorkflow.WORKFLOW_ID), MaintenanceWorkflowImpl.class);
        WorkflowReplayer.replayWorkflowExecution(
                client.fetchHistory(DatabasePassWorkflow.workflowId(MaintenanceWorkflow.WORKFLOW_ID, "tenant_2")),
                DatabasePassWorkflowImpl.class);
    }

    @Test
    void aDatabaseWhoseSurveyFailsFailsItsTablesAloneAndTablesWithWorkGetTheirDatabasesChild(
            TestWorkflowEnvironment env, Worker worker) {
        doThrow(ApplicationFailure.newFailure("connection refused by tenant_2", "SQLException"))
                .when(partitions)
                .plan(argThat(p -> p != null && "tenant_2".equals(p.database())), anyLong());
        start(env, worker, partitions, policyActivities(FLEET));

        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null));
        ApplicationFailure f = (ApplicationFailure) e.getCause();
        MaintenanceReport report = f.getDetails().get(MaintenanceReport.class);
        assertEquals(3, report.tables().size());
        assertEquals(TableReport.FAILED, report.tables().get(1).status());
        assertTrue(report.tables().get(1).error().contains("connection refused by tenant_2"), report::toString);
        assertTrue(
                f.getOriginalMessage()
                        .startsWith("maintenance failed for database tenant_2 (1 table(s) failed):"
                                + " tenant_2/public.transactions: "),
                f::getOriginalMessage);
        for (int i : new int[] {0, 2}) {
            TableReport r = report.tables().get(i);
            assertEquals(TableReport.OK, r.status(), r::toString);
            assertTrue(!r.actions().isEmpty(), () -> "the plan's actions ran: " + r);
        }
        List<HistoryEvent> tenant1 = events(
                env.getWorkflowClient(), DatabasePassWorkflow.workflowId(MaintenanceWorkflow.WORKFLOW_ID, "tenant_1"));
        assertEquals(
                List.of(TableMaintenanceWorkflow.workflowId("tenant_1/public.transactions")),
                children(tenant1),
                "the table's child and lock: partition-maintenance/<database>/<table>");
    }
}

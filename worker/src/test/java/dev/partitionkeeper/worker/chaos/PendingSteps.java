package dev.partitionkeeper.worker.chaos;

import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.List;

/** Which steps a pass has in flight, from the server: what a SIGKILL interrupted, for the test's log. */
final class PendingSteps {
    private PendingSteps() {}

    static List<String> of(WorkflowClient client) {
        List<String> steps = new ArrayList<>();
        for (String t : ChaosTables.TABLES) {
            String id = MaintenanceWorkflow.WORKFLOW_ID + "/public." + t;
            try {
                DescribeWorkflowExecutionResponse d = client.getWorkflowServiceStubs()
                        .blockingStub()
                        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                                .setNamespace(client.getOptions().getNamespace())
                                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                                .build());
                if (d.getWorkflowExecutionInfo().getStatusValue() != 1) { // 1 = running
                    continue;
                }
                d.getPendingActivitiesList()
                        .forEach(a -> steps.add(t + ":" + a.getActivityType().getName() + "#" + a.getAttempt() + "/"
                                + a.getState()
                                        .name()
                                        .replace("PENDING_ACTIVITY_STATE_", "")
                                        .toLowerCase()));
                if (d.getPendingActivitiesCount() == 0) {
                    steps.add(t + ":workflow-task");
                }
            } catch (RuntimeException e) {
                // not started yet, or gone
            }
        }
        return steps;
    }
}

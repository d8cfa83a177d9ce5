package dev.partitionkeeper.worker.chaos;

import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Evidence that a fault was felt: steps the server reports as pending on a second or later attempt, with
 * the failure of the attempt before (e.g. {@code ArchiveExport#3 ArchiveStoreUnavailable: ...}).
 */
public final class FaultProbe {
    private final WorkflowClient client;
    private final Set<String> retried = new LinkedHashSet<>();
    private int maxAttempt;

    FaultProbe(WorkflowClient client) {
        this.client = client;
    }

    void look() {
        for (String t : ChaosTables.TABLES) {
            try {
                var d = client.getWorkflowServiceStubs()
                        .blockingStub()
                        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                                .setNamespace(client.getOptions().getNamespace())
                                .setExecution(WorkflowExecution.newBuilder()
                                        .setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID + "/public." + t))
                                .build());
                d.getPendingActivitiesList().forEach(a -> {
                    if (a.getAttempt() > 1 && a.hasLastFailure()) {
                        maxAttempt = Math.max(maxAttempt, a.getAttempt());
                        String type = a.getLastFailure().hasApplicationFailureInfo()
                                ? a.getLastFailure().getApplicationFailureInfo().getType()
                                : "timeout";
                        String msg = a.getLastFailure().getMessage();
                        retried.add(t + ":" + a.getActivityType().getName() + " " + type + ": "
                                + (msg.length() > 160 ? msg.substring(0, 160) + "…" : msg));
                    }
                });
            } catch (RuntimeException e) {
                // not started yet, or gone
            }
        }
    }

    public int maxAttempt() {
        return maxAttempt;
    }

    public Set<String> retried() {
        return retried;
    }
}

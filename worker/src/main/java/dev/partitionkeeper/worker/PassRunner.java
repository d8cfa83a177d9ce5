package dev.partitionkeeper.worker;

import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.Optional;

/** Starts a maintenance pass through the client and waits for its report. */
public final class PassRunner {
    public static final Duration PASS_TIMEOUT = Duration.ofHours(6);

    private PassRunner() {}

    public static MaintenanceReport run(WorkflowClient client, String taskQueue, MaintenanceRequest request) {
        MaintenanceWorkflow wf = client.newWorkflowStub(
                MaintenanceWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID)
                        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                        .setTaskQueue(taskQueue)
                        .setWorkflowExecutionTimeout(PASS_TIMEOUT)
                        .build());
        return wf.run(request, null);
    }

    /** The report carried by a failed pass (tables that failed and those that did not), if any. */
    public static Optional<MaintenanceReport> reportOf(WorkflowFailedException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApplicationFailure af && Failures.PASS_FAILED.equals(af.getType())) {
                try {
                    return Optional.ofNullable(af.getDetails().get(MaintenanceReport.class));
                } catch (RuntimeException ignored) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}

package dev.partitionkeeper.worker.schedule;

import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceStatus;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.Visibility;
import io.grpc.Status;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.BatchRequest;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;

/**
 * On-demand maintenance through the well-known workflow ID {@link MaintenanceWorkflow#WORKFLOW_ID}: a
 * request starts a pass when none runs there and joins the running one otherwise.
 */
public final class MaintenanceClient {
    private final WorkflowClient client;
    private final String taskQueue;
    private final String configSource;
    private final boolean searchAttributes;

    /**
     * @param searchAttributes the server has our search attributes ({@link SearchAttributeSetup}); then
     *     runs started here carry them
     */
    public MaintenanceClient(WorkflowClient client, String taskQueue, String configSource, boolean searchAttributes) {
        this.client = client;
        this.taskQueue = taskQueue;
        this.configSource = configSource;
        this.searchAttributes = searchAttributes;
    }

    /**
     * Where a request went.
     *
     * @param joined a run was already going (the request runs after its current pass); false: a new run
     */
    public record Sent(String workflowId, String runId, boolean joined) {}

    /** Sends the {@code requestMaintenance} signal with signal-with-start. */
    public Sent request(MaintenanceRequest request) {
        boolean running = running();
        MaintenanceWorkflow wf = client.newWorkflowStub(MaintenanceWorkflow.class, options(false));
        BatchRequest batch = client.newSignalWithStartRequest();
        batch.add(wf::run, (MaintenanceRequest) null, null);
        batch.add(wf::requestMaintenance, request);
        WorkflowExecution ex = client.signalWithStart(batch);
        return new Sent(ex.getWorkflowId(), ex.getRunId(), running);
    }

    /**
     * Sends the {@code maintain} update with update-with-start and waits for the report of the pass that
     * served it. A request the workflow's validator rejects fails here with its reasons and leaves no trace
     * in the history of a running pass.
     */
    public MaintenanceReport requestAndWait(MaintenanceRequest request) {
        try {
            return updateWithStart(request);
        } catch (RuntimeException e) {
            // the run completed between our start and our update: the next attempt starts a new one
            if (TemporalErrors.is(e, Status.Code.NOT_FOUND)) {
                return updateWithStart(request);
            }
            throw e;
        }
    }

    private MaintenanceReport updateWithStart(MaintenanceRequest request) {
        MaintenanceWorkflow wf = client.newWorkflowStub(MaintenanceWorkflow.class, options(true));
        WorkflowUpdateHandle<MaintenanceReport> handle = WorkflowClient.startUpdateWithStart(
                wf::maintain,
                request,
                UpdateOptions.<MaintenanceReport>newBuilder()
                        .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                        .build(),
                new WithStartWorkflowOperation<>(wf::run, (MaintenanceRequest) null, null));
        return handle.getResult();
    }

    /** The {@code status} query of the on-demand run (or of {@code workflowId}). */
    public MaintenanceStatus status(String workflowId) {
        return client.newWorkflowStub(MaintenanceWorkflow.class, workflowId).status();
    }

    private WorkflowOptions options(boolean useExisting) {
        WorkflowOptions.Builder o = WorkflowOptions.newBuilder()
                .setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID)
                .setTaskQueue(taskQueue)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setMemo(Visibility.memo(Visibility.TRIGGER_ON_DEMAND, configSource))
                .setStaticSummary("on-demand maintenance");
        if (useExisting) {
            o.setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING);
        }
        if (searchAttributes) {
            o.setTypedSearchAttributes(Visibility.initial(Visibility.TRIGGER_ON_DEMAND));
        }
        return o.build();
    }

    private boolean running() {
        try {
            return client.getWorkflowServiceStubs()
                            .blockingStub()
                            .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                                    .setNamespace(client.getOptions().getNamespace())
                                    .setExecution(WorkflowExecution.newBuilder()
                                            .setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID))
                                    .build())
                            .getWorkflowExecutionInfo()
                            .getStatus()
                    == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
        } catch (RuntimeException e) {
            if (TemporalErrors.is(e, Status.Code.NOT_FOUND)) {
                return false;
            }
            throw e;
        }
    }
}

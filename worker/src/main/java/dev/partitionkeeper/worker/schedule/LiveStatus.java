package dev.partitionkeeper.worker.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.partitionkeeper.workflows.MaintenanceStatus;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.TableMaintenanceWorkflow;
import dev.partitionkeeper.workflows.TableProgress;
import io.grpc.Status;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DataConverter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What running passes are doing now: each open run's {@code status} query (tables, plan, last error),
 * and for every table in a step the step's activity as the server sees it: type, attempt, last failure
 * and last heartbeat (rows and bytes of a long export, or what a DDL step is waiting for).
 */
public final class LiveStatus {
    private final WorkflowClient client;
    private final DataConverter converter;

    public LiveStatus(WorkflowClient client) {
        this.client = client;
        this.converter = client.getOptions().getDataConverter();
    }

    /**
     * One step of one table, live.
     *
     * @param activity the step's activity type, e.g. {@code PartitionCreatePartition}
     * @param state {@code scheduled}, {@code started}, ...
     * @param heartbeat the last heartbeat's details as text, null when none
     * @param rows rows reported by the last heartbeat, null when it said none
     * @param bytes bytes reported by the last heartbeat, null when it said none
     * @param lastFailure why the previous attempt failed, null when none did
     */
    public record LiveStep(
            String table,
            String workflowId,
            String activity,
            String state,
            int attempt,
            String heartbeat,
            Long rows,
            Long bytes,
            String lastFailure) {}

    /** One open run; {@code status} is null when the run cannot answer yet ({@code note} says why). */
    public record LivePass(
            String workflowId, String runId, MaintenanceStatus status, List<LiveStep> steps, String note) {}

    public List<LivePass> running() {
        List<LivePass> out = new ArrayList<>();
        for (WorkflowExecutionInfo info : new PassHistory(client).open()) {
            out.add(pass(info.getExecution()));
        }
        return out;
    }

    LivePass pass(WorkflowExecution ex) {
        MaintenanceStatus status;
        try {
            status = client.newWorkflowStub(MaintenanceWorkflow.class, ex.getWorkflowId(), Optional.of(ex.getRunId()))
                    .status();
        } catch (RuntimeException e) {
            // a cron run waiting for its time has not run a workflow task and answers no query
            String note = MaintenanceWorkflow.CRON_WORKFLOW_ID.equals(ex.getWorkflowId())
                    ? "waiting for its cron time"
                    : "cannot answer yet: " + firstLine(e);
            return new LivePass(ex.getWorkflowId(), ex.getRunId(), null, List.of(), note);
        }
        status = withSteps(status);
        List<LiveStep> steps = new ArrayList<>();
        for (MaintenanceStatus.TableState t : status.current()) {
            steps.addAll(steps(t.table(), t.workflowId()));
        }
        return new LivePass(ex.getWorkflowId(), ex.getRunId(), status, steps, null);
    }

    /**
     * Fills in the step, plan and actions done of each running table from its workflow's {@code progress}
     * query: a pass of the cheap-pass code is not sent a signal per step, so its own status leaves them out.
     */
    private MaintenanceStatus withSteps(MaintenanceStatus s) {
        List<MaintenanceStatus.TableState> tables = new ArrayList<>();
        for (MaintenanceStatus.TableState t : s.tables()) {
            TableProgress p = null;
            if (MaintenanceStatus.TableState.RUNNING.equals(t.state()) && t.step() == null && t.workflowId() != null) {
                try {
                    p = client.newWorkflowStub(TableMaintenanceWorkflow.class, t.workflowId())
                            .progress();
                } catch (RuntimeException e) {
                    // an older table workflow has no such query, a closing one may not answer: the status stays as it
                    // is
                }
            }
            tables.add(
                    p == null
                            ? t
                            : new MaintenanceStatus.TableState(
                                    t.table(),
                                    t.state(),
                                    p.step(),
                                    t.workflowId(),
                                    p.plan().isEmpty() ? t.plan() : p.plan(),
                                    p.actionsDone(),
                                    t.rows(),
                                    t.bytes(),
                                    t.lockWaits(),
                                    t.error()));
        }
        return new MaintenanceStatus(
                s.phase(),
                s.trigger(),
                s.pass(),
                s.reason(),
                s.dryRun(),
                tables,
                s.queuedRequests(),
                s.completedPasses(),
                s.lastError(),
                s.rejectedRequests());
    }

    /** The pending activities of a table's workflow. */
    List<LiveStep> steps(String table, String workflowId) {
        List<PendingActivityInfo> pending;
        try {
            pending = client.getWorkflowServiceStubs()
                    .blockingStub()
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                            .build())
                    .getPendingActivitiesList();
        } catch (RuntimeException e) {
            if (TemporalErrors.is(e, Status.Code.NOT_FOUND)) {
                return List.of();
            }
            throw e;
        }
        List<LiveStep> out = new ArrayList<>();
        for (PendingActivityInfo a : pending) {
            Heartbeat hb =
                    a.hasHeartbeatDetails() ? heartbeat(a.getHeartbeatDetails()) : new Heartbeat(null, null, null);
            out.add(new LiveStep(
                    table,
                    workflowId,
                    a.getActivityType().getName(),
                    a.getState().name().replace("PENDING_ACTIVITY_STATE_", "").toLowerCase(Locale.ROOT),
                    a.getAttempt(),
                    hb.text,
                    hb.rows,
                    hb.bytes,
                    a.hasLastFailure() ? a.getLastFailure().getMessage() : null));
        }
        return out;
    }

    private record Heartbeat(String text, Long rows, Long bytes) {}

    /** Heartbeat details as text; {@code rows}/{@code bytes} from the first object field whose name says so. */
    private Heartbeat heartbeat(Payloads details) {
        if (details.getPayloadsCount() == 0) {
            return new Heartbeat(null, null, null);
        }
        JsonNode node;
        try {
            node = converter.fromPayload(
                    details.getPayloads(details.getPayloadsCount() - 1), JsonNode.class, JsonNode.class);
        } catch (RuntimeException notJson) {
            return new Heartbeat("(binary)", null, null);
        }
        if (node == null) {
            return new Heartbeat(null, null, null);
        }
        if (node.isTextual()) {
            return new Heartbeat(node.asText(), null, null);
        }
        Long rows = null;
        Long bytes = null;
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var f = it.next();
                String name = f.getKey().toLowerCase(Locale.ROOT);
                if (f.getValue().isNumber() && rows == null && name.contains("rows")) {
                    rows = f.getValue().asLong();
                } else if (f.getValue().isNumber() && bytes == null && name.contains("bytes")) {
                    bytes = f.getValue().asLong();
                }
            }
        }
        return new Heartbeat(node.toString(), rows, bytes);
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}

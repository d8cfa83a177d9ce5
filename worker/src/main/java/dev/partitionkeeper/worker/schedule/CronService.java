package dev.partitionkeeper.worker.schedule;

import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.Visibility;
import io.grpc.Status;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --mode cron}: the maintenance pass as the Temporal cron workflow
 * {@link MaintenanceWorkflow#CRON_WORKFLOW_ID}, for servers without the Schedules API. The same workflow,
 * the same per-table exclusion; Temporal starts a new run of the chain at every cron time, even after
 * a failed one. Jitter, catch-up window and pause-on-failure are Schedule features and do not apply.
 */
public final class CronService {
    private static final Logger log = LoggerFactory.getLogger(CronService.class);

    public static final String CREATED = "created";
    public static final String REPLACED = "replaced";
    public static final String UNCHANGED = "unchanged";
    /** Reason of cron passes. */
    public static final String CRON_REASON = "cron";

    private final WorkflowClient client;
    private final String taskQueue;

    public CronService(WorkflowClient client, String taskQueue) {
        this.client = client;
        this.taskQueue = taskQueue;
    }

    /** What {@code apply} did. */
    public record CronResult(String workflowId, String runId, String outcome, String expression) {}

    /**
     * The cron workflow now: its expression, the current run and when it next runs a pass (null while a
     * pass runs).
     */
    public record CronView(String workflowId, String runId, String expression, String status, String nextPass) {}

    /**
     * Starts the cron workflow, or replaces it when it runs another expression; idempotent. Replacing
     * terminates the old chain (a pass running in it is cut short; every step is idempotent and the new
     * chain's next pass finishes the work).
     */
    public CronResult apply(String expression, boolean searchAttributes, String configSource) {
        Optional<CronView> current = describe();
        if (current.isPresent() && expression.equals(current.get().expression())) {
            return new CronResult(
                    MaintenanceWorkflow.CRON_WORKFLOW_ID, current.get().runId(), UNCHANGED, expression);
        }
        if (current.isPresent()) {
            log.info(
                    "cron schedule changes from \"{}\" to \"{}\": replacing {}",
                    current.get().expression(),
                    expression,
                    MaintenanceWorkflow.CRON_WORKFLOW_ID);
            client.newUntypedWorkflowStub(MaintenanceWorkflow.CRON_WORKFLOW_ID)
                    .terminate("cron schedule changed from \"" + current.get().expression() + "\" to \"" + expression
                            + "\"");
        }
        WorkflowOptions.Builder o = WorkflowOptions.newBuilder()
                .setWorkflowId(MaintenanceWorkflow.CRON_WORKFLOW_ID)
                .setTaskQueue(taskQueue)
                .setCronSchedule(expression)
                .setMemo(Visibility.memo(Visibility.TRIGGER_CRON, configSource))
                .setStaticSummary("maintenance pass, cron " + expression);
        if (searchAttributes) {
            o.setTypedSearchAttributes(Visibility.initial(Visibility.TRIGGER_CRON));
        }
        MaintenanceWorkflow wf = client.newWorkflowStub(MaintenanceWorkflow.class, o.build());
        try {
            WorkflowExecution ex = WorkflowClient.start(wf::run, MaintenanceRequest.all(CRON_REASON), null);
            return new CronResult(
                    ex.getWorkflowId(), ex.getRunId(), current.isPresent() ? REPLACED : CREATED, expression);
        } catch (WorkflowExecutionAlreadyStarted raced) {
            // another worker started it between our describe and start
            CronView now = describe().orElseThrow(() -> raced);
            return new CronResult(now.workflowId(), now.runId(), UNCHANGED, now.expression());
        } catch (RuntimeException e) {
            if (expression.startsWith("CRON_TZ=")) {
                throw new IllegalStateException(
                        "the server refused the cron workflow \"" + expression + "\": servers"
                                + " without CRON_TZ support (the Java SDK test server) run cron in UTC only; set schedule.timezone: UTC"
                                + " and give schedule.at in UTC",
                        e);
            }
            throw e;
        }
    }

    /** The running cron chain, if any. */
    public Optional<CronView> describe() {
        DescribeWorkflowExecutionResponse d;
        try {
            d = client.getWorkflowServiceStubs()
                    .blockingStub()
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(
                                    WorkflowExecution.newBuilder().setWorkflowId(MaintenanceWorkflow.CRON_WORKFLOW_ID))
                            .build());
        } catch (RuntimeException e) {
            if (TemporalErrors.is(e, Status.Code.NOT_FOUND)) {
                return Optional.empty();
            }
            throw e;
        }
        var info = d.getWorkflowExecutionInfo();
        if (info.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
            return Optional.empty();
        }
        String runId = info.getExecution().getRunId();
        var events =
                client.fetchHistory(MaintenanceWorkflow.CRON_WORKFLOW_ID, runId).getEvents();
        HistoryEvent first = events.get(0);
        var started = first.getWorkflowExecutionStartedEventAttributes();
        String next = null;
        // a run waiting for its cron time has nothing but its start event
        boolean passRunning = events.size() > 1;
        if (!passRunning && started.hasFirstWorkflowTaskBackoff()) {
            Instant at = Instant.ofEpochSecond(
                            first.getEventTime().getSeconds(),
                            first.getEventTime().getNanos())
                    .plus(Duration.ofSeconds(
                            started.getFirstWorkflowTaskBackoff().getSeconds(),
                            started.getFirstWorkflowTaskBackoff().getNanos()));
            // the backoff counts from the start event, a few milliseconds after the cron time was computed
            next = at.plusMillis(500).truncatedTo(ChronoUnit.SECONDS).toString();
        }
        return Optional.of(new CronView(
                MaintenanceWorkflow.CRON_WORKFLOW_ID,
                runId,
                started.getCronSchedule(),
                passRunning ? "pass running" : "waiting",
                next));
    }

    /** Terminates the cron chain; false when none runs. */
    public boolean stop(String reason) {
        if (describe().isEmpty()) {
            return false;
        }
        client.newUntypedWorkflowStub(MaintenanceWorkflow.CRON_WORKFLOW_ID).terminate(reason);
        return true;
    }

    /** Waits for the current run of the chain to finish its pass. */
    public Optional<PassHistory.Finished> awaitPass(Duration timeout) {
        Optional<CronView> now = describe();
        if (now.isEmpty()) {
            throw new IllegalStateException("no cron workflow " + MaintenanceWorkflow.CRON_WORKFLOW_ID + " is running");
        }
        return new PassHistory(client)
                .awaitClose(
                        WorkflowExecution.newBuilder()
                                .setWorkflowId(MaintenanceWorkflow.CRON_WORKFLOW_ID)
                                .setRunId(now.get().runId())
                                .build(),
                        timeout);
    }
}

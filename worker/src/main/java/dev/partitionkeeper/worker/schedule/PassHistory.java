package dev.partitionkeeper.worker.schedule;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.TableReport;
import dev.partitionkeeper.workflows.Visibility;
import io.grpc.Status;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.ContinueAsNewInitiator;
import io.temporal.api.enums.v1.HistoryEventFilterType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.filter.v1.StartTimeFilter;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DataConverter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Recent maintenance passes from Temporal's own records: the visibility list of
 * {@code PartitionMaintenance} runs, and each closed run's close event for its report. Works against
 * servers without visibility queries (the Java SDK test server) through the older open/closed lists.
 */
public final class PassHistory {
    static final String WORKFLOW_TYPE = "PartitionMaintenance";
    /** Status of a run that continued itself as new (see {@code MaintenanceWorkflowImpl}). */
    public static final String CONTINUED_AS_NEW = "continued as new";
    /** Runs listed per page; the CLI shows at most a few hundred. */
    private static final int PAGE = 100;

    private final WorkflowClient client;
    private final String namespace;
    private final DataConverter converter;

    public PassHistory(WorkflowClient client) {
        this.client = client;
        this.namespace = client.getOptions().getNamespace();
        this.converter = client.getOptions().getDataConverter();
    }

    /**
     * One pass (one run of {@code PartitionMaintenance}).
     *
     * @param status {@code running}, {@code completed}, {@code failed}, {@code terminated}, {@code timed out},
     *     {@code continued as new} (a long on-demand run; the run after it reports its passes' failures), ...
     * @param outcome from the report: {@code ok}, {@code attention}, {@code failed}; null while running or
     *     when the run left no report
     * @param durationMillis start to close (to now while running)
     * @param actions DDL and archive actions done, over all tables
     * @param error why the run failed, null otherwise
     */
    public record PassSummary(
            String workflowId,
            String runId,
            String trigger,
            String status,
            String started,
            String closed,
            long durationMillis,
            String reason,
            List<String> tables,
            int actions,
            String outcome,
            String error) {}

    /** The {@code last} most recent passes, newest first. */
    public List<PassSummary> recent(int last) {
        if (last < 1) {
            throw new IllegalArgumentException("--last must be at least 1, got: " + last);
        }
        List<WorkflowExecutionInfo> runs = list(last);
        List<PassSummary> out = new ArrayList<>();
        for (WorkflowExecutionInfo info : runs.subList(0, Math.min(last, runs.size()))) {
            out.add(summarize(info));
        }
        return out;
    }

    /** Open runs of {@code PartitionMaintenance}, newest first. */
    public List<WorkflowExecutionInfo> open() {
        return list(PAGE).stream()
                .filter(i -> i.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING)
                .toList();
    }

    /** Runs of the maintenance workflow, newest first, at least {@code atLeast} when that many exist. */
    List<WorkflowExecutionInfo> list(int atLeast) {
        List<WorkflowExecutionInfo> out = new ArrayList<>();
        try {
            ByteString token = ByteString.EMPTY;
            do {
                ListWorkflowExecutionsResponse r = client.getWorkflowServiceStubs()
                        .blockingStub()
                        .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                                .setNamespace(namespace)
                                .setPageSize(PAGE)
                                .setQuery("WorkflowType = '" + WORKFLOW_TYPE + "'")
                                .setNextPageToken(token)
                                .build());
                out.addAll(r.getExecutionsList());
                token = r.getNextPageToken();
            } while (!token.isEmpty() && out.size() < atLeast);
        } catch (RuntimeException e) {
            if (!TemporalErrors.unsupported(e) && !TemporalErrors.is(e, Status.Code.INVALID_ARGUMENT)) {
                throw e;
            }
            // no visibility queries (the Java SDK test server): the open and closed lists, filtered here
            out.clear();
            out.addAll(openAndClosed());
        }
        out.removeIf(i -> !WORKFLOW_TYPE.equals(i.getType().getName()));
        out.sort(Comparator.comparing((WorkflowExecutionInfo i) -> seconds(i.getStartTime()))
                .reversed());
        return out;
    }

    private List<WorkflowExecutionInfo> openAndClosed() {
        StartTimeFilter all = StartTimeFilter.newBuilder()
                .setEarliestTime(Timestamp.newBuilder().setSeconds(0))
                .setLatestTime(Timestamp.newBuilder()
                        .setSeconds(Instant.now().plus(Duration.ofDays(3650)).getEpochSecond()))
                .build();
        List<WorkflowExecutionInfo> out = new ArrayList<>();
        ListOpenWorkflowExecutionsResponse open = client.getWorkflowServiceStubs()
                .blockingStub()
                .listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(namespace)
                        .setMaximumPageSize(1000)
                        .setStartTimeFilter(all)
                        .build());
        out.addAll(open.getExecutionsList());
        ListClosedWorkflowExecutionsResponse closed = client.getWorkflowServiceStubs()
                .blockingStub()
                .listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(namespace)
                        .setMaximumPageSize(1000)
                        .setStartTimeFilter(all)
                        .build());
        out.addAll(closed.getExecutionsList());
        return out;
    }

    PassSummary summarize(WorkflowExecutionInfo info) {
        WorkflowExecution ex = info.getExecution();
        Instant started = instant(info.getStartTime());
        boolean running = info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
        Instant closed = running || !info.hasCloseTime() ? null : instant(info.getCloseTime());
        long millis = Duration.between(started, closed == null ? Instant.now() : closed)
                .toMillis();
        String trigger = trigger(info);
        MaintenanceReport report = null;
        String error = null;
        String status = status(info.getStatus());
        if (!running) {
            Finished c = closeOf(ex);
            report = c.report;
            error = c.error;
            status = c.status == null ? status : c.status;
        }
        String outcome = report == null
                ? null
                : report.failed()
                        ? TableReport.FAILED
                        : report.tables().stream().anyMatch(t -> TableReport.ATTENTION.equals(t.status()))
                                ? TableReport.ATTENTION
                                : TableReport.OK;
        List<String> tables = report == null
                ? List.of()
                : report.tables().stream().map(TableReport::table).toList();
        int actions = report == null
                ? 0
                : report.tables().stream()
                        .mapToInt(t -> t.actions() == null ? 0 : t.actions().size())
                        .sum();
        return new PassSummary(
                ex.getWorkflowId(),
                ex.getRunId(),
                trigger,
                status,
                text(started),
                text(closed),
                millis,
                report == null ? null : report.reason(),
                tables,
                actions,
                outcome,
                error);
    }

    /** How a run ended: its status, its report when it left one, and why it failed. */
    public record Finished(String status, MaintenanceReport report, String error) {}

    /**
     * Waits (long polls) until run {@code ex} closes, up to {@code timeout}; empty when it is still running.
     */
    public Optional<Finished> awaitClose(WorkflowExecution ex, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteString token = ByteString.EMPTY;
        while (System.nanoTime() < deadline) {
            GetWorkflowExecutionHistoryResponse r;
            try {
                r = client.getWorkflowServiceStubs()
                        .blockingStub()
                        .withDeadlineAfter(
                                Math.max(1, Math.min(60_000, (deadline - System.nanoTime()) / 1_000_000)),
                                TimeUnit.MILLISECONDS)
                        .getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
                                .setNamespace(namespace)
                                .setExecution(ex)
                                .setWaitNewEvent(true)
                                .setNextPageToken(token)
                                .setHistoryEventFilterType(HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
                                .build());
            } catch (RuntimeException e) {
                if (TemporalErrors.is(e, Status.Code.DEADLINE_EXCEEDED)) {
                    continue;
                }
                throw e;
            }
            if (r.getHistory().getEventsCount() > 0) {
                return Optional.of(
                        decodeClose(r.getHistory().getEvents(r.getHistory().getEventsCount() - 1)));
            }
            token = r.getNextPageToken();
        }
        return Optional.empty();
    }

    /** The close event says how the run ended and carries the report (result, or failure details). */
    private Finished closeOf(WorkflowExecution ex) {
        List<HistoryEvent> events;
        try {
            events = client.getWorkflowServiceStubs()
                    .blockingStub()
                    .getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
                            .setNamespace(namespace)
                            .setExecution(ex)
                            .setHistoryEventFilterType(HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
                            .build())
                    .getHistory()
                    .getEventsList();
        } catch (RuntimeException e) {
            if (TemporalErrors.is(e, Status.Code.NOT_FOUND)) {
                return new Finished(null, null, "history no longer retained");
            }
            throw e;
        }
        if (events.isEmpty()) {
            return new Finished(null, null, null);
        }
        return decodeClose(events.get(events.size() - 1));
    }

    Finished decodeClose(HistoryEvent e) {
        if (e.hasWorkflowExecutionCompletedEventAttributes()) {
            return new Finished(
                    "completed",
                    report(e.getWorkflowExecutionCompletedEventAttributes().getResult()),
                    null);
        }
        if (e.hasWorkflowExecutionFailedEventAttributes()) {
            Failure f = e.getWorkflowExecutionFailedEventAttributes().getFailure();
            return new Finished("failed", failureReport(f), f.getMessage());
        }
        if (e.hasWorkflowExecutionContinuedAsNewEventAttributes()) {
            var a = e.getWorkflowExecutionContinuedAsNewEventAttributes();
            if (a.getInitiator() == ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW) {
                // an on-demand run whose history grew long: its passes are reported by the run that ends the chain
                return new Finished(CONTINUED_AS_NEW, null, null);
            }
            // a cron run's end, as the Java SDK test server records it
            if (a.hasFailure()) {
                return new Finished(
                        "failed", failureReport(a.getFailure()), a.getFailure().getMessage());
            }
            return new Finished(
                    "completed", a.hasLastCompletionResult() ? report(a.getLastCompletionResult()) : null, null);
        }
        if (e.hasWorkflowExecutionTerminatedEventAttributes()) {
            return new Finished(
                    "terminated",
                    null,
                    e.getWorkflowExecutionTerminatedEventAttributes().getReason());
        }
        if (e.hasWorkflowExecutionTimedOutEventAttributes()) {
            return new Finished("timed out", null, "the run timed out");
        }
        if (e.hasWorkflowExecutionCanceledEventAttributes()) {
            return new Finished("canceled", null, null);
        }
        return new Finished(null, null, null);
    }

    private MaintenanceReport failureReport(Failure f) {
        for (Failure x = f; x != null; x = x.hasCause() ? x.getCause() : null) {
            if (x.hasApplicationFailureInfo() && x.getApplicationFailureInfo().hasDetails()) {
                MaintenanceReport r = report(x.getApplicationFailureInfo().getDetails());
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    private MaintenanceReport report(Payloads payloads) {
        if (payloads == null || payloads.getPayloadsCount() == 0) {
            return null;
        }
        try {
            return converter.fromPayloads(0, Optional.of(payloads), MaintenanceReport.class, MaintenanceReport.class);
        } catch (RuntimeException notAReport) {
            return null;
        }
    }

    private String trigger(WorkflowExecutionInfo info) {
        Payload memo = info.getMemo().getFieldsMap().get(Visibility.MEMO_TRIGGER);
        if (memo == null) {
            // visibility without memos (the Java SDK test server): the start event has it
            memo = startMemo(info.getExecution()).get(Visibility.MEMO_TRIGGER);
        }
        if (memo != null) {
            try {
                return converter.fromPayload(memo, String.class, String.class);
            } catch (RuntimeException ignored) {
                // fall back to the ID
            }
        }
        String id = info.getExecution().getWorkflowId();
        if (id.equals(MaintenanceWorkflow.CRON_WORKFLOW_ID)) {
            return Visibility.TRIGGER_CRON;
        }
        if (id.startsWith(MaintenanceWorkflow.SCHEDULED_WORKFLOW_ID)) {
            return Visibility.TRIGGER_SCHEDULE;
        }
        return Visibility.TRIGGER_DIRECT;
    }

    private Map<String, Payload> startMemo(WorkflowExecution ex) {
        try {
            List<HistoryEvent> first = client.getWorkflowServiceStubs()
                    .blockingStub()
                    .getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
                            .setNamespace(namespace)
                            .setExecution(ex)
                            .setMaximumPageSize(1)
                            .build())
                    .getHistory()
                    .getEventsList();
            return first.isEmpty()
                    ? Map.of()
                    : first.get(0)
                            .getWorkflowExecutionStartedEventAttributes()
                            .getMemo()
                            .getFieldsMap();
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private static String status(WorkflowExecutionStatus s) {
        return s.name()
                .replace("WORKFLOW_EXECUTION_STATUS_", "")
                .replace('_', ' ')
                .toLowerCase();
    }

    private static long seconds(Timestamp t) {
        return t.getSeconds() * 1_000_000_000L + t.getNanos();
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }
}

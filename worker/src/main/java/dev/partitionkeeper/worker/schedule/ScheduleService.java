package dev.partitionkeeper.worker.schedule;

import dev.partitionkeeper.worker.config.DurationText;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import io.grpc.Status;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleBackfill;
import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.EncodedValues;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verbs of {@code partition-keeper schedule}, one Schedule API call each (apply is describe, then
 * create or update): each returns data for the CLI to print as a table or JSON.
 */
public final class ScheduleService {
    private static final Logger log = LoggerFactory.getLogger(ScheduleService.class);

    public static final String CREATED = "created";
    public static final String UPDATED = "updated";
    public static final String UNCHANGED = "unchanged";

    private final ScheduleClient schedules;
    private final String scheduleId;
    private final String server;

    /** @param server shown in errors, e.g. {@code localhost:7233 namespace default} */
    public ScheduleService(ScheduleClient schedules, String scheduleId, String server) {
        this.schedules = schedules;
        this.scheduleId = scheduleId;
        this.server = server;
    }

    public ScheduleService(ScheduleClient schedules, String server) {
        this(schedules, MaintenanceWorkflow.SCHEDULE_ID, server);
    }

    /** What {@code apply} did, and when the pass runs next. */
    public record ApplyResult(String scheduleId, String outcome, boolean paused, List<String> nextRuns) {}

    /**
     * One run the Schedule started.
     *
     * @param scheduledAt when it was due
     * @param startedAt when it started (later by the jitter)
     */
    public record RecentRun(String scheduledAt, String startedAt, String workflowId, String runId) {}

    /** What {@code describe} shows. */
    public record ScheduleView(
            String scheduleId,
            String spec,
            String timezone,
            String jitter,
            String overlap,
            String catchupWindow,
            boolean pauseOnFailure,
            boolean paused,
            String note,
            String taskQueue,
            long actions,
            long skippedOverlap,
            long missedCatchupWindow,
            List<String> nextRuns,
            List<RecentRun> recentRuns,
            List<String> running) {}

    /**
     * Creates the Schedule, or updates it when it differs from {@code desired}; idempotent. An update
     * keeps the Schedule's paused state and note: pausing is an operator's decision, not configuration.
     */
    public ApplyResult apply(Schedule desired, ScheduleOptions options, String fingerprint) {
        ScheduleHandle handle = schedules.getHandle(scheduleId);
        Optional<ScheduleDescription> current = describeIfExists(handle);
        if (current.isEmpty()) {
            try {
                handle = schedules.createSchedule(scheduleId, desired, options);
                return result(handle, CREATED);
            } catch (ScheduleAlreadyRunningException raced) {
                // another worker applied it between our describe and create: update instead
                log.info("schedule {} was created concurrently; updating it", scheduleId);
                current = describeIfExists(handle);
            } catch (RuntimeException e) {
                throw translate(e);
            }
        }
        if (current.isPresent() && fingerprint.equals(fingerprintOf(current.get()))) {
            return result(handle, UNCHANGED);
        }
        try {
            handle.update(input -> {
                Schedule now = input.getDescription().getSchedule();
                return new ScheduleUpdate(
                        Schedule.newBuilder(desired).setState(now.getState()).build());
            });
        } catch (RuntimeException e) {
            throw translate(e);
        }
        return result(handle, UPDATED);
    }

    public ScheduleView describe() {
        ScheduleHandle handle = schedules.getHandle(scheduleId);
        ScheduleDescription d = describeIfExists(handle).orElseThrow(() -> new IllegalStateException(notFound()));
        Schedule s = d.getSchedule();
        ScheduleSpec spec = s.getSpec();
        List<String> crons = spec.getCronExpressions() == null ? List.of() : spec.getCronExpressions();
        List<ScheduleCalendarSpec> calendars = spec.getCalendars() == null ? List.of() : spec.getCalendars();
        List<ScheduleIntervalSpec> intervals = spec.getIntervals() == null ? List.of() : spec.getIntervals();
        String specText = !intervals.isEmpty()
                ? intervals.stream()
                        .map(i -> "every " + DurationText.format(i.getEvery()))
                        .reduce((a, b) -> a + " | " + b)
                        .orElseThrow()
                : !crons.isEmpty()
                        ? "cron " + String.join(" | ", crons)
                        : calendars.stream()
                                .map(c -> c.getComment() != null
                                                && !c.getComment().isEmpty()
                                        ? c.getComment()
                                        : "hour " + c.getHour() + " minute " + c.getMinutes() + " weekday "
                                                + c.getDayOfWeek())
                                .reduce((a, b) -> a + " | " + b)
                                .orElse(String.valueOf(spec.getIntervals()));
        String taskQueue = s.getAction() instanceof ScheduleActionStartWorkflow a && a.getOptions() != null
                ? a.getOptions().getTaskQueue()
                : null;
        List<RecentRun> recent = d.getInfo().getRecentActions().stream()
                .map(r -> {
                    String wf = null;
                    String run = null;
                    if (r.getAction() instanceof ScheduleActionExecutionStartWorkflow w) {
                        wf = w.getWorkflowId();
                        run = w.getFirstExecutionRunId();
                    }
                    return new RecentRun(text(r.getScheduledAt()), text(r.getStartedAt()), wf, run);
                })
                .toList();
        List<String> running = d.getInfo().getRunningActions().stream()
                .map(r -> r instanceof ScheduleActionExecutionStartWorkflow w ? w.getWorkflowId() : r.toString())
                .toList();
        return new ScheduleView(
                d.getId(),
                specText,
                spec.getTimeZoneName(),
                text(spec.getJitter()),
                overlap(s.getPolicy().getOverlap()),
                text(s.getPolicy().getCatchupWindow()),
                s.getPolicy().isPauseOnFailure(),
                s.getState().isPaused(),
                s.getState().getNote(),
                taskQueue,
                d.getInfo().getNumActions(),
                d.getInfo().getNumActionsSkippedOverlap(),
                d.getInfo().getNumActionsMissedCatchupWindow(),
                d.getInfo().getNextActionTimes().stream()
                        .map(ScheduleService::text)
                        .toList(),
                recent,
                running);
    }

    public void pause(String note) {
        call(() -> schedules.getHandle(scheduleId).pause(note));
    }

    public void unpause(String note) {
        call(() -> schedules.getHandle(scheduleId).unpause(note));
    }

    /** Starts a pass now, under the Schedule's overlap policy (SKIP: nothing happens while one runs). */
    public void trigger() {
        call(() -> schedules.getHandle(scheduleId).trigger());
    }

    /**
     * Runs the passes that were due in [{@code from}, {@code to}), one after another: the backfill buffers them
     * (BUFFER_ALL) instead of the Schedule's SKIP, which would start the first and skip the rest while it runs.
     * Still never two at once.
     */
    public void backfill(Instant from, Instant to) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("backfill --from must be before --to, got: from " + from + ", to " + to);
        }
        call(() -> schedules
                .getHandle(scheduleId)
                .backfill(List.of(
                        new ScheduleBackfill(from, to, ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL))));
    }

    /** Deletes the Schedule; runs it started keep running. */
    public void delete() {
        call(() -> schedules.getHandle(scheduleId).delete());
    }

    private void call(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private Optional<ScheduleDescription> describeIfExists(ScheduleHandle handle) {
        try {
            return Optional.of(handle.describe());
        } catch (RuntimeException e) {
            if (TemporalErrors.is(e, Status.Code.NOT_FOUND)) {
                return Optional.empty();
            }
            throw translate(e);
        }
    }

    private RuntimeException translate(RuntimeException e) {
        if (TemporalErrors.unsupported(e)) {
            return new SchedulesUnsupportedException(server, e);
        }
        if (TemporalErrors.is(e, Status.Code.NOT_FOUND)) {
            return new IllegalStateException(notFound(), e);
        }
        return e;
    }

    private String notFound() {
        return "there is no schedule " + scheduleId + " on " + server
                + "; create it with: partition-keeper schedule apply";
    }

    private ApplyResult result(ScheduleHandle handle, String outcome) {
        ScheduleDescription d = handle.describe();
        return new ApplyResult(
                scheduleId,
                outcome,
                d.getSchedule().getState().isPaused(),
                d.getInfo().getNextActionTimes().stream()
                        .limit(3)
                        .map(ScheduleService::text)
                        .toList());
    }

    /** The fingerprint {@link MaintenanceSchedules#build} left in the action's memo; null when absent. */
    static String fingerprintOf(ScheduleDescription d) {
        if (!(d.getSchedule().getAction() instanceof ScheduleActionStartWorkflow a)
                || a.getOptions() == null
                || a.getOptions().getMemo() == null) {
            return null;
        }
        Object v = a.getOptions().getMemo().get(MaintenanceSchedules.MEMO_FINGERPRINT);
        try {
            if (v instanceof EncodedValues ev) {
                return ev.get(0, String.class);
            }
            if (v instanceof Payload p) {
                return DataConverter.getDefaultInstance().fromPayload(p, String.class, String.class);
            }
        } catch (RuntimeException undecodable) {
            return null;
        }
        return v == null ? null : v.toString();
    }

    private static String overlap(ScheduleOverlapPolicy p) {
        return p == null ? "" : p.name().replace("SCHEDULE_OVERLAP_POLICY_", "").toLowerCase();
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    private static String text(Duration d) {
        return d == null ? null : DurationText.format(d);
    }
}

package dev.partitionkeeper.worker.schedule;

import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.Visibility;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleRange;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DayOfWeek;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the Temporal Schedule {@link MaintenanceWorkflow#SCHEDULE_ID} from {@link ScheduleSettings}. Pure:
 * no client, no clock, so the Schedule is unit-tested as data.
 */
public final class MaintenanceSchedules {
    /** Reason of scheduled passes, shown in their history and report. */
    public static final String SCHEDULED_REASON = "scheduled";
    /** Memo key of the action's workflows holding {@link #fingerprint}, so {@code apply} can tell "unchanged". */
    public static final String MEMO_FINGERPRINT = "scheduleFingerprint";

    private MaintenanceSchedules() {}

    /**
     * The Schedule: calendar (or cron) spec in the configured zone with jitter; overlap SKIP (a pass
     * still running when the next is due makes the next one unnecessary); catch-up window; pause on
     * failure; the action starts {@code PartitionMaintenance} with ID prefix
     * {@link MaintenanceWorkflow#SCHEDULED_WORKFLOW_ID} on {@code taskQueue}.
     *
     * @param searchAttributes whether the server has our search attributes (then runs carry them)
     */
    public static Schedule build(ScheduleSettings s, String taskQueue, boolean searchAttributes, String configSource) {
        Map<String, Object> memo = new LinkedHashMap<>(Visibility.memo(Visibility.TRIGGER_SCHEDULE, configSource));
        memo.put(MEMO_FINGERPRINT, fingerprint(s, taskQueue, searchAttributes));
        WorkflowOptions.Builder run = WorkflowOptions.newBuilder()
                .setWorkflowId(MaintenanceWorkflow.SCHEDULED_WORKFLOW_ID)
                .setTaskQueue(taskQueue)
                .setMemo(memo)
                .setStaticSummary("scheduled maintenance pass")
                // SDK 1.38 decodes the details whenever a summary is set: without them describe() fails on the real
                // server ("Schedule exception" / DataConverterException when parsing "")
                .setStaticDetails(
                        "Every table under policy: create the runway, detach past retention, export, verify, drop."
                                + (configSource == null ? "" : " Configuration: " + configSource));
        if (searchAttributes) {
            run.setTypedSearchAttributes(Visibility.initial(Visibility.TRIGGER_SCHEDULE));
        }
        return Schedule.newBuilder()
                .setAction(ScheduleActionStartWorkflow.newBuilder()
                        .setWorkflowType(MaintenanceWorkflow.class)
                        .setArguments(MaintenanceRequest.all(SCHEDULED_REASON))
                        .setOptions(run.build())
                        .build())
                .setSpec(spec(s))
                .setPolicy(SchedulePolicy.newBuilder()
                        .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                        .setCatchupWindow(s.catchupWindow())
                        .setPauseOnFailure(s.pauseOnFailure())
                        .build())
                .setState(ScheduleState.newBuilder()
                        .setNote(s.note())
                        .setPaused(false)
                        .build())
                .build();
    }

    static ScheduleSpec spec(ScheduleSettings s) {
        ScheduleSpec.Builder spec =
                ScheduleSpec.newBuilder().setTimeZoneName(s.timezone()).setJitter(s.jitter());
        if (s.every() != null) {
            spec.setIntervals(List.of(new ScheduleIntervalSpec(s.every())));
        } else if (s.cron() != null) {
            spec.setCronExpressions(List.of(s.cron().trim()));
        } else {
            spec.setCalendars(List.of(calendar(s)));
        }
        return spec.build();
    }

    /** {@code at} on {@code days} (every day when empty), second 0. */
    static ScheduleCalendarSpec calendar(ScheduleSettings s) {
        List<ScheduleRange> days = s.days().isEmpty()
                ? ScheduleCalendarSpec.ALL_WEEK_DAYS
                : s.days().stream().map(d -> new ScheduleRange(weekday(d))).toList();
        return ScheduleCalendarSpec.newBuilder()
                .setSeconds(List.of(new ScheduleRange(0)))
                .setMinutes(List.of(new ScheduleRange(s.at().getMinute())))
                .setHour(List.of(new ScheduleRange(s.at().getHour())))
                .setDayOfMonth(ScheduleCalendarSpec.ALL_MONTH_DAYS)
                .setMonth(ScheduleCalendarSpec.ALL_MONTHS)
                .setDayOfWeek(days)
                .setComment(s.describe())
                .build();
    }

    /** Temporal counts days of the week from Sunday = 0. */
    static int weekday(DayOfWeek d) {
        return d.getValue() % 7;
    }

    /** Schedule-level options: memo (config source, what manages it) and no immediate trigger. */
    public static ScheduleOptions options(String configSource) {
        Map<String, Object> memo = new LinkedHashMap<>();
        memo.put("managedBy", "partition-keeper");
        if (configSource != null) {
            memo.put(Visibility.MEMO_CONFIG, configSource);
        }
        return ScheduleOptions.newBuilder()
                .setMemo(memo)
                .setTriggerImmediately(false)
                .build();
    }

    /**
     * A digest of everything {@link #build} puts into the Schedule except its paused state, so re-applying
     * an unchanged configuration changes nothing.
     */
    public static String fingerprint(ScheduleSettings s, String taskQueue, boolean searchAttributes) {
        String text = String.join(
                "|",
                s.mode().label(),
                String.valueOf(s.cron()),
                s.at().toString(),
                s.every() == null ? "" : "every=" + s.every(),
                s.days().toString(),
                s.timezone(),
                s.jitter().toString(),
                s.catchupWindow().toString(),
                Boolean.toString(s.pauseOnFailure()),
                s.note(),
                taskQueue,
                Boolean.toString(searchAttributes),
                MaintenanceWorkflow.SCHEDULED_WORKFLOW_ID,
                SCHEDULED_REASON);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

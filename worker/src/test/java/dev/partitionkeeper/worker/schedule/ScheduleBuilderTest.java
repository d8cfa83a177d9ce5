package dev.partitionkeeper.worker.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.worker.config.ConfigException;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.Visibility;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleRange;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Schedule built from configuration, as data: spec, policies, action, options. */
class ScheduleBuilderTest {
    static final String TABLES = "tables:\n  - table: public.events\n    interval: monthly\n";

    static WorkerConfig parse(String yaml, Map<String, String> env) {
        return WorkerConfig.parse("policy.yaml", yaml + TABLES, env);
    }

    @Test
    void defaultIsDailyAtTwoUtcWithSkipAndAStartWorkflowAction() {
        ScheduleSettings s = parse("", Map.of()).schedule();
        Schedule schedule = MaintenanceSchedules.build(s, "partition-keeper", false, "policy.yaml");

        assertEquals(ScheduleSettings.Mode.SCHEDULE, s.mode());
        assertEquals("UTC", schedule.getSpec().getTimeZoneName());
        assertEquals(Duration.ZERO, schedule.getSpec().getJitter());
        assertNull(schedule.getSpec().getCronExpressions());
        ScheduleCalendarSpec cal = schedule.getSpec().getCalendars().get(0);
        assertEquals(List.of(new ScheduleRange(0)), cal.getSeconds());
        assertEquals(List.of(new ScheduleRange(0)), cal.getMinutes());
        assertEquals(List.of(new ScheduleRange(2)), cal.getHour());
        assertEquals(ScheduleCalendarSpec.ALL_WEEK_DAYS, cal.getDayOfWeek());
        assertEquals(ScheduleCalendarSpec.ALL_MONTH_DAYS, cal.getDayOfMonth());
        assertEquals(ScheduleCalendarSpec.ALL_MONTHS, cal.getMonth());
        assertEquals("daily at 02:00 UTC", cal.getComment());

        assertEquals(
                ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP,
                schedule.getPolicy().getOverlap());
        assertEquals(Duration.ofHours(6), schedule.getPolicy().getCatchupWindow());
        assertFalse(schedule.getPolicy().isPauseOnFailure());
        assertFalse(schedule.getState().isPaused());
        assertEquals("managed by partition-keeper", schedule.getState().getNote());

        ScheduleActionStartWorkflow action = (ScheduleActionStartWorkflow) schedule.getAction();
        assertEquals("PartitionMaintenance", action.getWorkflowType());
        assertEquals(
                MaintenanceWorkflow.SCHEDULED_WORKFLOW_ID, action.getOptions().getWorkflowId());
        assertEquals("partition-keeper", action.getOptions().getTaskQueue());
        assertEquals(MaintenanceRequest.all("scheduled"), action.getArguments().get(0, MaintenanceRequest.class));
        assertEquals(Visibility.TRIGGER_SCHEDULE, action.getOptions().getMemo().get(Visibility.MEMO_TRIGGER));
        assertEquals("policy.yaml", action.getOptions().getMemo().get(Visibility.MEMO_CONFIG));
        assertEquals(
                MaintenanceSchedules.fingerprint(s, "partition-keeper", false),
                action.getOptions().getMemo().get(MaintenanceSchedules.MEMO_FINGERPRINT));
        assertNull(action.getOptions().getTypedSearchAttributes(), "no search attributes unless registered");
        assertEquals(
                Map.of("managedBy", "partition-keeper", "config", "policy.yaml"),
                MaintenanceSchedules.options("policy.yaml").getMemo());
        assertFalse(MaintenanceSchedules.options("policy.yaml").isTriggerImmediately());
    }

    @Test
    void everySettingReachesTheSchedule() {
        ScheduleSettings s = parse("""
        schedule:
          at: "03:30"
          days: mon-fri
          timezone: Europe/Berlin
          jitter: 10m
          catchup_window: 2h
          pause_on_failure: true
          note: prod maintenance
        """, Map.of()).schedule();
        Schedule schedule = MaintenanceSchedules.build(s, "q", true, "prod.yaml");

        ScheduleCalendarSpec cal = schedule.getSpec().getCalendars().get(0);
        assertEquals(List.of(new ScheduleRange(30)), cal.getMinutes());
        assertEquals(List.of(new ScheduleRange(3)), cal.getHour());
        assertEquals(
                List.of(1, 2, 3, 4, 5),
                cal.getDayOfWeek().stream().map(ScheduleRange::getStart).toList());
        assertEquals("Europe/Berlin", schedule.getSpec().getTimeZoneName());
        assertEquals(Duration.ofMinutes(10), schedule.getSpec().getJitter());
        assertEquals(Duration.ofHours(2), schedule.getPolicy().getCatchupWindow());
        assertTrue(schedule.getPolicy().isPauseOnFailure());
        assertEquals("prod maintenance", schedule.getState().getNote());
        ScheduleActionStartWorkflow action = (ScheduleActionStartWorkflow) schedule.getAction();
        assertEquals(
                Visibility.TRIGGER_SCHEDULE,
                action.getOptions().getTypedSearchAttributes().get(Visibility.TRIGGER));
        assertEquals("running", action.getOptions().getTypedSearchAttributes().get(Visibility.OUTCOME));
        assertEquals("30 3 * * 1,2,3,4,5", s.cronExpression());
        assertEquals("CRON_TZ=Europe/Berlin 30 3 * * 1,2,3,4,5", s.cronWorkflowExpression());
        assertEquals("on mon,tue,wed,thu,fri at 03:30 Europe/Berlin", s.describe());
    }

    @Test
    void aCronExpressionIsPassedThrough() {
        ScheduleSettings s =
                parse("schedule:\n  cron: \"15 1 * * sun\"\n", Map.of()).schedule();
        Schedule schedule = MaintenanceSchedules.build(s, "q", false, null);

        assertEquals(List.of("15 1 * * sun"), schedule.getSpec().getCronExpressions());
        assertNull(schedule.getSpec().getCalendars());
        assertEquals("15 1 * * sun", s.cronWorkflowExpression());
    }

    @Test
    void cronModeAndEnvironmentOverrides() {
        ScheduleSettings s = parse(
                        "schedule:\n  mode: schedule\n", Map.of("PK_SCHEDULE_MODE", "cron", "PK_SCHEDULE_AT", "4:05"))
                .schedule();

        assertEquals(ScheduleSettings.Mode.CRON, s.mode());
        assertEquals(LocalTime.of(4, 5), s.at());
        assertEquals("5 4 * * *", s.cronWorkflowExpression());
    }

    @Test
    void fingerprintChangesWithTheScheduleAndOnlyThen() {
        ScheduleSettings a = ScheduleSettings.defaults();
        assertEquals(
                MaintenanceSchedules.fingerprint(a, "q", false),
                MaintenanceSchedules.fingerprint(ScheduleSettings.defaults(), "q", false));
        assertNotEquals(
                MaintenanceSchedules.fingerprint(a, "q", false),
                MaintenanceSchedules.fingerprint(a.withCron("0 3 * * *"), "q", false));
        assertNotEquals(
                MaintenanceSchedules.fingerprint(a, "q", false), MaintenanceSchedules.fingerprint(a, "q2", false));
        assertNotEquals(
                MaintenanceSchedules.fingerprint(a, "q", false), MaintenanceSchedules.fingerprint(a, "q", true));
    }

    @Test
    void badSettingsAreAllReportedWithTheirKeyAndAnExample() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> parse("""
        schedule:
          mode: daily
          cron: "0 2 * *"
          at: "2am"
          days: mon-fry
          jitter: soon
          pause_on_failure: maybe
        """, Map.of("PK_SCHEDULE_CATCHUP_WINDOW", "1s")));

        String m = e.getMessage();
        assertTrue(m.contains("schedule.mode: mode must be schedule (a Temporal Schedule) or cron"), m);
        assertTrue(
                m.contains("cannot use schedule.cron and schedule.at together; give either cron: \"0 2 * * *\" or"
                        + " at: \"02:00\""),
                m);
        assertTrue(m.contains("schedule.at must be a time of day as HH:MM such as \"02:00\", got: \"2am\""), m);
        assertTrue(
                m.contains("schedule.days must list days of the week such as \"mon-fri\" or \"sat,sun\", got: "
                        + "\"mon-fry\""),
                m);
        assertTrue(m.contains("schedule.jitter"), m);
        assertTrue(m.contains("schedule.pause_on_failure must be true or false, got: \"maybe\""), m);
    }

    @Test
    void impossibleValuesAreRefusedByTheRecordItself() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ScheduleSettings.defaults().withCron("0 2 * *"))
                .getMessage()
                .startsWith("schedule.cron must have 5 fields"));
        assertEquals(
                "schedule.catchup_window must be at least 10s (e.g. \"6h\"), got: 1s",
                assertThrows(ConfigException.class, () -> parse("schedule:\n  catchup_window: 1s\n", Map.of()))
                        .problems()
                        .get(0));
        assertEquals(
                "schedule.timezone must be an IANA zone such as UTC or Europe/Berlin, got: \"Mars/Olympus\"",
                assertThrows(ConfigException.class, () -> parse("schedule:\n  timezone: Mars/Olympus\n", Map.of()))
                        .problems()
                        .get(0));
        assertEquals(List.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), ScheduleSettings.parseDays("sat,sunday"));
        assertEquals(
                List.of(DayOfWeek.MONDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), ScheduleSettings.parseDays("sat-mon"));
    }

    @Test
    void workerPoolSettings() {
        WorkerConfig cfg = parse(
                "temporal:\n  max_concurrent_activities: 3\n  table_parallelism: 2\n" + "  shutdown_grace: 2m\n",
                Map.of());
        assertEquals(new WorkerPoolSettings(3, 2, Duration.ofMinutes(2)), cfg.pool());
        assertEquals(3, cfg.pool().activitySlots(8));
        assertEquals(7, WorkerPoolSettings.defaults().activitySlots(8));
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> parse(
                        "temporal:\n  table_parallelism: 0\n",
                        Map.of("PK_TEMPORAL_MAX_CONCURRENT_ACTIVITIES", "many")));
        assertTrue(
                e.getMessage()
                        .contains("temporal.max_concurrent_activities (from PK_TEMPORAL_MAX_CONCURRENT_ACTIVITIES)"
                                + " must be a whole number"),
                e.getMessage());
    }
}

package dev.partitionkeeper.worker.schedule;

import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code schedule apply} and {@code worker --apply-schedule}: makes Temporal run the daily pass the way the
 * configuration says, as a Schedule or as a cron workflow, and removes the other kind so passes never
 * run twice as often.
 */
public final class ScheduleApplier {
    private static final Logger log = LoggerFactory.getLogger(ScheduleApplier.class);

    private final WorkflowClient client;
    private final String server;

    /** @param server shown in errors, e.g. {@code localhost:7233 namespace default} */
    public ScheduleApplier(WorkflowClient client, String server) {
        this.client = client;
        this.server = server;
    }

    /**
     * What apply did.
     *
     * @param mode {@code schedule} or {@code cron}
     * @param id the Schedule's ID, or the cron workflow's
     * @param outcome created, updated, replaced or unchanged
     * @param when the spec for people, e.g. {@code daily at 02:00 UTC}
     * @param nextRuns the next pass times the server reports (Schedules only)
     * @param notes anything else done or worth knowing (the other mode removed, search attributes missing)
     */
    public record Applied(
            String mode,
            String id,
            String outcome,
            String when,
            boolean paused,
            List<String> nextRuns,
            List<String> notes) {}

    public ScheduleService schedules() {
        return new ScheduleService(
                ScheduleClient.newInstance(
                        client.getWorkflowServiceStubs(),
                        ScheduleClientOptions.newBuilder()
                                .setNamespace(client.getOptions().getNamespace())
                                .build()),
                server);
    }

    public CronService cron(String taskQueue) {
        return new CronService(client, taskQueue);
    }

    public Applied apply(WorkerConfig cfg, ScheduleSettings settings) {
        List<String> notes = new ArrayList<>();
        SearchAttributeSetup.Result sa = SearchAttributeSetup.ensure(
                client.getWorkflowServiceStubs(), client.getOptions().getNamespace());
        if (!sa.available()) {
            notes.add(sa.detail());
        }
        if (settings.mode() == ScheduleSettings.Mode.SCHEDULE) {
            ScheduleService.ApplyResult r = schedules()
                    .apply(
                            MaintenanceSchedules.build(settings, cfg.taskQueue(), sa.available(), cfg.source()),
                            MaintenanceSchedules.options(cfg.source()),
                            MaintenanceSchedules.fingerprint(settings, cfg.taskQueue(), sa.available()));
            if (cron(cfg.taskQueue()).stop("replaced by the Temporal Schedule " + MaintenanceWorkflow.SCHEDULE_ID)) {
                notes.add("stopped the cron workflow " + MaintenanceWorkflow.CRON_WORKFLOW_ID
                        + " (now run by the Schedule)");
            }
            log.info("schedule {} {}: {}", r.scheduleId(), r.outcome(), settings.describe());
            return new Applied(
                    "schedule", r.scheduleId(), r.outcome(), settings.describe(), r.paused(), r.nextRuns(), notes);
        }
        if (!settings.jitter().isZero() || settings.pauseOnFailure()) {
            notes.add("jitter and pause_on_failure are Schedule features; the cron workflow ignores them");
        }
        CronService.CronResult r =
                cron(cfg.taskQueue()).apply(settings.cronWorkflowExpression(), sa.available(), cfg.source());
        try {
            schedules().delete();
            notes.add("deleted the Schedule " + MaintenanceWorkflow.SCHEDULE_ID + " (now run by the cron workflow)");
        } catch (SchedulesUnsupportedException | IllegalStateException noSchedule) {
            // no Schedules API, or no Schedule: nothing to remove
        }
        log.info("cron workflow {} {}: {}", r.workflowId(), r.outcome(), r.expression());
        return new Applied("cron", r.workflowId(), r.outcome(), "cron " + r.expression(), false, List.of(), notes);
    }
}

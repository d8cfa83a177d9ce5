package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.schedule.CronService;
import dev.partitionkeeper.worker.schedule.ScheduleApplier;
import dev.partitionkeeper.worker.schedule.ScheduleService;
import dev.partitionkeeper.worker.schedule.ScheduleSettings;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code schedule apply | describe | pause | unpause | trigger | backfill | delete}: the Temporal Schedule
 * {@code partition-maintenance} (or, with {@code --mode cron}, the cron workflow), one API call per verb.
 */
@Command(
        name = "schedule",
        mixinStandardHelpOptions = true,
        description =
                "Manage the daily pass: the Temporal Schedule " + MaintenanceWorkflow.SCHEDULE_ID
                        + " (schedule.mode: schedule) or the cron workflow " + MaintenanceWorkflow.CRON_WORKFLOW_ID
                        + " (schedule.mode: cron, for servers without Schedules). Exit codes: 0 ok, 1 Temporal refused (e.g. no"
                        + " Schedules API: use --mode cron), 2 bad configuration or usage, 3 describe found it paused or missing.",
        subcommands = {
            ScheduleCommand.Apply.class,
            ScheduleCommand.Describe.class,
            ScheduleCommand.Pause.class,
            ScheduleCommand.Unpause.class,
            ScheduleCommand.Trigger.class,
            ScheduleCommand.Backfill.class,
            ScheduleCommand.Delete.class
        })
final class ScheduleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.BAD_INPUT;
    }

    /** Where Temporal is: {@code --address}, else the environment and profile file as for every Temporal tool. */
    static final class TemporalTarget {
        @Option(
                names = "--address",
                paramLabel = "HOST:PORT",
                description =
                        "Temporal frontend (default: TEMPORAL_ADDRESS, the Temporal profile file, localhost:7233).")
        String address;

        @Option(
                names = "--namespace",
                paramLabel = "NS",
                defaultValue = "default",
                description =
                        "Namespace with --address (default: ${DEFAULT-VALUE}; without --address: TEMPORAL_NAMESPACE).")
        String namespace;

        TemporalConnection connect() {
            return address == null ? TemporalConnection.fromEnvironment() : TemporalConnection.to(address, namespace);
        }
    }

    /** The mode from {@code --mode}, else from the configuration. */
    static final class ModeOption {
        @Option(
                names = "--mode",
                paramLabel = "MODE",
                description = "schedule or cron (default: schedule.mode of the " + "configuration, else schedule).")
        String mode;

        ScheduleSettings settings(WorkerConfig cfg) {
            ScheduleSettings s = cfg.schedule() == null ? ScheduleSettings.defaults() : cfg.schedule();
            return mode == null ? s : s.withMode(ScheduleSettings.Mode.parse(mode));
        }
    }

    /** Common options of the verbs. */
    abstract static class Verb implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Mixin
        TemporalTarget temporal;

        @Mixin
        ModeOption mode;

        @Mixin
        JsonOption json;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        @Override
        public Integer call() throws Exception {
            WorkerConfig cfg = config.load();
            ScheduleSettings settings = mode.settings(cfg);
            try (TemporalConnection conn = temporal.connect()) {
                ScheduleApplier applier = new ScheduleApplier(conn.client(), conn.toString());
                int code = run(cfg, settings, applier);
                out().flush();
                return code;
            }
        }

        abstract int run(WorkerConfig cfg, ScheduleSettings settings, ScheduleApplier applier) throws Exception;

        int done(String what) throws Exception {
            if (json.enabled) {
                JsonOption.print(out(), Map.of("schedule", MaintenanceWorkflow.SCHEDULE_ID, "done", what));
            } else {
                out().println("schedule " + MaintenanceWorkflow.SCHEDULE_ID + ": " + what);
            }
            return Main.OK;
        }

        /** Schedule-only verbs in cron mode: say what to do instead. */
        void requireScheduleMode(ScheduleSettings settings, String verb) {
            if (settings.mode() == ScheduleSettings.Mode.CRON) {
                throw new IllegalArgumentException(
                        "schedule " + verb + " works on the Temporal Schedule, but the mode is cron;"
                                + " to run a pass now use: partition-keeper maintain; to stop the cron workflow: schedule delete --mode"
                                + " cron");
            }
        }
    }

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            description =
                    "Create or update the Schedule (or cron workflow) from the configuration; idempotent. An update"
                            + " keeps a paused Schedule paused.")
    static final class Apply extends Verb {
        @Override
        int run(WorkerConfig cfg, ScheduleSettings settings, ScheduleApplier applier) throws Exception {
            ScheduleApplier.Applied a = applier.apply(cfg, settings);
            if (json.enabled) {
                JsonOption.print(out(), a);
                return Main.OK;
            }
            out().println(a.mode() + " " + a.id() + ": " + a.outcome() + " (" + a.when() + ", task queue "
                    + cfg.taskQueue() + (a.paused() ? ", PAUSED" : "") + ")");
            if (!a.nextRuns().isEmpty()) {
                out().println("next passes: " + String.join(", ", a.nextRuns()));
            }
            a.notes().forEach(n -> out().println("note: " + n));
            return Main.OK;
        }
    }

    @Command(
            name = "describe",
            mixinStandardHelpOptions = true,
            description = "Show the Schedule (or cron workflow): spec, policies, state, next and recent passes.")
    static final class Describe extends Verb {
        @Override
        int run(WorkerConfig cfg, ScheduleSettings settings, ScheduleApplier applier) throws Exception {
            if (settings.mode() == ScheduleSettings.Mode.CRON) {
                Optional<CronService.CronView> v = applier.cron(cfg.taskQueue()).describe();
                if (json.enabled) {
                    JsonOption.print(out(), v.orElse(null));
                } else if (v.isEmpty()) {
                    out().println("no cron workflow " + MaintenanceWorkflow.CRON_WORKFLOW_ID
                            + " is running; start it with: " + "partition-keeper schedule apply --mode cron");
                } else {
                    out().println("cron workflow " + v.get().workflowId() + " (run "
                            + v.get().runId() + "): cron \""
                            + v.get().expression() + "\", " + v.get().status()
                            + (v.get().nextPass() == null
                                    ? ""
                                    : ", next pass " + v.get().nextPass()));
                }
                return v.isPresent() ? Main.OK : Main.ATTENTION;
            }
            ScheduleService.ScheduleView v = applier.schedules().describe();
            if (json.enabled) {
                JsonOption.print(out(), v);
                return Main.OK;
            }
            AsciiTable t = new AsciiTable(List.of("setting", "value"), "");
            t.row("schedule", v.scheduleId());
            t.row("spec", v.spec());
            t.row("time zone", v.timezone());
            t.row("jitter", v.jitter());
            t.row("overlap", v.overlap());
            t.row("catch-up window", v.catchupWindow());
            t.row("pause on failure", v.pauseOnFailure());
            t.row(
                    "state",
                    (v.paused() ? "PAUSED" : "active")
                            + (v.note() == null || v.note().isEmpty() ? "" : " (" + v.note() + ")"));
            t.row("task queue", v.taskQueue());
            t.row(
                    "passes started",
                    v.actions() + " (skipped while one ran: " + v.skippedOverlap() + ", missed the catch-up window: "
                            + v.missedCatchupWindow() + ")");
            t.row("running", v.running().isEmpty() ? "none" : String.join(", ", v.running()));
            t.row("next passes", String.join(", ", v.nextRuns()));
            out().print(t.render());
            AsciiTable recent = new AsciiTable(List.of("due", "started", "workflow"), "No passes yet");
            v.recentRuns().forEach(r -> recent.row(r.scheduledAt(), r.startedAt(), r.workflowId()));
            out().println("Recent passes:");
            out().print(recent.render());
            return v.paused() ? Main.ATTENTION : Main.OK;
        }
    }

    @Command(
            name = "pause",
            mixinStandardHelpOptions = true,
            description = "Pause the Schedule; no pass starts until" + " unpause (running passes continue).")
    static final class Pause extends Verb {
        @Option(
                names = "--note",
                paramLabel = "TEXT",
                defaultValue = "paused with partition-keeper schedule pause",
                description = "Why, shown in the UI.")
        String note;

        @Override
        int run(WorkerConfig cfg, ScheduleSettings settings, ScheduleApplier applier) throws Exception {
            requireScheduleMode(settings, "pause");
            applier.schedules().pause(note);
            return done("paused");
        }
    }

    @Command(name = "unpause", mixinStandardHelpOptions = true, description = "Resume the Schedule.")
    static final class Unpause extends Verb {
        @Option(
                names = "--note",
                paramLabel = "TEXT",
                defaultValue = "unpaused with partition-keeper schedule unpause",
                description = "Why, shown in the UI.")
        String note;

        @Override
        int run(WorkerConfig cfg, ScheduleSettings settings, ScheduleApplier applier) throws Exception {
            requireScheduleMode(settings, "unpause");
            applier.schedules().unpause(note);
            return done("unpaused");
        }
    }

    @Command(
            name = "trigger",
            mixinStandardHelpOptions = true,
            description =
                    "Start a scheduled pass now (skipped"
                            + " while a scheduled pass runs; partition-keeper maintain joins a running on-demand pass instead).")
    static final class Trigger extends Verb {
        @Override
        int run(WorkerConfig cfg, ScheduleSettings settings, ScheduleApplier applier) throws Exception {
            requireScheduleMode(settings, "trigger");
            applier.schedules().trigger();
            return done("triggered");
        }
    }

    @Command(
            name = "backfill",
            mixinStandardHelpOptions = true,
            description = "Run the passes that were due between"
                    + " --from and --to (ISO-8601 instants, e.g. 2026-03-01T00:00:00Z), one after another.")
    static final class Backfill extends Verb {
        @Option(names = "--from", required = true, paramLabel = "INSTANT", description = "Start, inclusive.")
        String from;

        @Option(names = "--to", required = true, paramLabel = "INSTANT", description = "End, exclusive.")
        String to;

        @Override
        int run(WorkerConfig cfg, ScheduleSettings settings, ScheduleApplier applier) throws Exception {
            requireScheduleMode(settings, "backfill");
            Instant f = instant("--from", from);
            Instant t = instant("--to", to);
            applier.schedules().backfill(f, t);
            return done("backfilled " + f + " .. " + t);
        }

        private static Instant instant(String option, String text) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(
                        option + " must be an ISO-8601 instant such as 2026-03-01T00:00:00Z, got: \"" + text + "\"");
            }
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Delete the Schedule (or, with --mode"
                    + " cron, terminate the cron workflow). Passes already running finish.")
    static final class Delete extends Verb {
        @Override
        int run(WorkerConfig cfg, ScheduleSettings settings, ScheduleApplier applier) throws Exception {
            if (settings.mode() == ScheduleSettings.Mode.CRON) {
                boolean stopped = applier.cron(cfg.taskQueue()).stop("deleted with partition-keeper schedule delete");
                if (json.enabled) {
                    JsonOption.print(
                            out(), Map.of("workflow", MaintenanceWorkflow.CRON_WORKFLOW_ID, "stopped", stopped));
                } else {
                    out().println(
                                    stopped
                                            ? "cron workflow " + MaintenanceWorkflow.CRON_WORKFLOW_ID + " terminated"
                                            : "no cron workflow " + MaintenanceWorkflow.CRON_WORKFLOW_ID
                                                    + " was running");
                }
                return Main.OK;
            }
            applier.schedules().delete();
            return done("deleted");
        }
    }
}

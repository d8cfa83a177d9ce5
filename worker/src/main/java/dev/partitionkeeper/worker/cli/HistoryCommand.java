package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.schedule.PassHistory;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Recent passes from Temporal's history APIs: trigger, outcome, duration, actions. */
@Command(
        name = "history",
        mixinStandardHelpOptions = true,
        description =
                "List recent maintenance passes (scheduled, cron, on-demand) with outcome, duration and actions,"
                        + " from Temporal (works against the Java SDK test server too). Exit codes: 0 listed, 1 Temporal failed.")
final class HistoryCommand implements Callable<Integer> {
    @Mixin
    ScheduleCommand.TemporalTarget temporal;

    @Option(
            names = "--last",
            paramLabel = "N",
            defaultValue = "10",
            description = "How many passes, newest first (default: ${DEFAULT-VALUE}).")
    int last;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<PassHistory.PassSummary> passes;
        try (TemporalConnection conn = temporal.connect()) {
            passes = new PassHistory(conn.client()).recent(last);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json.enabled) {
            JsonOption.print(out, passes);
            return Main.OK;
        }
        AsciiTable t = new AsciiTable(
                List.of(
                        "started",
                        "workflow",
                        "trigger",
                        "status",
                        "outcome",
                        "duration",
                        "tables",
                        "actions",
                        "reason / error"),
                "No passes found");
        for (PassHistory.PassSummary p : passes) {
            t.row(
                    p.started(),
                    p.workflowId(),
                    p.trigger(),
                    p.status(),
                    p.outcome(),
                    duration(p.durationMillis()),
                    p.tables().size(),
                    p.actions(),
                    p.error() != null ? p.error() : p.reason());
        }
        out.print(t.render());
        out.flush();
        return Main.OK;
    }

    /** {@code 850ms}, {@code 42s}, {@code 3m07s}, {@code 1h02m}. */
    static String duration(long millis) {
        if (millis < 1000) {
            return millis + "ms";
        }
        long s = millis / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}

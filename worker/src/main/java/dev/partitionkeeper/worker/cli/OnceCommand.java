package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.PassRunner;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.TableReport;
import io.temporal.client.WorkflowFailedException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * One pass now, in this process: an embedded Temporal test server, the worker and the client, against
 * the configured PostgreSQL. For trying partition-keeper on a real database without a Temporal
 * cluster, and for benchmarks; production runs the worker and a Schedule.
 */
@Command(
        name = "once",
        mixinStandardHelpOptions = true,
        description = "Run one maintenance pass in-process (embedded Temporal test server) against the configured"
                + " PostgreSQL, print the report and exit.")
final class OnceCommand implements Callable<Integer>, LogOption.Holder {
    @Mixin
    ConfigOption config;

    @Mixin
    LogOption log;

    @Mixin
    TableOption tables;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public LogOption logOption() {
        return log;
    }

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        MaintenanceReport report;
        int code;
        String error = null;
        try (CliLogging logging = log.start("once")) {
            WorkerConfig cfg = config.load();
            PostgresSettings pg = ConfigOption.postgres(cfg);
            try (InProcessWorker worker = InProcessWorker.start(cfg, pg)) {
                try {
                    report = PassRunner.run(
                            worker.client(),
                            worker.taskQueue(),
                            new MaintenanceRequest(tables.names, dryRun.enabled, "partition-keeper once"));
                    code = report.tables().stream().anyMatch(t -> TableReport.ATTENTION.equals(t.status()))
                            ? Main.ATTENTION
                            : Main.OK;
                } catch (WorkflowFailedException e) {
                    report = PassRunner.reportOf(e).orElse(null);
                    error = "error: " + CliErrors.message(e);
                    code = Main.FAILED;
                }
            }
        }
        if (error != null) {
            err.println(error);
        }
        if (code != Main.OK) {
            log.footer().ifPresent(err::println);
        }
        if (report != null) {
            if (json.enabled) {
                JsonOption.print(out, report);
            } else {
                ReportPrinter.report(out, report);
            }
        }
        out.flush();
        return code;
    }
}

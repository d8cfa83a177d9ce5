package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.schedule.MaintenanceClient;
import dev.partitionkeeper.worker.schedule.SearchAttributeSetup;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceRequests;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.TableReport;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Asks for maintenance now: a signal to the well-known run {@code partition-maintenance} (started if none
 * runs, joined otherwise), or with {@code --wait} an update that returns the pass's report.
 */
@Command(
        name = "maintain",
        mixinStandardHelpOptions = true,
        description =
                "Ask for a maintenance pass now over all or some tables. Starts a pass on the running workers"
                        + " when none runs, or joins the running one (the request runs right after its current pass)."
                        + " Exit codes: 0 ok (or sent), 1 the pass failed, 2 bad request, 3 done but something needs attention.")
final class MaintainCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    ScheduleCommand.TemporalTarget temporal;

    @Mixin
    TableOption tables;

    @Option(
            names = "--reason",
            paramLabel = "TEXT",
            defaultValue = "operator request",
            description = "Shown in the run's history (default: ${DEFAULT-VALUE}).")
    String reason;

    @Mixin
    DryRunOption dryRun;

    @Option(names = "--wait", description = "Wait for the pass and print its report (an update instead of a signal).")
    boolean await;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WorkerConfig cfg = config.load();
        List<String> names = tables.requestNames(cfg);
        MaintenanceRequest request = new MaintenanceRequest(names, dryRun.enabled, reason);
        // the same check the workflow's validator makes, before anything is sent
        MaintenanceRequests.check(
                request, cfg.tables().stream().map(TablePolicy::table).toList());
        PrintWriter out = spec.commandLine().getOut();
        try (TemporalConnection conn = temporal.connect()) {
            boolean sa = SearchAttributeSetup.ensure(
                            conn.stubs(), conn.client().getOptions().getNamespace())
                    .available();
            MaintenanceClient client = new MaintenanceClient(conn.client(), cfg.taskQueue(), cfg.source(), sa);
            String what =
                    (names.isEmpty() ? "all tables" : String.join(", ", names)) + (dryRun.enabled ? " (dry run)" : "");
            if (!await) {
                MaintenanceClient.Sent sent = client.request(request);
                if (json.enabled) {
                    JsonOption.print(out, sent);
                } else {
                    out.println("requested maintenance of " + what + ": "
                            + (sent.joined()
                                    ? "joined the running pass (workflow " + sent.workflowId() + ", run " + sent.runId()
                                            + ")"
                                    : "started workflow " + sent.workflowId() + " (run " + sent.runId() + ")"));
                    out.println("follow it with: partition-keeper status --live, or partition-keeper history");
                }
                out.flush();
                return Main.OK;
            }
            MaintenanceReport report = client.requestAndWait(request);
            if (json.enabled) {
                JsonOption.print(out, report);
            } else {
                out.println("maintenance of " + what + " (workflow " + MaintenanceWorkflow.WORKFLOW_ID + "):");
                ReportPrinter.report(out, report);
            }
            out.flush();
            if (report.failed()) {
                return Main.FAILED;
            }
            return report.tables().stream().anyMatch(t -> TableReport.ATTENTION.equals(t.status()))
                    ? Main.ATTENTION
                    : Main.OK;
        }
    }
}

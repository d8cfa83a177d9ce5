package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.RestoreRequest;
import dev.partitionkeeper.workflows.RestoreWorkflow;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Restores an archived partition as a workflow (in-process embedded Temporal), verifying its checksum. */
@Command(
        name = "restore",
        mixinStandardHelpOptions = true,
        description = "Recreate a table from an archive (manifest DDL + rows via COPY), verify the checksum again,"
                + " and with --attach attach it back to its parent. Runs as a workflow on an in-process Temporal test"
                + " server against the configured PostgreSQL.")
final class RestoreCommand implements Callable<Integer>, LogOption.Holder {
    @Mixin
    ConfigOption config;

    @Mixin
    LogOption log;

    @Parameters(
            index = "0",
            paramLabel = "LOCATION",
            description =
                    "The archive's directory: s3://bucket/prefix/<schema>/<table>/<partition>/, file:///path or a path;"
                            + " or, with archive.format iceberg, iceberg:<schema>.<table>/<partition>,"
                            + " iceberg:<schema>.<table>@<from>..<to> (the partition's bounds) or"
                            + " iceberg:<schema>.<table>#<snapshot id> (as status shows it).")
    String location;

    @Option(
            names = "--into",
            paramLabel = "SCHEMA.TABLE",
            description = "Target table (default: the partition's name in its parent's schema). Must not exist.")
    String into;

    @Option(names = "--attach", description = "Attach the restored table to its parent with the archived bounds.")
    boolean attach;

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
        RestoreResult r;
        try (CliLogging logging = log.start("restore")) {
            WorkerConfig cfg = config.loadWithoutPolicy();
            r = restore(cfg, ConfigOption.postgres(cfg));
        }
        var out = spec.commandLine().getOut();
        if (json.enabled) {
            JsonOption.print(out, r);
        } else {
            AsciiTable t =
                    new AsciiTable(List.of("archive", "table", "rows", "checksum", "attached"), "Nothing restored");
            t.row(r.archive(), r.table(), r.rows(), r.contentChecksum(), attach ? "yes" : "no");
            out.print(t.render());
        }
        out.flush();
        return Main.OK;
    }

    private RestoreResult restore(WorkerConfig cfg, PostgresSettings pg) {
        try (InProcessWorker worker = InProcessWorker.start(cfg, pg)) {
            RestoreWorkflow wf = worker.client()
                    .newWorkflowStub(
                            RestoreWorkflow.class,
                            WorkflowOptions.newBuilder()
                                    .setWorkflowId(RestoreWorkflow.workflowId(location))
                                    .setWorkflowIdReusePolicy(
                                            WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                                    .setTaskQueue(cfg.taskQueue())
                                    .build());
            return wf.restore(new RestoreRequest(location, into, attach));
        }
    }
}

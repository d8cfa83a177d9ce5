package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.convert.ConvertMode;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.ConvertResult;
import dev.partitionkeeper.workflows.convert.ConvertWorkflow;
import dev.partitionkeeper.workflows.convert.Verification;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Converts an unpartitioned table to a range-partitioned one online, as a workflow; or rolls it back. */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = "Convert an ordinary table into a range-partitioned one without downtime: a partitioned twin with"
                + " the same columns, constraints, indexes, privileges and owner; existing rows copied in batches while a"
                + " trigger records concurrent changes; the changes replayed; both tables compared (row count + content"
                + " checksum); names swapped in one short transaction under lock_timeout. The original stays as"
                + " <table>_old. --rollback swaps back with the rows written since. Runs as a workflow on the workers"
                + " (or in this process with --embedded). Exit codes: 0 ok, 1 failed, 2 bad input.")
final class ConvertCommand implements Callable<Integer>, LogOption.Holder {
    @Mixin
    ConfigOption config;

    @Mixin
    LogOption log;

    @Mixin
    ScheduleCommand.TemporalTarget temporal;

    @Parameters(index = "0", paramLabel = "TABLE", description = "The table, e.g. public.transactions.")
    String table;

    @Option(
            names = "--column",
            paramLabel = "COLUMN",
            description = "The partition key: a timestamptz, timestamp, date, integer (smallint, integer, bigint,"
                    + " numeric(p,0)) or uuid column that is part of the primary key.")
    String column;

    @Option(
            names = "--key-encoding",
            paramLabel = "ENCODING",
            description = "For a bigint key holding time since the epoch: epoch_seconds, epoch_millis, epoch_micros"
                    + " or epoch_nanos (then --interval is a time interval).")
    String keyEncoding;

    @Option(
            names = "--interval",
            paramLabel = "INTERVAL",
            defaultValue = "monthly",
            description = "daily, weekly, monthly, quarterly, yearly, a whole number of a unit such as \"1 hour\", or"
                    + " for an integer key a step of key values such as 1000000 (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(
            names = "--premake",
            paramLabel = "N",
            defaultValue = "" + ConvertRequest.DEFAULT_PREMAKE,
            description = "Partitions ahead of the current period (default: ${DEFAULT-VALUE}).")
    int premake;

    @Option(names = "--default-partition", description = "Keep a DEFAULT partition; rows past the runway go there.")
    boolean defaultPartition;

    @Option(
            names = "--timezone",
            paramLabel = "ZONE",
            defaultValue = "UTC",
            description = "Partition boundaries are midnights in this zone (default: ${DEFAULT-VALUE}).")
    String timezone;

    @Option(
            names = "--rows-per-second",
            paramLabel = "N",
            defaultValue = "0",
            description = "Throttle the copy (default: 0, unthrottled).")
    long rowsPerSecond;

    @Option(
            names = "--batch-rows",
            paramLabel = "N",
            defaultValue = "" + ConvertRequest.DEFAULT_BATCH_ROWS,
            description = "Rows per copy transaction (default: ${DEFAULT-VALUE}).")
    int batchRows;

    @ArgGroup(exclusive = true)
    Mode mode;

    @Option(
            names = "--embedded",
            description =
                    "Run the workflow in this process on an in-process Temporal test server"
                            + " instead of on the workers (its history ends with the process; for development and small tables).")
    boolean embedded;

    @Option(names = "--no-wait", description = "Start the workflow and return.")
    boolean noWait;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    static final class Mode {
        @Option(
                names = "--rollback",
                description = "Swap back to the original table, with the rows written since the swap"
                        + " (before the swap: stop and drop the partial copy).")
        boolean rollback;

        @Option(
                names = "--finish",
                description = "Stop recording changes for a rollback (the original <table>_old stays).")
        boolean finish;
    }

    ConvertRequest request() {
        ConvertMode m = mode == null ? ConvertMode.CONVERT : mode.rollback ? ConvertMode.ROLLBACK : ConvertMode.FINISH;
        return new ConvertRequest(
                        table,
                        column,
                        interval,
                        premake,
                        defaultPartition,
                        timezone,
                        rowsPerSecond,
                        batchRows,
                        m,
                        keyEncoding)
                .validated();
    }

    @Override
    public LogOption logOption() {
        return log;
    }

    @Override
    public Integer call() throws Exception {
        log.none();
        ConvertRequest request = request();
        WorkerConfig cfg = config.loadWithoutPolicy();
        String id = ConvertWorkflow.workflowId(request.tableName().toString());
        PrintWriter out = spec.commandLine().getOut();
        if (embedded) {
            ConvertResult result;
            try (CliLogging logging = log.start("convert");
                    InProcessWorker worker = InProcessWorker.start(cfg, ConfigOption.postgres(cfg))) {
                ConvertWorkflow wf = worker.client().newWorkflowStub(ConvertWorkflow.class, options(id, cfg));
                result = wf.run(request);
            }
            return print(out, result);
        }
        try (TemporalConnection conn = temporal.connect()) {
            WorkflowClient client = conn.client();
            ConvertWorkflow wf = client.newWorkflowStub(ConvertWorkflow.class, options(id, cfg));
            try {
                WorkflowClient.start(wf::run, request);
            } catch (WorkflowExecutionAlreadyStarted e) {
                if (request.modeOrDefault() != ConvertMode.ROLLBACK) {
                    throw new IllegalArgumentException(
                            "a conversion run of " + request.tableName() + " is already running" + " (workflow " + id
                                    + "); follow it in the Temporal UI, or stop it with convert --rollback");
                }
                // a rollback stops the running conversion first: every step is idempotent and commits its progress
                client.newUntypedWorkflowStub(id).terminate("rollback requested by an operator");
                out.println("stopped the running conversion of " + request.tableName() + " (workflow " + id + ")");
                wf = client.newWorkflowStub(ConvertWorkflow.class, options(id, cfg));
                WorkflowClient.start(wf::run, request);
            }
            if (noWait) {
                out.println(
                        "started workflow " + id + "; follow it in the Temporal UI or with partition-keeper history");
                out.flush();
                return Main.OK;
            }
            return print(out, WorkflowStub.fromTyped(wf).getResult(ConvertResult.class));
        }
    }

    private static WorkflowOptions options(String id, WorkerConfig cfg) {
        return WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setTaskQueue(cfg.taskQueue())
                .build();
    }

    /** The {@code tables:} entry that keeps the converted table maintained as it was converted. */
    String policyEntry(String table) {
        StringBuilder e = new StringBuilder("  - table: ")
                .append(table)
                .append('\n')
                .append("    interval: ")
                .append(interval)
                .append('\n')
                .append("    premake: ")
                .append(premake)
                .append('\n');
        if (!"UTC".equals(timezone)) {
            e.append("    timezone: ").append(timezone).append('\n');
        }
        if (keyEncoding != null) {
            e.append("    key_encoding: ").append(keyEncoding).append('\n');
        }
        e.append("    default_partition: ")
                .append(defaultPartition ? "keep" : "none")
                .append('\n');
        return e.toString();
    }

    private int print(PrintWriter out, ConvertResult r) throws Exception {
        if (json.enabled) {
            JsonOption.print(out, r);
            return Main.OK;
        }
        out.println(r.mode().name().toLowerCase() + " " + r.table() + ": " + r.outcome());
        AsciiTable t = new AsciiTable(List.of("step", "result"), "Nothing to do");
        if (r.partitions() > 0) {
            t.row("prepare", r.partitions() + " partitions");
        }
        if (r.copy() != null) {
            t.row("copy", r.copy().totalRows() + " rows" + (r.copy().resumed() ? " (resumed)" : ""));
        }
        if (r.replayed() > 0) {
            t.row("replay", r.replayed() + " changes");
        }
        for (Verification v : r.verifications()) {
            t.row("verify", v.describe());
        }
        if (r.swap() != null && !r.swap().alreadyDone()) {
            t.row(
                    r.mode() == ConvertMode.CONVERT ? "swap" : "swap back",
                    "lock held " + r.swap().lockMillis() + " ms after "
                            + r.swap().attempts() + " attempt(s); other table now "
                            + r.swap().renamedTo()
                            + (r.swap().repointed().isEmpty()
                                    ? ""
                                    : "; re-pointed "
                                            + String.join(", ", r.swap().repointed())));
        }
        out.print(t.render());
        for (String n : r.notes()) {
            out.println(n);
        }
        if (r.mode() == ConvertMode.CONVERT && "converted".equals(r.outcome())) {
            out.println("To keep it partitioned, add it to the policy (tables: in " + config.file + "):");
            out.print(policyEntry(r.table()));
        }
        out.flush();
        return Main.OK;
    }
}

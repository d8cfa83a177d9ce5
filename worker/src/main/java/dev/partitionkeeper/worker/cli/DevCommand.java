package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.PassRunner;
import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.dev.EmbeddedPostgresServer;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.worker.dev.TemporalDevServer;
import dev.partitionkeeper.worker.schedule.CronService;
import dev.partitionkeeper.worker.schedule.MaintenanceClient;
import dev.partitionkeeper.worker.schedule.PassHistory;
import dev.partitionkeeper.worker.schedule.ScheduleApplier;
import dev.partitionkeeper.worker.schedule.ScheduleService;
import dev.partitionkeeper.worker.schedule.ScheduleSettings;
import dev.partitionkeeper.worker.schedule.SearchAttributeSetup;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowFailedException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job on an embedded PostgreSQL with a demo table: the real worker and client over gRPC, and every
 * pass printed as tables: the layout before, the plan, what was done, the archive and the layout after. Temporal
 * is the real server when the Temporal CLI is installed ({@code temporal server start-dev}, with the Web UI and a
 * Schedule), else the SDK's embedded test server.
 */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description =
                "Run maintenance on embedded PostgreSQL with demo data: create, detach, export to a local archive,"
                        + " verify, drop. Temporal: the Temporal CLI's dev server with the Web UI and a Schedule when the CLI is"
                        + " found (PATH, " + TemporalDevServer.CLI_ENV
                        + ", ~/.cache/partition-keeper/temporal/bin/temporal), else"
                        + " the SDK's embedded test server.")
final class DevCommand implements Callable<Integer>, LogOption.Holder {
    /** How often the Schedule runs a pass in {@code dev}. */
    static final Duration SCHEDULE_EVERY = Duration.ofMinutes(1);
    /** How often {@code dev} asks the Schedule whether it started a pass. */
    static final Duration SCHEDULE_POLL = Duration.ofMillis(500);
    /** The longest one scheduled pass may take before dev gives up on it. */
    static final Duration PASS_TIMEOUT = Duration.ofHours(1);

    @Option(names = "--once", description = "Exit after one pass.")
    boolean once;

    @Option(
            names = "--passes",
            paramLabel = "N",
            defaultValue = "0",
            description = "Exit after N passes (0 = run until interrupted; --once is --passes 1).")
    int passes;

    @Option(
            names = "--interval",
            paramLabel = "SECONDS",
            defaultValue = "30",
            description = "Seconds between passes of --mode loop (default: ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Option(
            names = "--rows-per-month",
            paramLabel = "N",
            defaultValue = "2000",
            description = "Demo rows per month (default: ${DEFAULT-VALUE}).")
    int rowsPerMonth;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description =
                    "After the first pass (on demand, update-with-start as maintain --wait does): schedule (default on"
                            + " a real server): the Temporal Schedule " + MaintenanceWorkflow.SCHEDULE_ID
                            + " every minute; cron"
                            + " (default on the test server): the durable cron workflow "
                            + MaintenanceWorkflow.CRON_WORKFLOW_ID
                            + " every --cron, as worker --mode cron runs it on servers without Schedules; loop: this process starts a"
                            + " pass every --interval seconds.")
    String mode;

    @Option(
            names = "--cron",
            paramLabel = "EXPR",
            defaultValue = "* * * * *",
            description = "Cadence of --mode cron (default: every minute, \"${DEFAULT-VALUE}\").")
    String cron;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description =
                    "Where the archive, the log and the demo's config file go (default: a new temporary directory).")
    Path dir;

    @Option(
            names = "--temporal-cli",
            paramLabel = "PATH",
            description = "The Temporal CLI to start the dev server with (default: found on "
                    + TemporalDevServer.CLI_ENV + ", PATH or ~/.cache/partition-keeper/temporal/bin/temporal).")
    Path temporalCli;

    @Option(
            names = "--temporal-address",
            paramLabel = "HOST:PORT",
            description = "Use this running Temporal server (namespace default) instead of starting one.")
    String temporalAddress;

    @Option(
            names = "--test-server",
            description = "Use the SDK's embedded test server even when the Temporal CLI is installed.")
    boolean testServer;

    @Mixin
    LogOption log;

    @Spec
    CommandSpec spec;

    @Override
    public LogOption logOption() {
        return log;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int limit = once ? 1 : passes;
        if (limit < 0) {
            throw new IllegalArgumentException("--passes must be 0 (until interrupted) or more, got: " + passes);
        }
        if (!EmbeddedPostgresServer.available()) {
            throw new IllegalArgumentException(EmbeddedPostgresServer.DEV_JAR_HINT);
        }
        if (temporalAddress != null && (temporalCli != null || testServer)) {
            throw new IllegalArgumentException(
                    "cannot use --temporal-address with --temporal-cli or --test-server: give"
                            + " the address of a running server, or let dev start one");
        }
        Path home = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("partition-keeper-dev-");
        Path archive = Files.createDirectories(home.resolve("archive"));
        Path logFile = home.resolve("partition-keeper.log");
        out.println("partition-keeper dev: files in " + home.toAbsolutePath()
                + (log.verbose
                        ? ""
                        : "; the worker's log goes to " + logFile.toAbsolutePath() + " (--verbose: to the screen)"));
        try (CliLogging logging = log.startInFile(logFile)) {
            return run(out, home, archive, limit);
        }
    }

    private int run(PrintWriter out, Path home, Path archive, int limit) throws Exception {
        out.println("starting embedded PostgreSQL...");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start()) {
            long rows = DemoData.create(pg.jdbcUrl(), LocalDate.now(ZoneOffset.UTC), rowsPerMonth);
            out.println("PostgreSQL " + pg.jdbcUrl() + ": demo table " + DemoData.TABLE + " with " + rows + " rows");
            Path configFile = home.resolve("partition-keeper.yaml");
            Files.writeString(
                    configFile,
                    "# the demo's policy, written by partition-keeper dev; its database lives as long"
                            + " as dev runs\npostgres:\n  url: '" + pg.jdbcUrl() + "'\n  user: postgres\n"
                            + DemoData.policyYaml(archive));
            WorkerConfig cfg = WorkerConfig.load(configFile, Map.of());
            out.println("archive: " + archive.toAbsolutePath() + " (retention_action archive_and_drop, drop_grace 0d);"
                    + " policy: " + configFile.toAbsolutePath());
            PostgresSettings pgs = new PostgresSettings(pg.jdbcUrl(), "postgres", null, 4);
            try (Temporal temporal = startTemporal(out, home);
                    WorkerRuntime runtime =
                            new WorkerRuntime(temporal.connection().client(), cfg, pgs, cfg::tables, null)) {
                runtime.start();
                out.println("worker polling task queue " + cfg.taskQueue());
                DevPass pass = new DevPass(out, runtime, cfg.tables().get(0), archive, configFile);
                pass.layout("before the first pass");
                String m = mode != null ? mode : temporal.real() ? "schedule" : "cron";
                if ("loop".equals(m)) {
                    return loopMode(pass, temporal, cfg, limit);
                }
                if (!"cron".equals(m) && !"schedule".equals(m)) {
                    throw new IllegalArgumentException("--mode must be schedule, cron or loop, got: \"" + mode + "\"");
                }
                if ("schedule".equals(m) && !temporal.real()) {
                    throw new IllegalArgumentException(
                            "--mode schedule needs a real Temporal server (the SDK's test server has"
                                    + " no Schedules): " + TemporalDevServer.INSTALL_HINT + ", or use --mode cron");
                }
                if ("cron".equals(m)) {
                    ScheduleSettings.checkCron(cron);
                }
                boolean searchAttributes = temporal.real()
                        && SearchAttributeSetup.ensure(temporal.connection().stubs(), "default")
                                .available();
                out.println();
                out.println("=== pass 1: on demand (update-with-start on workflow " + MaintenanceWorkflow.WORKFLOW_ID
                        + ") ===");
                MaintenanceReport first = new MaintenanceClient(
                                temporal.connection().client(), cfg.taskQueue(), cfg.source(), searchAttributes)
                        .requestAndWait(MaintenanceRequest.all("dev: first pass"));
                boolean failed = pass.printed(first, null, 1);
                if (limit == 1) {
                    out.flush();
                    return failed ? Main.FAILED : Main.OK;
                }
                return "cron".equals(m)
                        ? cronMode(pass, temporal, cfg, limit, failed)
                        : scheduleMode(pass, temporal, cfg, limit, failed);
            }
        }
    }

    /** The Temporal server dev runs on, and whether it is a real one (Schedules, visibility, UI). */
    private record Temporal(
            TemporalConnection connection, boolean real, AutoCloseable server, Thread hook, String uiUrl)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
            }
            connection.close();
            if (server != null) {
                server.close();
            }
        }
    }

    private Temporal startTemporal(PrintWriter out, Path home) {
        if (temporalAddress != null) {
            out.println("Temporal: the server at " + temporalAddress + " (namespace default)");
            return new Temporal(TemporalConnection.to(temporalAddress, "default"), true, null, null, null);
        }
        Optional<Path> cli = testServer ? Optional.empty() : TemporalDevServer.findCli(temporalCli, System.getenv());
        if (temporalCli != null && cli.isEmpty()) {
            throw new IllegalArgumentException(
                    "--temporal-cli " + temporalCli + " is not an executable file; " + TemporalDevServer.INSTALL_HINT);
        }
        if (cli.isPresent()) {
            out.println("starting the Temporal dev server (" + cli.get() + " server start-dev)...");
            TemporalDevServer server = TemporalDevServer.start(
                    cli.get(),
                    TemporalDevServer.Options.newBuilder()
                            .ui(true)
                            .logFile(home.resolve("temporal-server.log").toAbsolutePath())
                            .build());
            // Ctrl-C or SIGTERM: the server is a child process; do not leave it running
            Thread hook = new Thread(server::close, "pk-dev-temporal-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("Temporal dev server on " + server.target() + "; Web UI: " + server.uiUrl()
                    + "/namespaces/default" + "/workflows");
            TemporalConnection conn = TemporalConnection.to(server.target(), "default");
            return new Temporal(conn, true, server, hook, server.uiUrl());
        }
        EmbeddedTemporal embedded = EmbeddedTemporal.start();
        out.println("Temporal: the SDK's embedded test server on " + embedded.target() + " (no Web UI, no Schedules; "
                + (testServer
                        ? "without --test-server dev uses the Temporal CLI when installed: bash .ci/temporal-cli.sh)"
                        : "for both: bash .ci/temporal-cli.sh installs the Temporal CLI, then run dev again)"));
        return new Temporal(embedded.connection(), false, embedded, null, null);
    }

    private int loopMode(DevPass pass, Temporal temporal, WorkerConfig cfg, int limit) throws Exception {
        boolean failed = false;
        for (int n = 1; limit == 0 || n <= limit; n++) {
            pass.out.println();
            pass.out.println("=== pass " + n + " (workflow " + MaintenanceWorkflow.WORKFLOW_ID + ") ===");
            try {
                failed |= pass.printed(
                        PassRunner.run(
                                temporal.connection().client(),
                                cfg.taskQueue(),
                                MaintenanceRequest.all("dev pass " + n)),
                        null,
                        n);
            } catch (WorkflowFailedException e) {
                failed = true;
                pass.printed(PassRunner.reportOf(e).orElse(null), CliErrors.message(e), n);
            }
            if (limit != 0 && n >= limit) {
                break;
            }
            pass.out.println("next pass in " + intervalSeconds + " s (Ctrl-C to stop)");
            pass.out.flush();
            Thread.sleep(intervalSeconds * 1000L);
        }
        pass.out.flush();
        return failed ? Main.FAILED : Main.OK;
    }

    /** The cron workflow after the first pass, printing every pass it runs (the SDK's test server has no Schedules). */
    private int cronMode(DevPass pass, Temporal temporal, WorkerConfig cfg, int limit, boolean failed)
            throws Exception {
        PrintWriter out = pass.out;
        CronService cronService = new CronService(temporal.connection().client(), cfg.taskQueue());
        CronService.CronResult started = cronService.apply(cron, false, cfg.source());
        out.println();
        out.println("cron workflow " + started.workflowId() + " " + started.outcome() + ": cron \"" + cron
                + "\" (Ctrl-C to stop)");
        for (int n = 2; limit == 0 || n <= limit; n++) {
            var view = cronService.describe();
            out.println("next pass "
                    + view.map(v -> v.nextPass() == null ? "now" : "at " + v.nextPass())
                            .orElse("?"));
            out.flush();
            var done = cronService.awaitPass(Duration.ofDays(1));
            out.println();
            out.println("=== pass " + n + ": cron (workflow " + MaintenanceWorkflow.CRON_WORKFLOW_ID + ") ===");
            if (done.isEmpty()) {
                out.println("no pass finished within a day");
                return Main.FAILED;
            }
            failed |= pass.printed(done.get().report(), done.get().error(), n);
        }
        cronService.stop("dev: done after " + limit + " passes");
        out.flush();
        return failed ? Main.FAILED : Main.OK;
    }

    /**
     * The Temporal Schedule after the first pass: a pass every minute, each printed when it completes. The
     * Schedule's own record of the runs it started is read (not visibility, which lags behind).
     */
    private int scheduleMode(DevPass pass, Temporal temporal, WorkerConfig cfg, int limit, boolean failed)
            throws Exception {
        PrintWriter out = pass.out;
        var client = temporal.connection().client();
        ScheduleApplier applier =
                new ScheduleApplier(client, temporal.connection().toString());
        ScheduleApplier.Applied applied =
                applier.apply(cfg, ScheduleSettings.defaults().withEvery(SCHEDULE_EVERY));
        ScheduleService schedules = applier.schedules();
        // a server dev did not start keeps the Schedule after dev: delete it then, so no pass waits for a worker
        Thread cleanup =
                temporal.server() == null ? new Thread(() -> deleteQuietly(schedules), "pk-dev-schedule-delete") : null;
        if (cleanup != null) {
            Runtime.getRuntime().addShutdownHook(cleanup);
        }
        try {
            out.println();
            out.println("Schedule " + applied.id() + " " + applied.outcome() + ": " + applied.when()
                    + (temporal.uiUrl() == null
                            ? ""
                            : "; in the Web UI: " + temporal.uiUrl() + "/namespaces/default/schedules/" + applied.id())
                    + " (Ctrl-C to stop)");
            for (String note : applied.notes()) {
                out.println("  " + note);
            }
            PassHistory history = new PassHistory(client);
            Set<String> seen = new HashSet<>();
            schedules.describe().recentRuns().forEach(r -> seen.add(r.workflowId()));
            for (int n = 2; limit == 0 || n <= limit; n++) {
                List<String> next = schedules.describe().nextRuns();
                out.println("next pass at " + (next.isEmpty() ? "?" : next.get(0)));
                out.flush();
                ScheduleService.RecentRun run = awaitNewRun(schedules, seen);
                seen.add(run.workflowId());
                var done = history.awaitClose(
                        WorkflowExecution.newBuilder()
                                .setWorkflowId(run.workflowId())
                                .setRunId(run.runId())
                                .build(),
                        PASS_TIMEOUT);
                out.println();
                out.println(
                        "=== pass " + n + ": Schedule " + applied.id() + " (workflow " + run.workflowId() + ") ===");
                if (done.isEmpty()) {
                    out.println("the pass did not finish within " + PASS_TIMEOUT.toHours() + " h");
                    return Main.FAILED;
                }
                failed |= pass.printed(done.get().report(), done.get().error(), n);
            }
            schedules.delete();
        } finally {
            if (cleanup != null) {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
        }
        out.flush();
        return failed ? Main.FAILED : Main.OK;
    }

    private static ScheduleService.RecentRun awaitNewRun(ScheduleService schedules, Set<String> seen)
            throws InterruptedException {
        while (true) {
            for (ScheduleService.RecentRun r : schedules.describe().recentRuns()) {
                if (r.workflowId() != null && r.runId() != null && !seen.contains(r.workflowId())) {
                    return r;
                }
            }
            Thread.sleep(SCHEDULE_POLL.toMillis());
        }
    }

    private static void deleteQuietly(ScheduleService schedules) {
        try {
            schedules.delete();
        } catch (RuntimeException e) {
            // best effort on the way out
        }
    }

    /** How this program was started, for commands to copy: {@code java -jar <jar>} or {@code partition-keeper}. */
    static String self() {
        try {
            Path p = Path.of(DevCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (p.toString().endsWith(".jar")) {
                Path cwd = Path.of("").toAbsolutePath();
                return "java -jar " + (p.startsWith(cwd) ? cwd.relativize(p) : p);
            }
        } catch (Exception e) {
            // no code source: say the command's name
        }
        return "partition-keeper";
    }
}

package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.activities.postgres.CatalogReader;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import dev.partitionkeeper.worker.PassRunner;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.schedule.CronService;
import dev.partitionkeeper.worker.schedule.MaintenanceClient;
import dev.partitionkeeper.worker.schedule.ScheduleSettings;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.worker.dev.EmbeddedPostgresServer;
import io.temporal.client.WorkflowFailedException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job on the embedded default: an embedded Temporal test server and an embedded PostgreSQL
 * with a demo table, the real worker and client over gRPC, and a maintenance pass printed as tables.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = "Run maintenance on an embedded Temporal test server and embedded PostgreSQL with demo data.")
final class DevCommand implements Callable<Integer> {
  @Option(names = "--once", description = "Exit after one pass.")
  boolean once;
  @Option(names = "--passes", paramLabel = "N", defaultValue = "0",
      description = "Exit after N passes (0 = run until interrupted; --once is --passes 1).")
  int passes;
  @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "30",
      description = "Seconds between passes (default: ${DEFAULT-VALUE}).")
  int intervalSeconds;
  @Option(names = "--rows-per-month", paramLabel = "N", defaultValue = "2000",
      description = "Demo rows per month (default: ${DEFAULT-VALUE}).")
  int rowsPerMonth;
  @Option(names = "--mode", paramLabel = "MODE", defaultValue = "cron",
      description = "cron (default): the first pass on demand (update-with-start, as maintain --wait does), then the"
          + " durable cron workflow " + MaintenanceWorkflow.CRON_WORKFLOW_ID + " every --cron, as worker --mode cron"
          + " runs it on servers without Schedules; loop: this process starts a pass every --interval seconds.")
  String mode;
  @Option(names = "--cron", paramLabel = "EXPR", defaultValue = "* * * * *",
      description = "Cadence of --mode cron (default: every minute, \"${DEFAULT-VALUE}\").")
  String cron;
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    int limit = once ? 1 : passes;
    out.println("partition-keeper dev: starting embedded PostgreSQL and Temporal test server...");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start()) {
      long rows = DemoData.create(pg.jdbcUrl(), LocalDate.now(ZoneOffset.UTC), rowsPerMonth);
      out.println("PostgreSQL " + pg.jdbcUrl() + ": demo table " + DemoData.TABLE + " with " + rows + " rows");
      WorkerConfig cfg = WorkerConfig.parse("dev policy", DemoData.policyYaml(), Map.of())
          .withPostgres(pg.jdbcUrl(), "postgres");
      PostgresSettings pgs = new PostgresSettings(pg.jdbcUrl(), "postgres", null, 4);
      try (EmbeddedTemporal temporal = EmbeddedTemporal.start();
           WorkerRuntime runtime = new WorkerRuntime(temporal.connection().client(), cfg, pgs, cfg::tables, null)) {
        runtime.start();
        out.println("Temporal test server on " + temporal.target() + ", worker polling task queue " + cfg.taskQueue());
        TablePolicy policy = cfg.tables().get(0);
        printLayout(out, runtime, policy, "before the first pass");
        if ("cron".equals(mode)) {
          return cronMode(out, temporal, runtime, cfg, policy, limit);
        }
        if (!"loop".equals(mode)) {
          throw new IllegalArgumentException("--mode must be cron or loop, got: \"" + mode + "\"");
        }
        boolean failed = false;
        for (int n = 1; limit == 0 || n <= limit; n++) {
          out.println();
          out.println("=== pass " + n + " (workflow " + MaintenanceWorkflow.WORKFLOW_ID + ") ===");
          try {
            ReportPrinter.report(out, PassRunner.run(temporal.connection().client(), cfg.taskQueue(),
                MaintenanceRequest.all("dev pass " + n)));
          } catch (WorkflowFailedException e) {
            failed = true;
            PassRunner.reportOf(e).ifPresent(r -> ReportPrinter.report(out, r));
            out.println("pass " + n + " failed: " + CliErrors.message(e));
          }
          printLayout(out, runtime, policy, "after pass " + n);
          if (limit != 0 && n >= limit) {
            break;
          }
          out.println("next pass in " + intervalSeconds + " s (Ctrl-C to stop)");
          Thread.sleep(intervalSeconds * 1000L);
        }
        out.flush();
        return failed ? Main.FAILED : Main.OK;
      }
    }
  }

  /**
   * The first pass on demand (so something happens at once), then the cron workflow, printing every pass it
   * runs. The cron workflow is durable: it is the same chain a real server would keep running.
   */
  private int cronMode(PrintWriter out, EmbeddedTemporal temporal, WorkerRuntime runtime, WorkerConfig cfg,
      TablePolicy policy, int limit) throws Exception {
    ScheduleSettings.checkCron(cron);
    var client = temporal.connection().client();
    boolean failed = false;
    out.println();
    out.println("=== pass 1: on demand (update-with-start on workflow " + MaintenanceWorkflow.WORKFLOW_ID + ") ===");
    MaintenanceReport first = new MaintenanceClient(client, cfg.taskQueue(), cfg.source(), false)
        .requestAndWait(MaintenanceRequest.all("dev: first pass"));
    ReportPrinter.report(out, first);
    failed |= first.failed();
    printLayout(out, runtime, policy, "after pass 1");
    if (limit == 1) {
      out.flush();
      return failed ? Main.FAILED : Main.OK;
    }
    CronService cronService = new CronService(client, cfg.taskQueue());
    CronService.CronResult started = cronService.apply(cron, false, cfg.source());
    out.println();
    out.println("cron workflow " + started.workflowId() + " " + started.outcome() + ": cron \"" + cron
        + "\" (Ctrl-C to stop)");
    for (int n = 2; limit == 0 || n <= limit; n++) {
      var view = cronService.describe();
      out.println("next pass " + view.map(v -> v.nextPass() == null ? "now" : "at " + v.nextPass()).orElse("?"));
      var done = cronService.awaitPass(java.time.Duration.ofDays(1));
      out.println();
      out.println("=== pass " + n + ": cron (workflow " + MaintenanceWorkflow.CRON_WORKFLOW_ID + ") ===");
      if (done.isEmpty()) {
        out.println("no pass finished within a day");
        return Main.FAILED;
      }
      if (done.get().report() != null) {
        ReportPrinter.report(out, done.get().report());
      }
      if (done.get().error() != null) {
        failed = true;
        out.println("pass " + n + " failed: " + done.get().error());
      }
      printLayout(out, runtime, policy, "after pass " + n);
    }
    cronService.stop("dev: done after " + limit + " passes");
    out.flush();
    return failed ? Main.FAILED : Main.OK;
  }

  private static void printLayout(PrintWriter out, WorkerRuntime runtime, TablePolicy policy, String when)
      throws SQLException {
    try (Connection c = runtime.dataSource().getConnection()) {
      CatalogSnapshot snap = CatalogReader.read(c, policy.table());
      Map<String, Long> rows = new HashMap<>();
      try (Statement s = c.createStatement()) {
        for (PartitionInfo p : snap.partitions()) {
          var rs = s.executeQuery("SELECT count(*) FROM "
              + new dev.partitionkeeper.workflows.model.TableName(p.schema(), p.name()).quoted());
          rs.next();
          rows.put(p.name(), rs.getLong(1));
        }
        var rs = s.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'partition_archive'");
        rs.next();
        long archived = rs.getLong(1);
        out.println();
        out.println("Layout " + when + " (" + archived + " detached table(s) in schema partition_archive):");
      }
      ReportPrinter.layout(out, snap, policy.zone(), rows);
    }
  }
}

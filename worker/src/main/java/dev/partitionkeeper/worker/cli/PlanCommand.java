package dev.partitionkeeper.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The dry run: what the next pass would do, straight from the catalog, without Temporal. */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = "Show what the next pass would do (reads the catalog; changes nothing; no Temporal needed).")
final class PlanCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config;
  @Option(names = "--table", paramLabel = "TABLE", description = "Only this table (repeatable).")
  List<String> tables = new ArrayList<>();
  @Option(names = "--json", description = "Print the plans as JSON.")
  boolean json;
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    WorkerConfig cfg = config.load();
    PostgresSettings pg = ConfigOption.postgres(cfg);
    List<TablePolicy> selected = new ArrayList<>();
    for (TablePolicy p : cfg.tables()) {
      if (tables.isEmpty() || tables.stream().anyMatch(t -> TableName.parse(t, "public").equals(p.table()))) {
        selected.add(p);
      }
    }
    if (selected.isEmpty()) {
      throw new IllegalArgumentException("no table in " + cfg.source() + " matches " + tables);
    }
    var out = spec.commandLine().getOut();
    List<MaintenancePlan> plans = new ArrayList<>();
    try (HikariDataSource ds = PgDataSources.create(pg.jdbcUrl(), pg.user(), pg.password(), 2)) {
      var acts = new PostgresPartitionActivitiesImpl(ds, cfg.lockSettings(), cfg.archiveSchema(),
          cfg.bookkeepingSchema(), null);
      long now = System.currentTimeMillis();
      for (TablePolicy p : selected) {
        plans.add(acts.plan(p, now));
      }
    }
    if (json) {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(plans));
    } else {
      for (MaintenancePlan plan : plans) {
        ReportPrinter.plan(out, plan);
        out.println();
      }
    }
    out.flush();
    boolean attention = plans.stream().anyMatch(p -> !p.findings().isEmpty());
    return attention ? Main.ATTENTION : Main.OK;
  }
}

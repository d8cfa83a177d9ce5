package dev.partitionkeeper.worker.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The dry run: what the next pass would do, straight from the catalog, without Temporal. */
@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        description = "Show what the next pass would do (reads the catalog; changes nothing; no Temporal needed).")
final class PlanCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    TableOption tables;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WorkerConfig cfg = config.load();
        if (cfg.fleet().isFleet()) {
            return planFleet(cfg);
        }
        PostgresSettings pg = ConfigOption.postgres(cfg);
        List<TablePolicy> selected = tables.select(cfg);
        var out = spec.commandLine().getOut();
        List<MaintenancePlan> plans = new ArrayList<>();
        try (HikariDataSource ds = PgDataSources.create(pg.jdbcUrl(), pg.user(), pg.password(), 2)) {
            var acts = new PostgresPartitionActivitiesImpl(
                    ds, cfg.lockSettings(), cfg.archiveSchema(), cfg.bookkeepingSchema(), null);
            long now = System.currentTimeMillis();
            for (TablePolicy p : selected) {
                plans.add(acts.plan(p, now));
            }
        }
        if (json.enabled) {
            JsonOption.print(out, plans);
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

    /** Every database of the fleet (or those of {@code --database}), as each one's pass would survey it. */
    private int planFleet(WorkerConfig cfg) throws Exception {
        var out = spec.commandLine().getOut();
        List<FleetPlan.Line> lines = FleetPlan.plan(cfg, tables);
        if (json.enabled) {
            JsonOption.print(out, lines);
        } else {
            FleetPlan.print(out, lines);
        }
        out.flush();
        if (lines.stream().anyMatch(l -> l.error() != null)) {
            return Main.FAILED;
        }
        return lines.stream().anyMatch(l -> !l.plan().findings().isEmpty()) ? Main.ATTENTION : Main.OK;
    }
}

package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.activities.fleet.DatabasePools;
import dev.partitionkeeper.activities.fleet.RoutedPartitionActivities;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.fleet.FleetResolver;
import dev.partitionkeeper.workflows.activity.TableSurvey;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code plan} over a fleet: each database's tables surveyed as its pass's survey does (patterns matched, the
 * pool bounds of the configuration held), one database at a time. A database that cannot be read is reported
 * with its reason and the others are still planned.
 */
final class FleetPlan {
    /**
     * One table's line of a fleet plan.
     *
     * @param plan null when {@code error} is set
     */
    record Line(String database, String table, MaintenancePlan plan, String error) {}

    private FleetPlan() {}

    static List<Line> plan(WorkerConfig cfg, TableOption tables) {
        FleetResolver fleet = new FleetResolver(cfg, System.getenv());
        Map<String, List<TablePolicy>> byDatabase = tables.selectFleet(cfg, fleet);
        List<Line> out = new ArrayList<>();
        try (DatabasePools pools = new DatabasePools(fleet::target, cfg.fleet().limits())) {
            RoutedPartitionActivities acts = new RoutedPartitionActivities(
                    null,
                    db -> new PostgresPartitionActivitiesImpl(
                            pools.dataSource(db),
                            cfg.lockSettings(),
                            cfg.archiveSchema(),
                            cfg.bookkeepingSchema(),
                            null),
                    pools::dataSource);
            long now = System.currentTimeMillis();
            for (var e : byDatabase.entrySet()) {
                try {
                    for (TableSurvey s : acts.survey(e.getValue(), now)) {
                        out.add(new Line(e.getKey(), s.table(), s.plan(), s.error()));
                    }
                } catch (RuntimeException ex) {
                    String why = rootMessage(ex);
                    for (TablePolicy p : e.getValue()) {
                        out.add(new Line(e.getKey(), p.table().toString(), null, why));
                    }
                }
            }
        }
        return out;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? e.getMessage() : e.getMessage() + " (" + t.getMessage() + ")";
    }

    static void print(PrintWriter out, List<Line> lines) {
        String database = null;
        for (Line l : lines) {
            if (!l.database().equals(database)) {
                database = l.database();
                out.println("database " + database + ":");
            }
            if (l.error() != null) {
                out.println(l.table() + ": cannot plan: " + l.error());
            } else {
                ReportPrinter.plan(out, l.plan());
            }
            out.println();
        }
    }
}

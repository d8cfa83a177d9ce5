package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.activities.fleet.DatabasePools;
import dev.partitionkeeper.activities.fleet.TablePatterns;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.fleet.FleetResolver;
import dev.partitionkeeper.worker.schedule.TableStatus;
import dev.partitionkeeper.worker.schedule.TableStatusReader;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * {@code status} over a fleet: each database's tables (pattern entries matched) read from its catalog and
 * bookkeeping, one database at a time within the configuration's pool bounds.
 *
 * @param tables the tables of each database that could be read
 * @param errors why a database could not be read, by database
 */
record FleetStatus(Map<String, List<TableStatus>> tables, Map<String, String> errors) {

    static FleetStatus read(WorkerConfig cfg, TableOption option, Instant now) {
        FleetResolver fleet = new FleetResolver(cfg, System.getenv());
        Map<String, List<TablePolicy>> byDatabase = option.selectFleet(cfg, fleet);
        TableStatusReader reader = new TableStatusReader(cfg.bookkeepingSchema());
        Map<String, List<TableStatus>> tables = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        try (DatabasePools pools = new DatabasePools(fleet::target, cfg.fleet().limits())) {
            for (var e : byDatabase.entrySet()) {
                DataSource ds = pools.dataSource(e.getKey());
                try {
                    List<TablePolicy> policies = new ArrayList<>();
                    for (TablePatterns.Match m : TablePatterns.expand(ds, e.getValue())) {
                        policies.add(m.policy());
                    }
                    List<TableStatus> read = new ArrayList<>();
                    try (Connection c = ds.getConnection()) {
                        for (TablePolicy p : policies) {
                            read.add(reader.read(c, p, now));
                        }
                    }
                    tables.put(e.getKey(), read);
                } catch (SQLException | RuntimeException ex) {
                    errors.put(e.getKey(), ex.getMessage());
                }
            }
        }
        return new FleetStatus(tables, errors);
    }

    boolean attention() {
        return !errors.isEmpty()
                || tables.values().stream().flatMap(List::stream).anyMatch(TableStatus::attention);
    }

    void print(PrintWriter out) {
        for (String db : errors.keySet()) {
            out.println();
            out.println("== database " + db + ": cannot read: " + errors.get(db));
        }
        for (var e : tables.entrySet()) {
            out.println();
            out.println("==== database " + e.getKey() + ": " + e.getValue().size() + " table(s)");
            e.getValue().forEach(s -> StatusCommand.print(out, s));
        }
    }
}

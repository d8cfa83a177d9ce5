package dev.partitionkeeper.worker.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.fleet.DatabasePools;
import dev.partitionkeeper.activities.fleet.TablePatterns;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.activities.postgres.Privileges;
import dev.partitionkeeper.worker.config.DatabaseEntry;
import dev.partitionkeeper.worker.config.DurationText;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.fleet.FleetResolver;
import dev.partitionkeeper.workflows.model.TablePattern;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Checks the configuration file without touching any database; with {@code --privileges}, also reads the
 * catalog for the grants the configured role lacks (docs/operations.md, "Least-privilege grants").
 */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = "Check the configuration and policy file (no database, no Temporal).")
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(
            names = "--privileges",
            description = "Also connect to PostgreSQL and list the grants the role lacks"
                    + " for the policy's tables (reads the catalog only).")
    boolean privileges;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws SQLException {
        WorkerConfig cfg = config.load();
        boolean fleet = cfg.fleet().isFleet();
        List<String> columns =
                new ArrayList<>(List.of("table", "interval", "premake", "retention", "timezone", "default"));
        columns.add("retention_action");
        if (fleet) {
            columns.add(0, "database");
        }
        AsciiTable t = new AsciiTable(columns, "No tables");
        for (TablePolicy p : cfg.tables()) {
            List<Object> row = new ArrayList<>();
            if (fleet) {
                row.add(p.database() == null ? "(every database)" : p.database());
            }
            row.addAll(List.of(
                    TablePattern.text(p.table()),
                    p.interval().label(),
                    p.premake(),
                    p.retention() == null ? "forever" : p.retention(),
                    p.timezone(),
                    p.defaultPartition().name().toLowerCase(),
                    p.retentionAction().label()));
            t.row(row.toArray());
        }
        var out = spec.commandLine().getOut();
        out.println(cfg.source() + " is valid:");
        if (fleet) {
            AsciiTable d = new AsciiTable(List.of("entry", "databases", "server", "user"), "No databases");
            for (DatabaseEntry e : cfg.fleet().databases()) {
                d.row(
                        "databases[" + e.index() + "]",
                        e.kind().key() + " " + e.value(),
                        e.url() == null ? "(postgres:)" : PostgresSettings.redactUrl(e.url()),
                        e.user() == null ? "(postgres:)" : e.user());
            }
            out.print(d.render());
            out.println("(patterns and list files are read by each pass and by plan)");
        }
        out.print(t.render());
        runwayWarnings(cfg, out);
        out.flush();
        return privileges ? privileges(cfg) : Main.OK;
    }

    /**
     * A sub-day table whose runway ends before the next pass sends rows to the default partition (or fails them):
     * warned, not refused, since {@code plan} and {@code once} run without the schedule.
     */
    private static void runwayWarnings(WorkerConfig cfg, PrintWriter out) {
        Duration gap = cfg.schedule().longestGap();
        if (gap == null) {
            return;
        }
        for (TablePolicy p : cfg.tables()) {
            if (p.interval().isValueStep()) {
                continue; // an integer key's runway is in key values, not time
            }
            Duration period = Duration.ofMinutes(p.interval().minimumMinutes());
            Duration runway = period.multipliedBy(p.premake());
            if (p.interval().isSubDay() && runway.compareTo(gap) < 0) {
                long needed = (gap.toMinutes() + period.toMinutes() - 1) / period.toMinutes();
                out.println("warning: " + p.table() + ": premake " + p.premake() + " of "
                        + p.interval().label()
                        + " keeps " + DurationText.format(runway) + " ahead, but passes run "
                        + cfg.schedule().describe()
                        + " (up to " + DurationText.format(gap)
                        + " apart): rows past the runway go to the default partition or"
                        + " fail; set premake to " + needed + " or more, or run passes more often (schedule: every: "
                        + DurationText.format(period) + ")");
            }
        }
    }

    private static void missing(
            WorkerConfig cfg, Connection c, List<TablePolicy> tables, String prefix, Set<String> missing)
            throws SQLException {
        for (TablePolicy p : tables) {
            for (Privileges.Missing m : Privileges.missing(
                    c, p.table(), p.retention() == null ? null : cfg.archiveSchema(), cfg.bookkeepingSchema())) {
                missing.add(prefix + m);
            }
        }
    }

    /**
     * Every database of the fleet, its pattern entries matched there; a database that cannot be read is a missing
     * grant of its own ({@code CONNECT}, or the reason). True when the role reads all stats in every database read.
     */
    private static boolean fleetPrivileges(WorkerConfig cfg, Set<String> missing) {
        FleetResolver fleet = new FleetResolver(cfg, System.getenv());
        Map<String, List<TablePolicy>> byDatabase = new LinkedHashMap<>();
        for (TablePolicy p : fleet.resolve(cfg.tables())) {
            byDatabase.computeIfAbsent(p.database(), d -> new ArrayList<>()).add(p);
        }
        boolean stats = true;
        try (DatabasePools pools = new DatabasePools(fleet::target, cfg.fleet().limits())) {
            for (var e : byDatabase.entrySet()) {
                DataSource ds = pools.dataSource(e.getKey());
                try {
                    List<TablePolicy> tables = TablePatterns.expand(ds, e.getValue()).stream()
                            .map(TablePatterns.Match::policy)
                            .toList();
                    try (Connection c = ds.getConnection()) {
                        missing(cfg, c, tables, "database " + e.getKey() + ": ", missing);
                        stats &= Privileges.readsAllStats(c);
                    }
                } catch (SQLException ex) {
                    missing.add("database " + e.getKey() + ": cannot connect or read the catalog: " + ex.getMessage());
                }
            }
        }
        return stats;
    }

    private int privileges(WorkerConfig cfg) throws SQLException {
        PostgresSettings pg = ConfigOption.postgres(cfg);
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        Set<String> missing = new LinkedHashSet<>();
        boolean stats;
        if (cfg.fleet().isFleet()) {
            stats = fleetPrivileges(cfg, missing);
        } else {
            try (HikariDataSource ds = PgDataSources.create(pg.jdbcUrl(), pg.user(), pg.password(), 2);
                    Connection c = ds.getConnection()) {
                missing(cfg, c, cfg.tables(), "", missing);
                stats = Privileges.readsAllStats(c);
            }
        }
        if (!stats) {
            out.println(
                    "warning: the role is not a member of " + Privileges.READ_ALL_STATS + ": the lock gate cannot see"
                            + " other roles' long transactions and relies on lock_timeout retries alone; run: GRANT "
                            + Privileges.READ_ALL_STATS + " TO " + (pg.user() == null ? "<role>" : pg.user()));
        }
        if (missing.isEmpty()) {
            out.println("privileges: the role holds every grant the policy needs");
            out.flush();
            return Main.OK;
        }
        out.flush();
        err.println("error: the role lacks " + missing.size() + " grant(s) the policy needs:");
        for (String m : missing) {
            err.println("  - " + m);
        }
        err.flush();
        return Main.FAILED;
    }
}

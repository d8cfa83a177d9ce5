package dev.partitionkeeper.worker.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.schedule.LiveStatus;
import dev.partitionkeeper.worker.schedule.TableStatus;
import dev.partitionkeeper.worker.schedule.TableStatusReader;
import dev.partitionkeeper.workflows.MaintenanceStatus;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.PrintWriter;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Per-table layout from the catalog and the bookkeeping schema; with {@code --live}, what running passes do. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show each table under policy: partitions with bounds and estimated rows, runway, rows in the"
                + " default partition, detached / exported / verified / dropped partitions, recent actions. Reads the"
                + " database only (add --live for running passes from Temporal). Exit codes: 0 all well, 2 bad"
                + " configuration, 3 something needs attention.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    ScheduleCommand.TemporalTarget temporal;

    @Mixin
    TableOption tables;

    @Option(
            names = "--live",
            description = "Also show running passes: current table and step, progress, plan, last"
                    + " error (needs Temporal).")
    boolean live;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // --live shows the running passes, which need no policy: a file with the connection only will do
        WorkerConfig cfg = live ? config.loadWithoutPolicy() : config.load();
        if (cfg.fleet().isFleet() && !(live && cfg.tables().isEmpty())) {
            return fleet(cfg);
        }
        // without --live the file has tables (load() insists), so only status --live can select none
        List<TablePolicy> selected = tables.select(cfg);
        PostgresSettings pg = ConfigOption.postgres(cfg);
        List<TableStatus> statuses = new ArrayList<>();
        TableStatusReader reader = new TableStatusReader(cfg.bookkeepingSchema());
        Instant now = Instant.now();
        if (!selected.isEmpty()) {
            try (HikariDataSource ds = PgDataSources.create(pg.jdbcUrl(), pg.user(), pg.password(), 2);
                    Connection c = ds.getConnection()) {
                for (TablePolicy p : selected) {
                    statuses.add(reader.read(c, p, now));
                }
            }
        }
        List<LiveStatus.LivePass> passes = List.of();
        if (live) {
            try (TemporalConnection conn = temporal.connect()) {
                passes = new LiveStatus(conn.client()).running();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json.enabled) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("tables", statuses);
            if (live) {
                doc.put("running", passes);
            }
            JsonOption.print(out, doc);
        } else {
            statuses.forEach(s -> print(out, s));
            if (live) {
                printLive(out, passes);
            }
        }
        out.flush();
        boolean attention = statuses.stream().anyMatch(TableStatus::attention)
                || passes.stream()
                        .anyMatch(p -> p.status() != null && p.status().lastError() != null);
        return attention ? Main.ATTENTION : Main.OK;
    }

    /** Each database's tables (or those of {@code --database}); with {@code --live} also the running passes. */
    private int fleet(WorkerConfig cfg) throws Exception {
        FleetStatus status = FleetStatus.read(cfg, tables, Instant.now());
        List<LiveStatus.LivePass> passes = List.of();
        if (live) {
            try (TemporalConnection conn = temporal.connect()) {
                passes = new LiveStatus(conn.client()).running();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json.enabled) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("databases", status.tables());
            doc.put("errors", status.errors());
            if (live) {
                doc.put("running", passes);
            }
            JsonOption.print(out, doc);
        } else {
            status.print(out);
            if (live) {
                printLive(out, passes);
            }
        }
        out.flush();
        return status.attention() ? Main.ATTENTION : Main.OK;
    }

    /** What a never-analysed partition's row estimate says. */
    static final String NOT_ANALYZED = "not analyzed";

    private static final String DROPS = RetentionAction.ARCHIVE_AND_DROP.label();

    static void print(PrintWriter out, TableStatus s) {
        out.println();
        if (s.error() != null) {
            out.println("== " + s.table() + ": cannot read the catalog: " + s.error());
        } else {
            out.println("== " + s.table() + " (key " + s.keyColumn() + " " + s.keyType() + "): "
                    + (s.attention() ? "needs attention" : "ok") + "; runway " + s.runwayPartitions() + " of premake "
                    + s.premake()
                    + " (until " + s.runwayEnd() + "), default partition rows " + s.defaultRows());
            AsciiTable parts = new AsciiTable(List.of("partition", "from", "to", "est. rows"), "No partitions");
            s.partitions()
                    .forEach(p -> parts.row(
                            p.name() + (p.detachPending() ? " (detach pending)" : ""),
                            p.from(),
                            p.to(),
                            p.estimatedRows() < 0 ? NOT_ANALYZED : "~" + p.estimatedRows()));
            out.print(parts.render());
            if (s.hasUnanalysedPartitions()) {
                out.println("  (" + NOT_ANALYZED + ": PostgreSQL has no row estimate yet; ANALYZE " + s.table()
                        + " gives one for every partition)");
            }
        }
        TableStatus.Counts n = s.counts();
        out.println("Archive: " + n.detached() + " detached, " + n.exported() + " exported, " + n.verified()
                + " verified, " + n.dropped() + " dropped" + (n.expired() > 0 ? ", " + n.expired() + " expired" : ""));
        if (!s.archived().isEmpty()) {
            AsciiTable a = new AsciiTable(
                    List.of(
                            "partition",
                            "range",
                            "state",
                            "detached",
                            "exported",
                            "verified",
                            "dropped / drop after",
                            "rows",
                            "archive"),
                    "");
            s.archived()
                    .forEach(x -> a.row(
                            x.partition(),
                            "[" + x.from() + ", " + x.to() + ")",
                            x.state() + (x.lastError() == null ? "" : " (error)"),
                            x.detachedAt(),
                            x.exportedAt(),
                            x.verifiedAt(),
                            x.droppedAt() != null
                                    ? x.droppedAt()
                                    : !DROPS.equals(s.retentionAction())
                                            ? "kept (retention_action: " + s.retentionAction() + ")"
                                            : x.dropAfter() == null ? "" : "after " + x.dropAfter(),
                            x.rows(),
                            x.archiveExpiredAt() == null
                                    ? x.archive()
                                    : "deleted at " + x.archiveExpiredAt() + " by " + x.archiveExpiredBy()
                                            + " (archive_retention; was " + x.archive() + ")"));
            out.print(a.render());
        }
        if (!s.recentActions().isEmpty()) {
            AsciiTable a = new AsciiTable(List.of("at", "partition", "action", "outcome", "detail"), "");
            s.recentActions().forEach(x -> a.row(x.at(), x.partition(), x.action(), x.outcome(), x.detail()));
            out.println("Recent actions:");
            out.print(a.render());
        }
        s.problems().forEach(p -> out.println("  ! " + p));
    }

    static void printLive(PrintWriter out, List<LiveStatus.LivePass> passes) {
        out.println();
        if (passes.isEmpty()) {
            out.println("No pass is running.");
            return;
        }
        for (LiveStatus.LivePass p : passes) {
            MaintenanceStatus s = p.status();
            if (s == null) {
                out.println("Running: " + p.workflowId() + " (run " + p.runId() + "): " + p.note());
                continue;
            }
            out.println("Running: " + p.workflowId() + " (" + s.trigger() + ", pass " + s.pass() + ", " + s.phase()
                    + (s.dryRun() ? ", dry run" : "") + ", reason \"" + s.reason() + "\", " + s.queuedRequests()
                    + " request(s) queued)");
            AsciiTable t = new AsciiTable(List.of("table", "state", "step", "done", "plan"), "No tables");
            s.tables()
                    .forEach(x -> t.row(
                            x.table(),
                            x.state() + (x.lockWaits() > 0 ? " (waited " + x.lockWaits() + "x)" : ""),
                            x.step(),
                            x.actionsDone()
                                    + (x.plan().isEmpty() ? "" : "/" + x.plan().size()),
                            String.join("; ", x.plan())));
            out.print(t.render());
            if (!p.steps().isEmpty()) {
                AsciiTable st = new AsciiTable(
                        List.of("table", "activity", "state", "attempt", "rows", "bytes", "heartbeat", "last failure"),
                        "");
                p.steps()
                        .forEach(x -> st.row(
                                x.table(),
                                x.activity(),
                                x.state(),
                                x.attempt(),
                                x.rows(),
                                x.bytes(),
                                x.heartbeat(),
                                x.lastFailure()));
                out.print(st.render());
            }
            if (s.rejectedRequests() > 0) {
                out.println("  ! " + s.rejectedRequests()
                        + " request(s) ignored (malformed or naming tables not in the policy)");
            }
            if (s.lastError() != null) {
                out.println("  ! last error: " + s.lastError());
            }
        }
    }
}

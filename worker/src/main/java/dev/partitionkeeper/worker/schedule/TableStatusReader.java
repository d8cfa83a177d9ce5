package dev.partitionkeeper.worker.schedule;

import dev.partitionkeeper.activities.postgres.CatalogReader;
import dev.partitionkeeper.activities.postgres.KeyStatsReader;
import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.activities.postgres.bookkeeping.BookkeepingReader;
import dev.partitionkeeper.activities.postgres.bookkeeping.BookkeepingReader.ActionLogEntry;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.LayoutVerifier;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@link TableStatus}: the catalog through {@link CatalogReader} and the layout check the workflow
 * runs, plus the bookkeeping schema's lifecycle rows and action log. Read-only, autocommit: no lock is
 * held between statements.
 */
public final class TableStatusReader {
    /** Action-log entries shown per table. */
    static final int RECENT_ACTIONS = 5;

    private final BookkeepingReader books;

    public TableStatusReader(String bookkeepingSchema) {
        this.books = new BookkeepingReader(bookkeepingSchema);
    }

    /** @param now the time runway and retention are judged at */
    public TableStatus read(Connection c, TablePolicy policy, Instant now) throws SQLException {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = 20000");
        }
        String table = policy.table().toString();
        List<TableStatus.Archived> archived = new ArrayList<>();
        List<TableStatus.Action> actions = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        boolean drops = policy.retentionAction() == RetentionAction.ARCHIVE_AND_DROP;
        String action = policy.retentionAction().label();
        for (Bookkeeping.Lifecycle l : books.lifecycles(c, policy.table())) {
            String state = l.archiveExpiredAt() != null
                    ? "expired"
                    : l.droppedAt() != null
                            ? "dropped"
                            : l.verifiedAt() != null
                                    ? "verified"
                                    : l.exportedAt() != null
                                            ? "exported"
                                            : l.detachedAt() != null ? "detached" : "detaching";
            archived.add(new TableStatus.Archived(
                    l.partition(),
                    l.rangeFrom(),
                    l.rangeTo(),
                    state,
                    text(l.detachedAt()),
                    text(l.exportedAt()),
                    text(l.verifiedAt()),
                    drops ? text(l.dropAfter()) : null,
                    text(l.droppedAt()),
                    l.archivedRows() != null ? l.archivedRows() : l.estimatedRows(),
                    l.archiveLocation(),
                    l.lastError(),
                    text(l.archiveExpiredAt()),
                    l.archiveExpiredBy()));
            if (l.lastError() != null && l.droppedAt() == null) {
                problems.add(l.partition() + ": " + l.lastError());
            }
        }
        for (ActionLogEntry e : books.recentActions(c, policy.table(), RECENT_ACTIONS)) {
            actions.add(new TableStatus.Action(text(e.at()), e.partition(), e.action(), e.outcome(), e.detail()));
        }
        TableStatus.Counts counts = new TableStatus.Counts(
                (int) archived.stream().filter(a -> a.detachedAt() != null).count(),
                (int) archived.stream().filter(a -> a.exportedAt() != null).count(),
                (int) archived.stream().filter(a -> a.verifiedAt() != null).count(),
                (int) archived.stream().filter(a -> a.droppedAt() != null).count(),
                (int) archived.stream()
                        .filter(a -> a.archiveExpiredAt() != null)
                        .count());
        CatalogSnapshot snap;
        try {
            snap = MaintenancePlanner.keyed(
                    KeyStatsReader.withStats(c, CatalogReader.read(c, policy.table()), policy), policy);
        } catch (RuntimeException e) {
            // missing table, not range-partitioned, a name taken by something else: say so, keep the bookkeeping
            return new TableStatus(
                    table,
                    null,
                    null,
                    List.of(),
                    0,
                    policy.premake(),
                    "none",
                    0,
                    problems,
                    archived,
                    counts,
                    actions,
                    e.getMessage(),
                    action);
        }
        LayoutReport layout = LayoutVerifier.verify(snap, policy, now);
        List<TableStatus.Partition> parts = new ArrayList<>();
        for (PartitionInfo p : snap.partitions()) {
            parts.add(
                    p.isDefault()
                            ? new TableStatus.Partition(p.name(), "DEFAULT", "", p.estimatedRows(), true, false)
                            : new TableStatus.Partition(
                                    p.name(),
                                    KeyAxis.display(p.from(), snap.keyType(), policy.zone()),
                                    KeyAxis.display(p.to(), snap.keyType(), policy.zone()),
                                    p.estimatedRows(),
                                    false,
                                    p.detachPending()));
        }
        List<String> all = new ArrayList<>(layout.problems());
        all.addAll(problems);
        return new TableStatus(
                table,
                snap.keyColumn(),
                snap.keyType().label(),
                parts,
                layout.runwayPartitions(),
                policy.premake(),
                layout.runwayEnd(),
                snap.defaultRows(),
                all,
                archived,
                counts,
                actions,
                null,
                action);
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }
}

package dev.partitionkeeper.worker.metrics;

import dev.partitionkeeper.activities.postgres.CatalogConflictException;
import dev.partitionkeeper.activities.postgres.CatalogReader;
import dev.partitionkeeper.activities.postgres.KeyStatsReader;
import dev.partitionkeeper.activities.postgres.PolicyException;
import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.activities.postgres.bookkeeping.BookkeepingReader;
import dev.partitionkeeper.activities.postgres.bookkeeping.BookkeepingReader.Unverified;
import dev.partitionkeeper.workflows.model.KeyType;
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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * Reads one table's {@link TableState} from the live catalog (through {@link CatalogReader}, as the
 * planner does) and the bookkeeping schema. Read-only; each statement commits on its own, so no lock is
 * held between statements and the lock gate of a running DDL step sees no long transaction of ours.
 */
final class TableStateReader {
    /** Counting a bloated default partition must not run forever on every refresh. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(20);

    private final BookkeepingReader books;

    TableStateReader(String bookkeepingSchema) {
        this.books = new BookkeepingReader(bookkeepingSchema);
    }

    /**
     * @throws SQLException when the database cannot be asked at all (connection trouble); a table that is
     *     missing or not range-partitioned gives an unreadable state instead
     */
    TableState read(Connection c, TablePolicy policy, Instant now) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        Sql.exec(c, "SET statement_timeout = " + STATEMENT_TIMEOUT.toMillis());
        try {
            Books books = books(c, policy);
            CatalogSnapshot snap;
            try {
                snap = MaintenancePlanner.keyed(
                        KeyStatsReader.withStats(c, CatalogReader.read(c, policy.table()), policy), policy);
            } catch (PolicyException | CatalogConflictException e) {
                return TableState.unreadable(
                        e.getMessage(),
                        policy.premake(),
                        books.unverified,
                        books.oldestUnverified,
                        books.lastPass,
                        now);
            }
            LayoutReport layout = LayoutVerifier.verify(snap, policy, now);
            return new TableState(
                    true,
                    null,
                    snap.keyType().isInteger()
                            // integer keys have no time runway: infinite while the partitions hold the newest ids
                            ? (layout.runwayPartitions() > 0 ? Instant.MAX : null)
                            : runwayEnd(snap, policy.zone(), now),
                    layout.runwayPartitions(),
                    policy.premake(),
                    snap.defaultRows(),
                    layout.problems().size(),
                    books.unverified,
                    books.oldestUnverified,
                    books.lastPass,
                    now);
        } finally {
            Sql.exec(c, "RESET statement_timeout");
            c.setAutoCommit(auto);
        }
    }

    /**
     * Where contiguous coverage starting at "now" ends, as an instant; null when no partition covers now,
     * {@link Instant#MAX} when a partition runs to MAXVALUE.
     */
    static Instant runwayEnd(CatalogSnapshot snap, ZoneId zone, Instant now) {
        KeyType type = snap.keyType();
        long at = KeyAxis.now(now, zone, type);
        boolean covered = false;
        for (PartitionInfo p : snap.ranged()) { // sorted by lower bound
            if (p.from() <= at && p.to() > at) {
                at = p.to();
                covered = true;
                if (at == KeyAxis.MAX) {
                    return Instant.MAX;
                }
            }
        }
        if (!covered) {
            return null;
        }
        // timestamp and date bounds are wall-clock times in the policy's zone
        return type.kind() == KeyType.Kind.TIME && type != KeyType.TIMESTAMPTZ
                ? KeyAxis.wallClock(at, zone, type).atZone(zone).toInstant()
                : KeyAxis.instant(KeyAxis.toMicros(at, type));
    }

    private record Books(int unverified, Instant oldestUnverified, Instant lastPass) {}

    private Books books(Connection c, TablePolicy policy) throws SQLException {
        // detach_only tables never verify an archive: their detached partitions are not waiting for anything
        Unverified unverified = policy.retentionAction() == RetentionAction.DETACH_ONLY
                ? Unverified.NONE
                : books.unverified(c, policy.table());
        Instant lastPass =
                books.lastAction(c, policy.table(), PassRecorder.ACTION).orElse(null);
        return new Books(unverified.partitions(), unverified.oldestDetachedAt(), lastPass);
    }
}

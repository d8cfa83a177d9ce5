package dev.partitionkeeper.activities.postgres.bookkeeping;

import static dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping.instant;

import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping.Lifecycle;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The read API of the bookkeeping schema for everything that only looks (status, metrics): records, never
 * SQL, so the worker does not know the tables' columns. Reads before the first write (no schema yet) answer as
 * if nothing was recorded. Each method is one statement and takes no lock.
 */
public final class BookkeepingReader {
    /** One row of the action log. */
    public record ActionLogEntry(Instant at, String partition, String action, String outcome, String detail) {}

    /**
     * Partitions detached but neither verified in the archive nor dropped.
     *
     * @param oldestDetachedAt null when {@code partitions} is 0
     */
    public record Unverified(int partitions, Instant oldestDetachedAt) {
        public static final Unverified NONE = new Unverified(0, null);
    }

    private final Bookkeeping books;

    public BookkeepingReader(String schema) {
        this.books = new Bookkeeping(schema);
    }

    public String schema() {
        return books.schema();
    }

    /** Every lifecycle row of a parent, in detach order. */
    public List<Lifecycle> lifecycles(Connection c, TableName parent) throws SQLException {
        return books.exists(c) ? books.forParent(c, parent) : List.of();
    }

    public Unverified unverified(Connection c, TableName parent) throws SQLException {
        if (!books.exists(c)) {
            return Unverified.NONE;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*), min(detached_at) FROM "
                + BookkeepingTable.LIFECYCLE.in(schema())
                + " WHERE parent_schema = ? AND parent_table = ? AND detached_at IS NOT NULL AND verified_at IS NULL"
                + " AND dropped_at IS NULL")) {
            bindParent(ps, parent);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Unverified(rs.getInt(1), instant(rs.getTimestamp(2)));
            }
        }
    }

    /** When {@code action} was last logged for a parent. */
    public Optional<Instant> lastAction(Connection c, TableName parent, String action) throws SQLException {
        if (!books.exists(c, BookkeepingTable.ACTION_LOG)) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT max(at) FROM "
                + BookkeepingTable.ACTION_LOG.in(schema())
                + " WHERE parent_schema = ? AND parent_table = ? AND action = ?")) {
            bindParent(ps, parent);
            ps.setString(3, action);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.ofNullable(instant(rs.getTimestamp(1)));
            }
        }
    }

    /** The last {@code limit} actions logged for a parent, newest first. */
    public List<ActionLogEntry> recentActions(Connection c, TableName parent, int limit) throws SQLException {
        List<ActionLogEntry> out = new ArrayList<>();
        if (!books.exists(c, BookkeepingTable.ACTION_LOG)) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT at, partition_name, action, outcome, detail FROM "
                + BookkeepingTable.ACTION_LOG.in(schema())
                + " WHERE parent_schema = ? AND parent_table = ? ORDER BY id DESC LIMIT ?")) {
            bindParent(ps, parent);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ActionLogEntry(
                            instant(rs.getTimestamp(1)),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5)));
                }
            }
        }
        return out;
    }

    private static void bindParent(PreparedStatement ps, TableName parent) throws SQLException {
        ps.setString(1, parent.schema());
        ps.setString(2, parent.table());
    }
}

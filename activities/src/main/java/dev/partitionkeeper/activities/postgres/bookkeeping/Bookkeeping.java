package dev.partitionkeeper.activities.postgres.bookkeeping;

import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code partition_keeper} schema in the managed database: each partition's lifecycle (detached,
 * exported, verified, dropped) and a log of actions, so every step can see what is already done.
 */
public final class Bookkeeping {
    public static final String DEFAULT_SCHEMA = "partition_keeper";
    /** Bumped when the tables below change; {@link #ensure} applies what is missing. */
    static final int SCHEMA_VERSION = 2;

    /**
     * Columns added after version 1, each {@code name type}: added by {@link #ensure} when missing, so a
     * bookkeeping schema of an older worker gains them without a migration step (version 2: archive_retention).
     */
    private static final List<String[]> ADDED_COLUMNS = List.<String[]>of(
            new String[] {"archive_expired_at", "timestamptz"}, new String[] {"archive_expired_by", "text"});

    private final String schema;
    /** Set once ensure() succeeded: the schema is created once per worker, not once per step. */
    private volatile boolean ensured;

    public Bookkeeping(String schema) {
        this.schema = schema;
    }

    public String schema() {
        return schema;
    }

    private String t(BookkeepingTable table) {
        return table.in(schema);
    }

    /** The lifecycle table as messages name it: {@code partition_keeper.partition_lifecycle}. */
    public String lifecycleTableName() {
        return BookkeepingTable.LIFECYCLE.displayIn(schema);
    }

    /** The action log as messages name it: {@code partition_keeper.action_log}. */
    public String actionLogTableName() {
        return BookkeepingTable.ACTION_LOG.displayIn(schema);
    }

    /** Whether the lifecycle table exists (nothing was ever detached when it does not). */
    public boolean exists(Connection c) throws SQLException {
        return exists(c, BookkeepingTable.LIFECYCLE);
    }

    /** Whether one bookkeeping table exists; a read before the first write finds none. */
    boolean exists(Connection c, BookkeepingTable table) throws SQLException {
        return Sql.queryLong(
                        c,
                        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname = ? AND c.relname = ?",
                        schema,
                        table.tableName())
                > 0;
    }

    /** A bookkeeping table and the privileges partition-keeper needs on it. */
    public record Grant(String table, List<String> privileges) {}

    /** What the worker's role needs on each bookkeeping table it did not create itself. */
    public static List<Grant> requiredGrants() {
        return List.of(
                new Grant(BookkeepingTable.LIFECYCLE.tableName(), List.of("SELECT", "INSERT", "UPDATE")),
                new Grant(BookkeepingTable.ACTION_LOG.tableName(), List.of("SELECT", "INSERT")),
                new Grant(BookkeepingTable.SCHEMA_VERSION.tableName(), List.of("SELECT", "INSERT")));
    }

    /** Creates the schema and tables when missing. Safe to call concurrently (advisory lock). */
    public void ensure(Connection c) throws SQLException {
        if (ensured && exists(c)) {
            return;
        }
        inSchemaLock(c, schema, () -> {
            Sql.exec(c, "CREATE TABLE IF NOT EXISTS " + t(BookkeepingTable.LIFECYCLE) + """
           (
            parent_schema    text        NOT NULL,
            parent_table     text        NOT NULL,
            partition_name   text        NOT NULL,
            range_from       text        NOT NULL,
            range_to         text        NOT NULL,
            detached_schema  text,
            detached_at      timestamptz,
            estimated_rows   bigint,
            archive_location text,
            archived_rows    bigint,
            archive_checksum text,
            exported_at      timestamptz,
            verified_at      timestamptz,
            drop_after       timestamptz,
            dropped_at       timestamptz,
            last_error       text,
            archive_expired_at timestamptz,
            archive_expired_by text,
            updated_at       timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (parent_schema, parent_table, partition_name)
          )""");
            addMissingColumns(c);
            Sql.exec(c, "CREATE TABLE IF NOT EXISTS " + t(BookkeepingTable.ACTION_LOG) + """
           (
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at            timestamptz NOT NULL DEFAULT now(),
            parent_schema text        NOT NULL,
            parent_table  text        NOT NULL,
            partition_name text,
            action        text        NOT NULL,
            outcome       text        NOT NULL,
            rows          bigint,
            detail        text,
            workflow_id   text,
            activity_id   text
          )""");
            Sql.exec(
                    c,
                    "CREATE TABLE IF NOT EXISTS " + t(BookkeepingTable.SCHEMA_VERSION)
                            + " (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t(BookkeepingTable.SCHEMA_VERSION)
                    + " (version) VALUES (?) ON CONFLICT DO NOTHING")) {
                ps.setInt(1, SCHEMA_VERSION);
                ps.executeUpdate();
            }
        });
        ensured = true;
    }

    /**
     * Adds the {@link #ADDED_COLUMNS} a lifecycle table of an older version lacks. Looks first: a table another
     * role created (and granted us only SELECT, INSERT, UPDATE on) needs no ALTER once it has them.
     */
    private void addMissingColumns(Connection c) throws SQLException {
        for (String[] col : ADDED_COLUMNS) {
            if (!hasColumn(c, col[0])) {
                Sql.exec(
                        c,
                        "ALTER TABLE " + t(BookkeepingTable.LIFECYCLE) + " ADD COLUMN IF NOT EXISTS " + col[0] + " "
                                + col[1]);
            }
        }
    }

    /** Whether the lifecycle table has {@code column} (a read before {@link #ensure} may find an older table). */
    boolean hasColumn(Connection c, String column) throws SQLException {
        return Sql.queryLong(
                        c,
                        "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname = ? AND c.relname = ? AND a.attname = ? AND NOT a.attisdropped",
                        schema,
                        BookkeepingTable.LIFECYCLE.tableName(),
                        column)
                > 0;
    }

    /** Statements that create bookkeeping objects. */
    @FunctionalInterface
    public interface Ddl {
        void run() throws SQLException;
    }

    /**
     * Runs {@code ddl} in one transaction that holds the bookkeeping schema's advisory lock, after
     * {@code CREATE SCHEMA IF NOT EXISTS}: {@code CREATE ... IF NOT EXISTS} races on the catalog's unique indexes
     * when two workers start at once.
     */
    public static void inSchemaLock(Connection c, String schema, Ddl ddl) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            Sql.queryLong(
                    c,
                    "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext(?))) x",
                    "partition_keeper:" + schema);
            Sql.ensureSchema(c, schema);
            ddl.run();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** One row of {@code partition_lifecycle}. */
    public record Lifecycle(
            String parentSchema,
            String parentTable,
            String partition,
            String rangeFrom,
            String rangeTo,
            String detachedSchema,
            Instant detachedAt,
            Long estimatedRows,
            String archiveLocation,
            Long archivedRows,
            String archiveChecksum,
            Instant exportedAt,
            Instant verifiedAt,
            Instant dropAfter,
            Instant droppedAt,
            String lastError,
            Instant archiveExpiredAt,
            String archiveExpiredBy) {

        public TableName detachedTable() {
            return new TableName(detachedSchema, partition);
        }
    }

    /** Records that a detach is starting, so a re-run after a kill recognises the detached table as ours. */
    public void recordIntent(Connection c, TableName parent, String partition, String from, String to)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t(BookkeepingTable.LIFECYCLE)
                + " (parent_schema, parent_table, partition_name, range_from, range_to) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (parent_schema, parent_table, partition_name) DO NOTHING")) {
            ps.setString(1, parent.schema());
            ps.setString(2, parent.table());
            ps.setString(3, partition);
            ps.setString(4, from);
            ps.setString(5, to);
            ps.executeUpdate();
        }
    }

    /** Records (or re-records) a partition as detached into {@code detachedSchema}. */
    public void recordDetached(
            Connection c,
            TableName parent,
            String partition,
            String from,
            String to,
            String detachedSchema,
            long estimatedRows)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t(BookkeepingTable.LIFECYCLE) + """
         (parent_schema, parent_table, partition_name, range_from, range_to, detached_schema, detached_at,
          estimated_rows)
        VALUES (?, ?, ?, ?, ?, ?, now(), ?)
        ON CONFLICT (parent_schema, parent_table, partition_name) DO UPDATE
           SET detached_schema = EXCLUDED.detached_schema,
               detached_at = coalesce(partition_lifecycle.detached_at, EXCLUDED.detached_at),
               estimated_rows = EXCLUDED.estimated_rows,
               updated_at = now()
        """)) {
            ps.setString(1, parent.schema());
            ps.setString(2, parent.table());
            ps.setString(3, partition);
            ps.setString(4, from);
            ps.setString(5, to);
            ps.setString(6, detachedSchema);
            ps.setLong(7, estimatedRows);
            ps.executeUpdate();
        }
    }

    public Optional<Lifecycle> find(Connection c, TableName parent, String partition) throws SQLException {
        List<Lifecycle> l = query(
                c,
                "WHERE parent_schema = ? AND parent_table = ? AND partition_name = ?",
                parent.schema(),
                parent.table(),
                partition);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** Every lifecycle row of a parent, oldest range first. */
    public List<Lifecycle> forParent(Connection c, TableName parent) throws SQLException {
        return query(c, "WHERE parent_schema = ? AND parent_table = ?", parent.schema(), parent.table());
    }

    /**
     * The lifecycle rows of several parents in one query, each parent's rows in the order
     * {@link #forParent} gives them; a parent without rows maps to an empty list.
     */
    public Map<TableName, List<Lifecycle>> forParents(Connection c, List<TableName> parents) throws SQLException {
        Map<TableName, List<Lifecycle>> out = new LinkedHashMap<>();
        for (TableName p : parents) {
            out.put(p, new ArrayList<>());
        }
        if (parents.isEmpty()) {
            return out;
        }
        String[] schemas = parents.stream().map(TableName::schema).toArray(String[]::new);
        String[] tables = parents.stream().map(TableName::table).toArray(String[]::new);
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + t(BookkeepingTable.LIFECYCLE)
                + " WHERE (parent_schema, parent_table) IN (SELECT * FROM unnest(?::text[], ?::text[]))"
                + " ORDER BY detached_at NULLS LAST, partition_name")) {
            ps.setArray(1, c.createArrayOf("text", schemas));
            ps.setArray(2, c.createArrayOf("text", tables));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Lifecycle l = lifecycle(rs);
                    List<Lifecycle> list = out.get(new TableName(l.parentSchema(), l.parentTable()));
                    if (list != null) {
                        list.add(l);
                    }
                }
            }
        }
        return out;
    }

    /** Partitions detached but not dropped, of a parent. */
    public List<Lifecycle> pendingArchive(Connection c, TableName parent) throws SQLException {
        return query(
                c,
                "WHERE parent_schema = ? AND parent_table = ? AND dropped_at IS NULL AND detached_at IS NOT NULL",
                parent.schema(),
                parent.table());
    }

    private List<Lifecycle> query(Connection c, String where, String... params) throws SQLException {
        List<Lifecycle> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + t(BookkeepingTable.LIFECYCLE) + " " + where
                + " ORDER BY detached_at NULLS LAST, partition_name")) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(lifecycle(rs));
                }
            }
        }
        return out;
    }

    private static Lifecycle lifecycle(ResultSet rs) throws SQLException {
        return new Lifecycle(
                rs.getString("parent_schema"),
                rs.getString("parent_table"),
                rs.getString("partition_name"),
                rs.getString("range_from"),
                rs.getString("range_to"),
                rs.getString("detached_schema"),
                instant(rs.getTimestamp("detached_at")),
                (Long) rs.getObject("estimated_rows"),
                rs.getString("archive_location"),
                (Long) rs.getObject("archived_rows"),
                rs.getString("archive_checksum"),
                instant(rs.getTimestamp("exported_at")),
                instant(rs.getTimestamp("verified_at")),
                instant(rs.getTimestamp("drop_after")),
                instant(rs.getTimestamp("dropped_at")),
                rs.getString("last_error"),
                has(rs, "archive_expired_at") ? instant(rs.getTimestamp("archive_expired_at")) : null,
                has(rs, "archive_expired_by") ? rs.getString("archive_expired_by") : null);
    }

    /** Whether a {@code SELECT *} has the column: a reader may see a table of an older version. */
    private static boolean has(ResultSet rs, String column) throws SQLException {
        var md = rs.getMetaData();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            if (md.getColumnName(i).equals(column)) {
                return true;
            }
        }
        return false;
    }

    /** Updates named columns of one lifecycle row ({@code column = ?} pairs; names are ours, not input). */
    public int update(Connection c, TableName parent, String partition, String setClause, Object... values)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t(BookkeepingTable.LIFECYCLE) + " SET " + setClause
                + ", updated_at = now() WHERE parent_schema = ? AND parent_table = ? AND partition_name = ?")) {
            int i = 1;
            for (Object v : values) {
                ps.setObject(i++, v instanceof Instant in ? Timestamp.from(in) : v);
            }
            ps.setString(i++, parent.schema());
            ps.setString(i++, parent.table());
            ps.setString(i, partition);
            return ps.executeUpdate();
        }
    }

    /** One row of the action log. */
    public record ActionLogEntry(
            TableName parent,
            String partition,
            String action,
            String outcome,
            long rows,
            String detail,
            String workflowId,
            String activityId) {}

    /** Appends to the action log. */
    public void log(
            Connection c,
            TableName parent,
            String partition,
            String action,
            String outcome,
            long rows,
            String detail,
            String workflowId,
            String activityId)
            throws SQLException {
        log(c, List.of(new ActionLogEntry(parent, partition, action, outcome, rows, detail, workflowId, activityId)));
    }

    /** Appends {@code entries} to the action log in one batch (a survey's many tables: one round trip). */
    public void log(Connection c, List<ActionLogEntry> entries) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t(BookkeepingTable.ACTION_LOG)
                + " (parent_schema, parent_table, partition_name, action, outcome, rows, detail, workflow_id, activity_id)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (ActionLogEntry e : entries) {
                ps.setString(1, e.parent().schema());
                ps.setString(2, e.parent().table());
                ps.setString(3, e.partition());
                ps.setString(4, e.action());
                ps.setString(5, e.outcome());
                ps.setLong(6, e.rows());
                ps.setString(7, e.detail());
                ps.setString(8, e.workflowId());
                ps.setString(9, e.activityId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}

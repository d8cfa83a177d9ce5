package dev.partitionkeeper.activities.postgres;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a partitioned table from the live catalog: pg_partitioned_table for the key, pg_inherits
 * for the partitions and {@code pg_get_expr(relpartbound)} for their real bounds. Bounds are never
 * inferred from names: existing partitions may be named anything.
 *
 * <p>Bounds print according to the session's TimeZone and DateStyle; {@link PgDataSources} sets both
 * (UTC, ISO) on every connection, and {@link #read} sets them again locally to be safe.
 */
public final class CatalogReader {
    private static final Pattern RANGE = Pattern.compile("FOR VALUES FROM \\((.+)\\) TO \\((.+)\\)");

    /** Everything about the parent needed before its partitions can be read. */
    public record Parent(long oid, TableName table, String keyColumn, KeyType keyType, String owner) {}

    private CatalogReader() {}

    /**
     * Looks the table up and checks it is a range-partitioned table on one timestamptz, timestamp or
     * date column.
     *
     * @throws PolicyException naming the table and what is wrong
     */
    public static Parent parent(Connection c, TableName table) throws SQLException {
        String sql = """
        SELECT c.oid, c.relkind, pt.partstrat, pt.partnatts, pt.partattrs[0] AS attnum,
               a.attname, format_type(a.atttypid, a.atttypmod) AS keytype, pg_get_userbyid(c.relowner) AS owner
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
          LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = pt.partattrs[0]
         WHERE n.nspname = ? AND c.relname = ?
        """;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new PolicyException(
                            "table " + table + " does not exist in database " + c.getCatalog()
                                    + "; create the partitioned parent first (CREATE TABLE ... PARTITION BY RANGE (column)) or fix the name");
                }
                String relkind = rs.getString("relkind");
                if (!"p".equals(relkind)) {
                    String what = switch (relkind) {
                        case "r" -> "an ordinary table";
                        case "v" -> "a view";
                        case "m" -> "a materialized view";
                        case "f" -> "a foreign table";
                        default -> "a relation of kind '" + relkind + "'";
                    };
                    throw new PolicyException("table " + table + " is not range-partitioned: it is " + what
                            + ("r".equals(relkind)
                                    ? "; convert it first, online (partition-keeper convert " + table
                                            + " --column <key column>), or remove it from the policy"
                                    : "; name the partitioned parent table or remove it from the policy"));
                }
                String strategy = rs.getString("partstrat");
                if (!"r".equals(strategy)) {
                    throw new PolicyException("table " + table + " is not range-partitioned: it is partitioned by "
                            + ("l".equals(strategy) ? "LIST" : "h".equals(strategy) ? "HASH" : strategy));
                }
                if (rs.getInt("partnatts") != 1) {
                    throw new PolicyException("table " + table + " is partitioned by " + rs.getInt("partnatts")
                            + " columns; partition-keeper manages a single timestamptz, timestamp or date key");
                }
                if (rs.getInt("attnum") == 0) {
                    throw new PolicyException("table " + table + " is partitioned by an expression; partition-keeper"
                            + " manages a single timestamptz, timestamp or date column");
                }
                String formatted = rs.getString("keytype");
                KeyType type = KeyType.fromSqlName(formatted);
                if (type == null) {
                    throw new PolicyException("table " + table + " is partitioned by column " + rs.getString("attname")
                            + " of type " + formatted + "; the partition key must be timestamptz, timestamp or date");
                }
                return new Parent(rs.getLong("oid"), table, rs.getString("attname"), type, rs.getString("owner"));
            }
        }
    }

    /** The full snapshot: parent, partitions with bounds, and the default partition's rows. */
    public static CatalogSnapshot read(Connection c, TableName table) throws SQLException {
        Sql.exec(c, "SET TimeZone = 'UTC'");
        Sql.exec(c, "SET DateStyle = 'ISO, YMD'");
        Parent parent = parent(c, table);
        List<PartitionInfo> parts = new ArrayList<>();
        String sql = """
        SELECT n.nspname, c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound,
               i.inhdetachpending, c.reltuples::bigint AS est
          FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE i.inhparent = ?
        """;
        PartitionInfo def = null;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, parent.oid());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String bound = rs.getString("bound");
                    String schema = rs.getString(1);
                    String name = rs.getString(2);
                    boolean pending = rs.getBoolean("inhdetachpending");
                    long est = rs.getLong("est");
                    if ("DEFAULT".equals(bound)) {
                        def = new PartitionInfo(schema, name, 0, 0, true, pending, est);
                        parts.add(def);
                        continue;
                    }
                    Matcher m = RANGE.matcher(bound == null ? "" : bound);
                    if (!m.matches()) {
                        throw new PolicyException("partition " + name + " of " + table
                                + " has a bound partition-keeper cannot read: " + bound);
                    }
                    try {
                        parts.add(new PartitionInfo(
                                schema,
                                name,
                                KeyAxis.parseBound(m.group(1), parent.keyType()),
                                KeyAxis.parseBound(m.group(2), parent.keyType()),
                                false,
                                pending,
                                est));
                    } catch (IllegalArgumentException e) {
                        throw new PolicyException("partition " + name + " of " + table + ": " + e.getMessage()
                                + " (infinite or BC bounds are not supported)");
                    }
                }
            }
        }
        long rows = 0;
        long min = 0;
        long max = 0;
        if (def != null && !def.detachPending()) {
            String key = TableName.quoteIdent(parent.keyColumn());
            String q = "SELECT count(*), floor(extract(epoch FROM min(" + key + ")) * 1000000)::bigint,"
                    + " floor(extract(epoch FROM max(" + key + ")) * 1000000)::bigint FROM "
                    + new TableName(def.schema(), def.name()).quoted();
            try (PreparedStatement ps = c.prepareStatement(q);
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                rows = rs.getLong(1);
                min = rs.getLong(2);
                max = rs.getLong(3);
            }
        }
        return new CatalogSnapshot(table, parent.keyColumn(), parent.keyType(), parts, rows, min, max);
    }

    /** The oid of a relation, or 0 when it does not exist. */
    public static long oid(Connection c, TableName t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The parent a relation is attached to (pending or not), or 0. */
    public static long parentOf(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT inhparent FROM pg_inherits WHERE inhrelid = ?")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}

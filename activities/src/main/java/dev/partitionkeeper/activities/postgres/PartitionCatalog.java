package dev.partitionkeeper.activities.postgres;

import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** What the partition DDL reads from the catalog before it acts: a child's bounds, name, columns and marks. */
public final class PartitionCatalog {
    private PartitionCatalog() {}

    private static final Pattern RANGE = Pattern.compile("FOR VALUES FROM \\((.+)\\) TO \\((.+)\\)");

    /** A partition's bounds as SQL text without quotes ({@code 2026-03-01 00:00:00+00}, {@code MINVALUE}); null if none. */
    static String[] boundsOf(Connection c, long oid) throws SQLException {
        Sql.exec(c, "SET TimeZone = 'UTC'");
        try (PreparedStatement ps =
                c.prepareStatement("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = ?")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return null;
                }
                var m = RANGE.matcher(rs.getString(1));
                if (!m.matches()) {
                    return null;
                }
                return new String[] {unquote(m.group(1)), unquote(m.group(2))};
            }
        }
    }

    private static String unquote(String v) {
        String t = v.trim();
        return t.startsWith("'") && t.endsWith("'")
                ? t.substring(1, t.length() - 1).replace("''", "'")
                : t;
    }

    /** The parent's child (attached or pending) named {@code name}, in whatever schema it lives; null if none. */
    static TableName childNamed(Connection c, CatalogReader.Parent parent, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
        SELECT n.nspname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.inhparent = ? AND c.relname = ?""")) {
            ps.setLong(1, parent.oid());
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new TableName(rs.getString(1), name) : null;
            }
        }
    }

    /** The default partition of a parent, or null. */
    public static TableName defaultPartition(Connection c, CatalogReader.Parent parent) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
        SELECT n.nspname, c.relname FROM pg_partitioned_table pt
          JOIN pg_class c ON c.oid = pt.partdefid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE pt.partrelid = ?""")) {
            ps.setLong(1, parent.oid());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new TableName(rs.getString(1), rs.getString(2)) : null;
            }
        }
    }

    /** The parent's live columns in order. */
    static List<String> columns(Connection c, long relOid) throws SQLException {
        List<String> cols = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT attname FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped"
                        + " AND attgenerated = '' ORDER BY attnum")) {
            ps.setLong(1, relOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.add(rs.getString(1));
                }
            }
        }
        return cols;
    }

    static boolean isOurs(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT obj_description(?::oid, 'pg_class')")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                String comment = rs.next() ? rs.getString(1) : null;
                return comment != null && comment.startsWith(PartitionDdl.PENDING_COMMENT_PREFIX);
            }
        }
    }

    static long estimatedRows(Connection c, long oid) throws SQLException {
        return Math.max(0, Sql.queryLong(c, "SELECT reltuples::bigint FROM pg_class WHERE oid = ?", oid));
    }
}

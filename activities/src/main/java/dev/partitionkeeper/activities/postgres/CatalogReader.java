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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
                return checked(table, c.getCatalog(), rs.next() ? rs : null);
            }
        }
    }

    /**
     * The parent described by the current row of {@code rs} (columns oid, relkind, partstrat, partnatts,
     * attnum, attname, keytype, owner), or the refusal that says what is wrong with it.
     *
     * @param rs null when the table does not exist
     */
    private static Parent checked(TableName table, String database, ResultSet rs) throws SQLException {
        if (rs == null) {
            throw new PolicyException(
                    "table " + table + " does not exist in database " + database
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
                    + " of type " + formatted + "; " + KeyType.refusal(formatted));
        }
        return new Parent(rs.getLong("oid"), table, rs.getString("attname"), type, rs.getString("owner"));
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
                    PartitionInfo p = partition(parent, rs);
                    if (p.isDefault()) {
                        def = p;
                    }
                    parts.add(p);
                }
            }
        }
        long rows = 0;
        long min = 0;
        long max = 0;
        if (def != null && !def.detachPending()) {
            try (PreparedStatement ps = c.prepareStatement(defaultStatsQuery(parent, def, 0));
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                rows = rs.getLong(2);
                min = rs.getLong(3);
                max = rs.getLong(4);
            }
        }
        return new CatalogSnapshot(table, parent.keyColumn(), parent.keyType(), parts, rows, min, max);
    }

    /** One partition from the current row of {@code rs} (columns nspname, relname, bound, inhdetachpending, est). */
    private static PartitionInfo partition(Parent parent, ResultSet rs) throws SQLException {
        String bound = rs.getString("bound");
        String schema = rs.getString("nspname");
        String name = rs.getString("relname");
        boolean pending = rs.getBoolean("inhdetachpending");
        long est = rs.getLong("est");
        if ("DEFAULT".equals(bound)) {
            return new PartitionInfo(schema, name, 0, 0, true, pending, est);
        }
        Matcher m = RANGE.matcher(bound == null ? "" : bound);
        if (!m.matches()) {
            throw new PolicyException("partition " + name + " of " + parent.table()
                    + " has a bound partition-keeper cannot read: " + bound);
        }
        try {
            return new PartitionInfo(
                    schema,
                    name,
                    KeyAxis.parseBound(m.group(1), parent.keyType()),
                    KeyAxis.parseBound(m.group(2), parent.keyType()),
                    false,
                    pending,
                    est);
        } catch (IllegalArgumentException e) {
            throw new PolicyException("partition " + name + " of " + parent.table() + ": " + e.getMessage()
                    + (parent.keyType().kind() == KeyType.Kind.TIME
                            ? " (infinite or BC bounds are not supported)"
                            : ""));
        }
    }

    /** Row count, lowest and highest key (axis values) of a default partition, tagged with {@code tag}. */
    private static String defaultStatsQuery(Parent parent, PartitionInfo def, int tag) {
        String key = TableName.quoteIdent(parent.keyColumn());
        String from = new TableName(def.schema(), def.name()).quoted();
        return switch (parent.keyType().kind()) {
            case TIME ->
                "SELECT " + tag + ", count(*), floor(extract(epoch FROM min(" + key + ")) * 1000000)::bigint,"
                        + " floor(extract(epoch FROM max(" + key + ")) * 1000000)::bigint FROM " + from;
            // a numeric(p,0) key beyond a bigint fails here, as its bounds would
            case INTEGER, EPOCH ->
                "SELECT " + tag + ", count(*), min(" + key + ")::bigint, max(" + key + ")::bigint FROM " + from;
            // uuid has no min()/max(): its btree order, through the 48-bit millisecond prefix, in microseconds
            case UUID ->
                "SELECT " + tag + ", count(*), " + uuidMicros("min(" + key + "::text)") + ", "
                        + uuidMicros("max(" + key + "::text)") + " FROM " + from;
        };
    }

    /**
     * SQL for the {@link KeyAxis} value (microseconds of the 48-bit millisecond prefix) of a UUID given as text.
     * The text of a UUID sorts as the UUID does (lower-case hex at fixed places).
     */
    public static String uuidMicros(String uuidText) {
        return "(('x' || substr(replace(" + uuidText + ", '-', ''), 1, 12))::bit(48)::bigint * 1000)";
    }

    /**
     * A table's catalog as {@link #readAll} read it: the snapshot {@link #read} would return, or what
     * {@link #read} would have thrown for this table alone.
     */
    public record Read(TableName table, CatalogSnapshot snapshot, Exception failure) {
        /** The snapshot, or the table's own refusal thrown again. */
        public CatalogSnapshot get() throws SQLException {
            if (failure instanceof SQLException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            return snapshot;
        }
    }

    /**
     * {@link #read} for many tables in a few statements whatever their number: one for the parents, one for
     * all their partitions and one for the row counts of the default partitions that need one. Each table
     * gets the snapshot {@link #read} would give it; a table that {@link #read} would refuse (missing, not
     * range-partitioned, an unreadable bound, no privilege to read its default partition) gets that refusal
     * and does not affect the others. Other SQL errors (a lost connection) are thrown.
     *
     * @return one entry per table, in the order given
     */
    public static List<Read> readAll(Connection c, List<TableName> tables) throws SQLException {
        int n = tables.size();
        List<Read> out = new ArrayList<>(n);
        if (n == 0) {
            return out;
        }
        Sql.exec(c, "SELECT set_config('TimeZone', 'UTC', false), set_config('DateStyle', 'ISO, YMD', false)");
        Parent[] parents = new Parent[n];
        Exception[] failures = new Exception[n];
        String database = c.getCatalog();
        String sql = """
        SELECT t.ord, c.oid, c.relkind, pt.partstrat, pt.partnatts, pt.partattrs[0] AS attnum,
               a.attname, format_type(a.atttypid, a.atttypmod) AS keytype, pg_get_userbyid(c.relowner) AS owner
          FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS t(nspname, relname, ord)
          LEFT JOIN (pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace)
                 ON n.nspname = t.nspname AND c.relname = t.relname
          LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
          LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = pt.partattrs[0]
        """;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(
                    1,
                    c.createArrayOf(
                            "text", tables.stream().map(TableName::schema).toArray()));
            ps.setArray(
                    2,
                    c.createArrayOf(
                            "text", tables.stream().map(TableName::table).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = rs.getInt("ord") - 1;
                    rs.getLong("oid");
                    try {
                        parents[i] = checked(tables.get(i), database, rs.wasNull() ? null : rs);
                    } catch (PolicyException e) {
                        failures[i] = e;
                    }
                }
            }
        }
        Map<Long, List<Integer>> byOid = new HashMap<>();
        for (int i = 0; i < n; i++) {
            if (parents[i] != null) {
                byOid.computeIfAbsent(parents[i].oid(), k -> new ArrayList<>()).add(i);
            }
        }
        List<List<PartitionInfo>> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            parts.add(new ArrayList<>());
        }
        PartitionInfo[] defaults = new PartitionInfo[n];
        if (!byOid.isEmpty()) {
            String partSql = """
            SELECT i.inhparent, n.nspname, c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound,
                   i.inhdetachpending, c.reltuples::bigint AS est
              FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE i.inhparent = ANY (?::oid[])
            """;
            try (PreparedStatement ps = c.prepareStatement(partSql)) {
                ps.setArray(1, c.createArrayOf("int8", byOid.keySet().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        for (int i : byOid.getOrDefault(rs.getLong("inhparent"), List.of())) {
                            if (failures[i] != null) {
                                continue;
                            }
                            try {
                                PartitionInfo p = partition(parents[i], rs);
                                if (p.isDefault()) {
                                    defaults[i] = p;
                                }
                                parts.get(i).add(p);
                            } catch (PolicyException e) {
                                failures[i] = e;
                            }
                        }
                    }
                }
            }
        }
        long[][] stats = new long[n][3];
        List<Integer> counted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (failures[i] == null && parents[i] != null && defaults[i] != null && !defaults[i].detachPending()) {
                counted.add(i);
            }
        }
        if (!counted.isEmpty()) {
            String union = counted.stream()
                    .map(i -> defaultStatsQuery(parents[i], defaults[i], i))
                    .collect(Collectors.joining(" UNION ALL "));
            try {
                readStats(c, union, stats);
            } catch (SQLException e) {
                if (!Privileges.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                    throw e;
                }
                // a default partition the role may not read: find which, one table at a time, as read() would
                for (int i : counted) {
                    try {
                        readStats(c, defaultStatsQuery(parents[i], defaults[i], i), stats);
                    } catch (SQLException each) {
                        if (!Privileges.INSUFFICIENT_PRIVILEGE.equals(each.getSQLState())) {
                            throw each;
                        }
                        failures[i] = each;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            TableName table = tables.get(i);
            if (failures[i] != null) {
                out.add(new Read(table, null, failures[i]));
            } else {
                Parent p = parents[i];
                out.add(new Read(
                        table,
                        new CatalogSnapshot(
                                table, p.keyColumn(), p.keyType(), parts.get(i), stats[i][0], stats[i][1], stats[i][2]),
                        null));
            }
        }
        return out;
    }

    private static void readStats(Connection c, String sql, long[][] stats) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long[] s = stats[rs.getInt(1)];
                s[0] = rs.getLong(2);
                s[1] = rs.getLong(3);
                s[2] = rs.getLong(4);
            }
        }
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

package dev.partitionkeeper.activities.postgres;

import dev.partitionkeeper.workflows.model.KeyEncoding;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.KeyStats;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the {@link KeyStats} a table's plan needs, never by scanning the table:
 *
 * <ul>
 *   <li>integer keys: the largest key, as {@code SELECT max(key)} on the newest partitions, from the top down
 *       until one has rows. PostgreSQL answers it from a btree index on the key (one descent); without such an
 *       index it reads the newest non-empty partition, the one being filled, whole. The empty premade
 *       partitions above it cost nothing either way.
 *   <li>a {@code retention_column}: the newest value of that column in each partition below the one holding the
 *       largest key, in one statement, each answered from an index on the column. Refused without such an index
 *       (each pass would read every old partition whole) or when the column is not a timestamp or date.
 *   <li>UUIDv7 keys: how many rows of the default partition are not version 7 (the default partition is counted
 *       every pass anyway).
 * </ul>
 */
public final class KeyStatsReader {
    /** SQLSTATE numeric_value_out_of_range: a numeric(p,0) key beyond a bigint. */
    private static final String OUT_OF_RANGE = "22003";

    private KeyStatsReader() {}

    /**
     * {@code snap} with its {@link KeyStats}, checked against {@code policy}.
     *
     * @throws PolicyException when the key does not fit the policy, or the retention_column is missing, of the
     *     wrong type or without an index
     */
    public static CatalogSnapshot withStats(Connection c, CatalogSnapshot snap, TablePolicy policy)
            throws SQLException {
        CatalogSnapshot keyed;
        try {
            keyed = MaintenancePlanner.keyed(snap, policy);
        } catch (IllegalArgumentException e) {
            throw new PolicyException(snap.table() + ": " + e.getMessage());
        }
        try {
            KeyAxis.periodZone(policy.interval(), policy.zone(), keyed.keyType());
        } catch (IllegalArgumentException e) {
            boolean kinds = keyed.keyType().isInteger() != policy.interval().isValueStep();
            throw new PolicyException(
                    kinds
                            ? "table " + snap.table() + " is partitioned by column " + snap.keyColumn() + " of type "
                                    + snap.keyType().sqlName() + "; " + e.getMessage()
                            : policy.table() + ": " + e.getMessage());
        }
        KeyType type = keyed.keyType();
        if (type.kind() == KeyType.Kind.EPOCH) {
            checkEncoding(keyed, policy);
        }
        Long maxKey = type.isInteger() ? maxKey(c, snap) : null;
        KeyType retentionType = null;
        Map<String, Long> newest = Map.of();
        long parentOid = type.isInteger() ? CatalogReader.oid(c, snap.table()) : 0;
        boolean unindexed = type.isInteger() && !indexed(c, parentOid, snap.keyColumn());
        if (policy.retentionColumn() != null && type.isInteger()) {
            retentionType = retentionColumnType(c, snap.table(), parentOid, policy.retentionColumn());
            newest = newest(c, snap, policy.retentionColumn(), maxKey);
        }
        long foreign = 0;
        if (type == KeyType.UUID && snap.defaultRows() > 0) {
            PartitionInfo def = snap.defaultPartition().orElseThrow();
            foreign = Sql.queryLong(
                    c,
                    "SELECT count(*) FROM " + new TableName(def.schema(), def.name()).quoted() + " WHERE substr("
                            + TableName.quoteIdent(snap.keyColumn()) + "::text, 15, 1) <> '7'");
        }
        if (maxKey == null && retentionType == null && foreign == 0 && !unindexed) {
            return snap;
        }
        return snap.withKeyStats(new KeyStats(maxKey, retentionType, newest, foreign, unindexed));
    }

    /**
     * Refuses a {@code key_encoding} finer than what the key holds (epoch_millis on seconds, epoch_nanos on millis):
     * its partitions' bounds would read as times in January 1970, and retention would detach every one of them,
     * rows of today included. Read from the bounds alone, so it costs nothing: no partition may end (its upper
     * bound, MAXVALUE aside) before 1971, as none does under the right encoding of data written since.
     */
    private static void checkEncoding(CatalogSnapshot keyed, TablePolicy policy) {
        KeyType type = keyed.keyType();
        for (PartitionInfo p : keyed.ranged()) {
            if (p.to() == KeyAxis.MAX || KeyAxis.toMicros(p.to(), type) >= EPOCH_PLAUSIBLE_MICROS) {
                continue;
            }
            KeyEncoding likely = null;
            for (KeyEncoding e : KeyEncoding.values()) {
                long m;
                try {
                    m = KeyAxis.toMicros(p.to(), e.type());
                } catch (ArithmeticException overflow) {
                    continue;
                }
                // the finest encoding that reads it after 1970 is the likely one
                if (m >= EPOCH_PLAUSIBLE_MICROS && (likely == null || m < KeyAxis.toMicros(p.to(), likely.type()))) {
                    likely = e;
                }
            }
            throw new PolicyException(keyed.table() + ": key_encoding "
                    + policy.keyEncoding().label() + " reads the"
                    + " upper bound " + p.to() + " of partition " + p.name() + " as "
                    + KeyAxis.instant(KeyAxis.toMicros(p.to(), type)) + ", before 1971, so retention would detach"
                    + " partitions of today's rows; the key holds a coarser unit"
                    + (likely == null ? "" : " (" + likely.label() + "?)") + ": fix key_encoding");
        }
    }

    /** 1971-01-01 00:00 UTC: an epoch key's newest partition bound before it means the wrong key_encoding. */
    private static final long EPOCH_PLAUSIBLE_MICROS = 365L * 86_400_000_000L;

    /**
     * Whether the parent has a (partitioned) btree index whose first column is {@code column}, without a
     * predicate: the only kind that answers {@code max(column)} with one descent (a brin, hash or gin index
     * cannot, so max() would read the partition whole).
     */
    private static boolean indexed(Connection c, long parentOid, String column) throws SQLException {
        return Sql.queryLong(
                        c,
                        "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                                + " AND a.attnum = i.indkey[0] JOIN pg_class ic ON ic.oid = i.indexrelid"
                                + " JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = ? AND a.attname = ?"
                                + " AND i.indpred IS NULL AND am.amname = 'btree'",
                        parentOid,
                        column)
                > 0;
    }

    /**
     * The largest key in the newest non-empty partition, or null when no partition holds rows. Every empty
     * partition above it (the premade runway, however long) is walked: an empty table's max costs nothing.
     */
    private static Long maxKey(Connection c, CatalogSnapshot snap) throws SQLException {
        List<PartitionInfo> ranged = snap.ranged();
        String key = TableName.quoteIdent(snap.keyColumn());
        for (int i = ranged.size() - 1; i >= 0; i--) {
            PartitionInfo p = ranged.get(i);
            TableName part = new TableName(p.schema(), p.name());
            try (PreparedStatement ps = c.prepareStatement("SELECT max(" + key + ")::bigint FROM " + part.quoted());
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                long v = rs.getLong(1);
                if (!rs.wasNull()) {
                    return v;
                }
            } catch (SQLException e) {
                if (OUT_OF_RANGE.equals(e.getSQLState())) {
                    throw new PolicyException(
                            "the largest " + snap.keyColumn() + " in " + part + " is beyond a bigint's"
                                    + " range; partition-keeper manages numeric keys up to " + Long.MAX_VALUE);
                }
                throw e;
            }
        }
        return null;
    }

    /** The retention column's type, refused unless it is a timestamp or date column with an index. */
    private static KeyType retentionColumnType(Connection c, TableName table, long parentOid, String column)
            throws SQLException {
        String formatted = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT format_type(atttypid, atttypmod) FROM"
                + " pg_attribute WHERE attrelid = ? AND attname = ? AND attnum > 0 AND NOT attisdropped")) {
            ps.setLong(1, parentOid);
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    formatted = rs.getString(1);
                }
            }
        }
        if (formatted == null) {
            throw new PolicyException("retention_column " + column + " does not exist in " + table
                    + "; name the timestamp column whose age decides retention, e.g. retention_column: created_at");
        }
        KeyType type = KeyType.fromSqlName(formatted);
        if (type == null || type.kind() != KeyType.Kind.TIME) {
            throw new PolicyException("retention_column " + column + " of " + table + " is " + formatted
                    + "; it must be timestamptz, timestamp or date, the time each row was written (e.g. created_at)");
        }
        if (!indexed(c, parentOid, column)) {
            throw new PolicyException(
                    "retention_column " + column + " of " + table + " has no btree index, so every pass"
                            + " would read each old partition whole to find its newest row; create one first: CREATE INDEX ON "
                            + table.quoted() + " (" + TableName.quoteIdent(column) + ")");
        }
        return type;
    }

    /**
     * The newest retention column value (axis of its type, {@link KeyAxis#MIN} when empty) of each partition
     * wholly below the largest key: the ones retention may detach.
     */
    private static Map<String, Long> newest(Connection c, CatalogSnapshot snap, String column, Long maxKey)
            throws SQLException {
        List<PartitionInfo> old = new ArrayList<>();
        for (PartitionInfo p : snap.ranged()) {
            if (maxKey != null && p.to() != KeyAxis.MAX && p.to() <= maxKey) {
                old.add(p);
            }
        }
        Map<String, Long> out = new HashMap<>();
        if (old.isEmpty()) {
            return out;
        }
        String col = TableName.quoteIdent(column);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < old.size(); i++) {
            PartitionInfo p = old.get(i);
            // an infinite newest value (infinity) never ages: read as the largest time there is
            parts.add("SELECT " + i + ", CASE WHEN isfinite(max(" + col + ")) THEN floor(extract(epoch FROM max("
                    + col + ")) * 1000000)::bigint WHEN max(" + col + ") IS NOT NULL THEN " + (KeyAxis.MAX - 1)
                    + " END FROM "
                    + new TableName(p.schema(), p.name()).quoted());
        }
        try (PreparedStatement ps = c.prepareStatement(parts.stream().collect(Collectors.joining(" UNION ALL ")));
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long v = rs.getLong(2);
                out.put(old.get(rs.getInt(1)).name(), rs.wasNull() ? KeyAxis.MIN : v);
            }
        }
        return out;
    }
}

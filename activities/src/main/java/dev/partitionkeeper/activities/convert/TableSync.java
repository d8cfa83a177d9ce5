package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.workflows.convert.TableChecksum;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The statements that keep a target table equal to a source table: a keyed batch copy, change capture into a log
 * of primary keys, and the replay that makes the target's rows for logged keys equal to the source's (delete
 * them, copy them again). Replay re-reads the source, so it does not depend on the order of changes, and it
 * consumes log entries in the transaction that applies them, so an entry is applied exactly when it is gone.
 */
final class TableSync {
    private final SourceTable shape;

    TableSync(SourceTable shape) {
        this.shape = shape;
    }

    /** A committed copy batch: rows read from the source and the key of the last one (null when none). */
    record Batch(long rows, List<String> last) {}

    /** Copies the next {@code limit} rows in key order after {@code after} (null: from the start). */
    Batch copyBatch(Connection c, TableName source, TableName target, List<String> after, int limit)
            throws SQLException {
        String cols = shape.columnList();
        String keys = shape.keyList(null);
        String where = after == null ? "" : " WHERE (" + keys + ") > (" + casts(after.size()) + ")";
        String desc = shape.primaryKey().stream()
                .map(k -> TableName.quoteIdent(k) + " DESC")
                .collect(Collectors.joining(", "));
        String lastKey = shape.primaryKey().stream()
                .map(k -> TableName.quoteIdent(k) + "::text")
                .collect(Collectors.joining(", "));
        String sql = "WITH b AS (SELECT " + cols + " FROM " + source.quoted() + where + " ORDER BY " + keys + " LIMIT "
                + limit + "), ins AS (INSERT INTO " + target.quoted() + " (" + cols + ")" + shape.overriding()
                + " SELECT " + cols
                + " FROM b ON CONFLICT DO NOTHING) SELECT (SELECT count(*) FROM b), (SELECT ARRAY[" + lastKey
                + "] FROM b"
                + " ORDER BY " + desc + " LIMIT 1)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (after != null) {
                for (int i = 0; i < after.size(); i++) {
                    ps.setString(i + 1, after.get(i));
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Array a = rs.getArray(2);
                return new Batch(rs.getLong(1), a == null ? null : List.of((String[]) a.getArray()));
            }
        }
    }

    /** {@code CAST(? AS type)} for each key column. */
    private String casts(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("CAST(? AS " + shape.primaryKeyTypes().get(i) + ")");
        }
        return String.join(", ", out);
    }

    /**
     * Creates the log of changed keys, its trigger function and the triggers on {@code on}. The function runs as
     * its owner (SECURITY DEFINER), so the table's writers need no grant on the bookkeeping schema.
     */
    void capture(Connection c, String logTable, String function, String refuseTruncate, TableName on)
            throws SQLException {
        List<String> defs = new ArrayList<>();
        for (int i = 0; i < shape.primaryKey().size(); i++) {
            defs.add(TableName.quoteIdent(shape.primaryKey().get(i)) + " "
                    + shape.primaryKeyTypes().get(i));
        }
        Sql.exec(
                c,
                "CREATE TABLE " + logTable + " (change_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                        + String.join(", ", defs) + ")");
        String keys = shape.keyList(null);
        String oldKeys = shape.keyList("OLD");
        String newKeys = shape.keyList("NEW");
        Sql.exec(
                c,
                "CREATE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                        + " SET search_path = pg_catalog, pg_temp AS $fn$\nBEGIN\n"
                        + "  IF TG_OP <> 'INSERT' THEN\n    INSERT INTO " + logTable + " (" + keys + ") VALUES ("
                        + oldKeys + ");\n  END IF;\n"
                        + "  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND ROW(" + oldKeys + ") IS DISTINCT FROM ROW("
                        + newKeys
                        + ")) THEN\n    INSERT INTO " + logTable + " (" + keys + ") VALUES (" + newKeys
                        + ");\n  END IF;\n"
                        + "  RETURN NULL;\nEND $fn$");
        Sql.exec(
                c,
                "CREATE TRIGGER " + ConvertCatalog.CAPTURE_TRIGGER + " AFTER INSERT OR UPDATE OR DELETE ON "
                        + on.quoted() + " FOR EACH ROW EXECUTE FUNCTION " + function + "()");
        // ALWAYS: a logical replication subscriber (session_replication_role = replica) writes too
        Sql.exec(c, "ALTER TABLE " + on.quoted() + " ENABLE ALWAYS TRIGGER " + ConvertCatalog.CAPTURE_TRIGGER);
        if (refuseTruncate != null) {
            Sql.exec(
                    c,
                    "CREATE TRIGGER " + ConvertCatalog.TRUNCATE_TRIGGER + " BEFORE TRUNCATE ON " + on.quoted()
                            + " FOR EACH STATEMENT EXECUTE FUNCTION " + refuseTruncate + "()");
            Sql.exec(c, "ALTER TABLE " + on.quoted() + " ENABLE ALWAYS TRIGGER " + ConvertCatalog.TRUNCATE_TRIGGER);
        }
    }

    /** Drops what {@link #capture} made. */
    void dropCapture(Connection c, String logTable, String function, TableName on) throws SQLException {
        Sql.exec(c, "DROP TRIGGER IF EXISTS " + ConvertCatalog.CAPTURE_TRIGGER + " ON " + on.quoted());
        Sql.exec(c, "DROP TRIGGER IF EXISTS " + ConvertCatalog.TRUNCATE_TRIGGER + " ON " + on.quoted());
        Sql.exec(c, "DROP TABLE IF EXISTS " + logTable);
        Sql.exec(c, "DROP FUNCTION IF EXISTS " + function + "()");
    }

    /**
     * Applies up to {@code limit} of the oldest log entries visible to this transaction: deletes them and makes the
     * target's rows for those keys equal to the source's.
     *
     * @return entries applied for good (consumed minus those put back to the end of the log); 0 when the log is
     *     empty or no entry could be applied
     */
    long replayBatch(Connection c, String logTable, TableName source, TableName target, int limit) throws SQLException {
        int n = shape.primaryKey().size();
        List<List<String>> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(new ArrayList<>());
        }
        long entries = 0;
        String returning = shape.primaryKey().stream()
                .map(k -> TableName.quoteIdent(k) + "::text")
                .collect(Collectors.joining(", "));
        try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM " + logTable + " WHERE change_id IN (SELECT change_id" + " FROM " + logTable
                                + " ORDER BY change_id LIMIT " + limit + ") RETURNING " + returning);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                entries++;
                for (int i = 0; i < n; i++) {
                    keys.get(i).add(rs.getString(i + 1));
                }
            }
        }
        if (entries == 0) {
            return 0;
        }
        List<String> unnest = new ArrayList<>();
        List<String> cast = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            unnest.add("CAST(? AS text[])");
            cast.add("CAST(u.k" + i + " AS " + shape.primaryKeyTypes().get(i) + ")");
        }
        List<String> alias = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            alias.add("k" + i);
        }
        String changed = "(SELECT DISTINCT " + String.join(", ", cast) + " FROM unnest(" + String.join(", ", unnest)
                + ") AS u(" + String.join(", ", alias) + "))";
        String keyList = shape.keyList(null);
        try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM " + target.quoted() + " WHERE (" + keyList + ") IN " + changed)) {
            bindKeys(c, ps, keys);
            ps.executeUpdate();
        }
        String cols = shape.columnList();
        // ON CONFLICT: another unique index may still hold a value in a stale row whose own change waits further
        // down the log; such keys go back to the end of the log and come right after it
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + target.quoted() + " (" + cols + ")"
                + shape.overriding() + " SELECT " + cols + " FROM " + source.quoted() + " WHERE (" + keyList + ") IN "
                + changed
                + " ON CONFLICT DO NOTHING")) {
            bindKeys(c, ps, keys);
            ps.executeUpdate();
        }
        long deferred;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + logTable + " (" + keyList + ") SELECT "
                + shape.keyList("s") + " FROM " + source.quoted() + " s WHERE (" + shape.keyList("s") + ") IN "
                + changed
                + " AND NOT EXISTS (SELECT 1 FROM " + target.quoted() + " x WHERE (" + shape.keyList("x") + ") = ("
                + shape.keyList("s") + "))")) {
            bindKeys(c, ps, keys);
            deferred = ps.executeUpdate();
        }
        return entries - deferred;
    }

    private static void bindKeys(Connection c, PreparedStatement ps, List<List<String>> keys) throws SQLException {
        for (int i = 0; i < keys.size(); i++) {
            ps.setArray(i + 1, c.createArrayOf("text", keys.get(i).toArray()));
        }
    }

    /**
     * Moves each identity column's sequence of {@code to} past everything {@code from} handed out (and past the
     * largest value in {@code to}), so rows inserted after the swap get new values.
     */
    void handOverIdentity(Connection c, TableName from, TableName to) throws SQLException {
        if (shape.identityColumns() == null) {
            return;
        }
        for (String col : shape.identityColumns()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT setval(pg_get_serial_sequence(?, ?), greatest("
                    + "(SELECT last_value FROM pg_sequences"
                    + " WHERE format('%I.%I', schemaname, sequencename)::regclass = pg_get_serial_sequence(?, ?)::regclass),"
                    + " (SELECT max(" + TableName.quoteIdent(col) + ") FROM " + to.quoted() + "), 1), true)")) {
                ps.setString(1, to.quoted());
                ps.setString(2, col);
                ps.setString(3, from.quoted());
                ps.setString(4, col);
                ps.executeQuery().close();
            }
        }
    }

    static long pending(Connection c, String logTable) throws SQLException {
        return Sql.queryLong(c, "SELECT count(*) FROM " + logTable);
    }

    /**
     * Row count and the sum of a 64-bit hash of each row's text, leaving out keys present in {@code excludeLog}
     * (null: none). Both tables have the same columns in the same order, so equal rows have equal text.
     */
    TableChecksum checksum(Connection c, TableName table, String excludeLog) throws SQLException {
        String where = "";
        long excluded = 0;
        if (excludeLog != null) {
            String keys = shape.keyList("t");
            String logKeys = shape.keyList("l");
            where = " WHERE NOT EXISTS (SELECT 1 FROM " + excludeLog + " l WHERE (" + logKeys + ") = (" + keys + "))";
            excluded = Sql.queryLong(
                    c, "SELECT count(*) FROM (SELECT DISTINCT " + shape.keyList(null) + " FROM " + excludeLog + ") d");
        }
        // ROW(t.*), not t: a column named t would shadow the whole-row reference and only that column be hashed
        try (PreparedStatement ps =
                        c.prepareStatement("SELECT count(*), coalesce(sum(hashtextextended(ROW(t.*)::text, 0)"
                                + "::numeric), 0)::text FROM " + table.quoted() + " t" + where);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new TableChecksum(table.toString(), rs.getLong(1), rs.getString(2), excluded);
        }
    }
}

package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.CatalogConflictException;
import dev.partitionkeeper.activities.postgres.PolicyException;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and checks a table to convert. Every refusal names the object, the rule and the fix, and nothing is
 * changed by a refusal.
 */
final class ConvertCatalog {
    /** Our triggers on a table under conversion; every other trigger is the user's. */
    static final String CAPTURE_TRIGGER = "partition_keeper_capture";

    static final String TRUNCATE_TRIGGER = "partition_keeper_no_truncate";

    private ConvertCatalog() {}

    /** oid, or 0 when no relation has the name. */
    static long oidOf(Connection c, TableName t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid::bigint FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * Checks everything that makes a table convertible online and describes it.
     *
     * @param column the partition key column
     * @throws PolicyException for a table, column or key that cannot be converted, with the fix
     */
    static SourceTable check(Connection c, TableName t, String column) throws SQLException {
        long oid;
        String owner;
        try (PreparedStatement ps = c.prepareStatement("""
        SELECT c.oid::bigint, c.relkind::text, c.relispartition, c.relrowsecurity, pg_get_userbyid(c.relowner),
               (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1),
               EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relname = ?""")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new PolicyException("table " + t
                            + " does not exist; check the name (schema.table) and that this" + " role can see it");
                }
                oid = rs.getLong(1);
                String kind = rs.getString(2);
                if ("p".equals(kind)) {
                    throw new PolicyException(
                            "table " + t + " is already partitioned; manage it with a policy instead");
                }
                if (!"r".equals(kind)) {
                    throw new PolicyException(
                            t + " is not a table (relkind " + kind + "); only ordinary tables can be converted");
                }
                if (rs.getBoolean(3)) {
                    throw new PolicyException("table " + t + " is a partition of " + rs.getString(6)
                            + "; convert the parent, not a partition");
                }
                if (rs.getString(6) != null || rs.getBoolean(7)) {
                    throw new PolicyException("table " + t + " uses table inheritance"
                            + (rs.getString(6) != null
                                    ? " (it inherits from " + rs.getString(6) + ")"
                                    : " (other tables inherit" + " from it)")
                            + "; convert needs a table without inheritance (NO INHERIT first)");
                }
                if (rs.getBoolean(4)) {
                    throw new PolicyException(
                            "table " + t + " has row level security enabled; convert does not copy policies"
                                    + " yet: disable it (ALTER TABLE " + t.quoted()
                                    + " DISABLE ROW LEVEL SECURITY), convert, then"
                                    + " re-create the policies on the new table");
                }
                owner = rs.getString(5);
            }
        }

        // the column: exists, has a supported type, holds no NULLs
        List<String> all = new ArrayList<>();
        List<String> insertable = new ArrayList<>();
        String keyTypeName = null;
        boolean keyNotNull = false;
        List<String> identity = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
        SELECT attname, format_type(atttypid, atttypmod), attnotnull, attidentity::text, attgenerated::text
          FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped ORDER BY attnum""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    all.add(name);
                    if (rs.getString(5) == null || rs.getString(5).isEmpty()) {
                        insertable.add(name);
                    }
                    if (rs.getString(4) != null && !rs.getString(4).isEmpty()) {
                        identity.add(name);
                    }
                    if (name.equals(column)) {
                        keyTypeName = rs.getString(2);
                        keyNotNull = rs.getBoolean(3);
                    }
                }
            }
        }
        if (keyTypeName == null) {
            throw new PolicyException("column \"" + column + "\" does not exist in " + t + "; its columns are: "
                    + String.join(", ", all));
        }
        KeyType keyType = KeyType.fromSqlName(keyTypeName);
        if (keyType == null) {
            throw new PolicyException(
                    "column \"" + column + "\" of " + t + " is " + keyTypeName + "; " + KeyType.refusal(keyTypeName));
        }
        if (!keyNotNull) {
            long nulls = count(
                    c, "SELECT count(*) FROM " + t.quoted() + " WHERE " + TableName.quoteIdent(column) + " IS NULL");
            if (nulls > 0) {
                throw new PolicyException("column \"" + column + "\" of " + t + " is NULL in " + nulls + " row"
                        + (nulls == 1 ? "" : "s")
                        + "; a range partition has no place for them: set a value or delete them"
                        + " (SELECT * FROM " + t.quoted() + " WHERE " + TableName.quoteIdent(column) + " IS NULL), then"
                        + " ALTER TABLE " + t.quoted() + " ALTER COLUMN " + TableName.quoteIdent(column)
                        + " SET NOT NULL");
            }
        }
        if (!identity.isEmpty() && c.getMetaData().getDatabaseMajorVersion() < 17) {
            throw new PolicyException(
                    "column" + (identity.size() == 1 ? " " : "s ") + String.join(", ", identity) + " of "
                            + t + (identity.size() == 1 ? " is an identity column" : " are identity columns")
                            + "; partitioned tables"
                            + " have identity columns from PostgreSQL 17 on: upgrade, or use a sequence default instead (ALTER TABLE"
                            + " ... ALTER COLUMN ... DROP IDENTITY, then CREATE SEQUENCE and SET DEFAULT nextval(...))");
        }

        // keys: the primary key identifies rows for the copy and the change replay; every unique key must include
        // the partition key, because PostgreSQL enforces uniqueness per partition
        List<String> pk = new ArrayList<>();
        List<String> pkTypes = new ArrayList<>();
        String pkName = null;
        try (PreparedStatement ps = c.prepareStatement("""
        SELECT con.conname, a.attname, format_type(a.atttypid, a.atttypmod)
          FROM pg_constraint con
          CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
         WHERE con.conrelid = ? AND con.contype = 'p' ORDER BY k.ord""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pkName = rs.getString(1);
                    pk.add(rs.getString(2));
                    pkTypes.add(rs.getString(3));
                }
            }
        }
        String keyIdent = TableName.quoteIdent(column);
        if (pk.isEmpty()) {
            throw new PolicyException("table " + t + " has no primary key; convert copies rows and replays concurrent"
                    + " changes by primary key: add one that includes \"" + column + "\", e.g. ALTER TABLE "
                    + t.quoted()
                    + " ADD PRIMARY KEY (id, " + keyIdent + ")");
        }
        if (!pk.contains(column)) {
            throw new PolicyException("the primary key " + pkName + " of " + t + " is (" + String.join(", ", pk)
                    + ") and does not include \"" + column + "\"; on a partitioned table every primary key and unique"
                    + " constraint must include the partition key: ALTER TABLE " + t.quoted() + " DROP CONSTRAINT "
                    + TableName.quoteIdent(pkName) + ", ADD PRIMARY KEY ("
                    + String.join(", ", pk.stream().map(TableName::quoteIdent).toList()) + ", " + keyIdent
                    + ") (build a unique index CONCURRENTLY first"
                    + " and use ADD PRIMARY KEY USING INDEX to keep the lock short)");
        }
        List<String> badUnique = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
        SELECT i.indexrelid::regclass::text
          FROM pg_index i
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attname = ?
         WHERE i.indrelid = ? AND i.indisunique AND NOT i.indisprimary
           AND NOT (a.attnum = ANY (i.indkey::int2[]))""")) {
            ps.setString(1, column);
            ps.setLong(2, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    badUnique.add(rs.getString(1));
                }
            }
        }
        if (!badUnique.isEmpty()) {
            throw new PolicyException("unique index" + (badUnique.size() == 1 ? " " : "es ")
                    + String.join(", ", badUnique)
                    + " on " + t + (badUnique.size() == 1 ? " does" : " do") + " not include \"" + column + "\"; on a"
                    + " partitioned table uniqueness is enforced per partition, so every unique index must include the"
                    + " partition key: re-create it with \"" + column
                    + "\" added (CREATE UNIQUE INDEX CONCURRENTLY ...), or"
                    + " drop it");
        }

        // objects that would silently stay on the old table
        List<String> refs = strings(c, """
        SELECT format('%s on %s', con.conname, con.conrelid::regclass)
          FROM pg_constraint con WHERE con.confrelid = ? AND con.contype = 'f' AND con.conrelid <> con.confrelid
         ORDER BY 1""", oid);
        if (!refs.isEmpty()) {
            throw new PolicyException("foreign key" + (refs.size() == 1 ? " " : "s ") + String.join(", ", refs)
                    + (refs.size() == 1 ? " references " : " reference ") + t
                    + "; they would keep pointing at the old table"
                    + " after the swap: drop them before converting and re-create them against the new table afterwards"
                    + " (a foreign key to a partitioned table must reference a key that includes \"" + column + "\")");
        }
        List<String> selfRefs = strings(
                c,
                "SELECT conname FROM pg_constraint WHERE conrelid = ? AND confrelid = conrelid"
                        + " AND contype = 'f' ORDER BY 1",
                oid);
        if (!selfRefs.isEmpty()) {
            throw new PolicyException(
                    "foreign key" + (selfRefs.size() == 1 ? " " : "s ") + String.join(", ", selfRefs)
                            + " of " + t + (selfRefs.size() == 1 ? " references" : " reference")
                            + " the table itself; its copy would"
                            + " keep referencing the old table after the swap: drop it before converting and re-create it afterwards");
        }
        List<String> exclusions = strings(
                c, "SELECT conname FROM pg_constraint WHERE conrelid = ? AND contype = 'x'" + " ORDER BY 1", oid);
        if (!exclusions.isEmpty()) {
            throw new PolicyException("exclusion constraint" + (exclusions.size() == 1 ? " " : "s ")
                    + String.join(", ", exclusions) + " on " + t
                    + ": a partitioned table enforces an exclusion constraint only"
                    + " per partition (and before PostgreSQL 17 not at all); drop it or keep the table unpartitioned");
        }
        // rules of other tables, SQL-standard function bodies and policies name the table by OID: after the swap
        // they would keep writing to <table>_old
        List<String> others = strings(c, """
        SELECT DISTINCT pg_describe_object(d.classid, d.objid, 0)
          FROM pg_depend d
          LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
          LEFT JOIN pg_class v ON v.oid = r.ev_class
          LEFT JOIN pg_policy p ON d.classid = 'pg_policy'::regclass AND p.oid = d.objid
         WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ? AND d.deptype = 'n'
           AND ((d.classid = 'pg_rewrite'::regclass AND r.ev_class <> d.refobjid AND v.relkind NOT IN ('v', 'm'))
             OR d.classid = 'pg_proc'::regclass
             OR (d.classid = 'pg_policy'::regclass AND p.polrelid <> d.refobjid))
         ORDER BY 1""", oid);
        if (!others.isEmpty()) {
            throw new PolicyException(
                    String.join(", ", others) + " refer" + (others.size() == 1 ? "s" : "") + " to " + t
                            + " by its identity and would keep using the old table after the swap: drop "
                            + (others.size() == 1 ? "it" : "them") + " before converting and re-create "
                            + (others.size() == 1 ? "it" : "them") + " afterwards");
        }
        List<String> matviews = strings(c, """
        SELECT DISTINCT r.ev_class::regclass::text
          FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
          JOIN pg_class v ON v.oid = r.ev_class
         WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ?
           AND r.ev_class <> d.refobjid AND v.relkind = 'm' ORDER BY 1""", oid);
        if (!matviews.isEmpty()) {
            throw new PolicyException(
                    "materialized view" + (matviews.size() == 1 ? " " : "s ") + String.join(", ", matviews)
                            + (matviews.size() == 1 ? " depends" : " depend") + " on " + t
                            + " and cannot be re-pointed in place: drop"
                            + " them before converting and re-create them afterwards");
        }
        List<String> rules = strings(
                c, "SELECT rulename FROM pg_rewrite WHERE ev_class = ? AND rulename <> '_RETURN'" + " ORDER BY 1", oid);
        if (!rules.isEmpty()) {
            throw new PolicyException(
                    "table " + t + " has rule" + (rules.size() == 1 ? " " : "s ") + String.join(", ", rules)
                            + "; convert does not copy rules: drop them, convert, and create them on the new table");
        }
        return new SourceTable(t, oid, owner, column, keyType, insertable, pk, pkTypes, identity);
    }

    /** The table's own triggers (not ours, not the system's): [oid, name, tgenabled]. */
    static List<String[]> userTriggers(Connection c, long oid) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT oid::bigint, tgname, tgenabled::text FROM pg_trigger"
                + " WHERE tgrelid = ? AND NOT tgisinternal AND tgparentid = 0 AND tgname NOT IN ('" + CAPTURE_TRIGGER
                + "', '"
                + TRUNCATE_TRIGGER + "') ORDER BY tgname")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
        }
        return out;
    }

    /** Views (not materialized) that read the table directly. */
    static List<String[]> dependentViews(Connection c, long oid) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
        SELECT DISTINCT v.oid::bigint, n.nspname, v.relname
          FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
          JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace n ON n.oid = v.relnamespace
         WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ?
           AND r.ev_class <> d.refobjid AND v.relkind = 'v' ORDER BY 1""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
        }
        return out;
    }

    /** Sequences owned by a column of the table (serial columns): [qualified sequence, column, sequence oid]. */
    static List<String[]> ownedSequences(Connection c, long oid) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
        SELECT format('%I.%I', n.nspname, s.relname), a.attname, s.oid::bigint
          FROM pg_depend d
          JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
          JOIN pg_namespace n ON n.oid = s.relnamespace
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ?
           AND d.deptype = 'a' ORDER BY 1""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
        }
        return out;
    }

    /** Refuses when a name the conversion needs is taken. */
    static void requireFree(Connection c, TableName name, String why) throws SQLException {
        if (oidOf(c, name) != 0) {
            throw new CatalogConflictException(
                    name + " already exists, and convert needs the name " + why + "; rename or drop it first");
        }
    }

    static List<String> strings(Connection c, String sql, long oid) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Every row of a query as strings; {@code oid}, when not null, binds its one parameter. */
    static List<String[]> rows(Connection c, String sql, Long oid) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (oid != null) {
                ps.setLong(1, oid);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    String[] row = new String[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = rs.getString(i + 1);
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

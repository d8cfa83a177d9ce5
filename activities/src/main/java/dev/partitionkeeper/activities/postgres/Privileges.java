package dev.partitionkeeper.activities.postgres;

import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the connected role needs for a pass over one table, read from the catalog only
 * ({@code pg_has_role}, {@code has_schema_privilege}, {@code has_table_privilege}), so it can be asked
 * by a role lacking everything and changes nothing. The grants are those of docs/operations.md
 * ("Least-privilege grants"):
 *
 * <ul>
 *   <li>membership in the role owning the table and its partitions (partition DDL is the owner's);
 *   <li>USAGE and CREATE on the table's schema (new partitions are created there);
 *   <li>USAGE and CREATE on the archive schema (detached partitions are moved there), or CREATE on the
 *       database while that schema does not exist yet;
 *   <li>the bookkeeping schema: USAGE and CREATE (its owner has both), and SELECT, INSERT, UPDATE on its
 *       tables when someone else created them; or CREATE on the database while it does not exist yet.
 * </ul>
 *
 * <p>Used when PostgreSQL refuses a statement with SQLSTATE 42501, to say which grant is missing, before a
 * detach (so a partition is never detached into a schema it cannot be moved to), and by
 * {@code validate --privileges}.
 */
public final class Privileges {
    /** SQLSTATE insufficient_privilege. */
    public static final String INSUFFICIENT_PRIVILEGE = "42501";
    /** Lets the lock gate read other roles' {@code pg_stat_activity.xact_start}; recommended, not required. */
    public static final String READ_ALL_STATS = "pg_read_all_stats";

    private Privileges() {}

    /**
     * One missing grant.
     *
     * @param what e.g. {@code role "pk" lacks CREATE on schema "partition_archive" (detached partitions are moved there)}
     * @param fix the statement an administrator runs, e.g. {@code GRANT USAGE, CREATE ON SCHEMA partition_archive TO pk}
     */
    public record Missing(String what, String fix) {
        @Override
        public String toString() {
            return what + "; run: " + fix;
        }
    }

    /**
     * Every grant the connected role lacks for a pass over {@code table}.
     *
     * @param archiveSchema where detached partitions go; null when the table detaches nothing
     * @param bookkeepingSchema partition-keeper's own schema
     */
    public static List<Missing> missing(Connection c, TableName table, String archiveSchema, String bookkeepingSchema)
            throws SQLException {
        List<Missing> out = new ArrayList<>();
        String role;
        String database;
        try (PreparedStatement ps = c.prepareStatement("SELECT current_user, current_database()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            role = rs.getString(1);
            database = rs.getString(2);
        }
        String r = TableName.display(role);
        // the table and its partitions: the owner's role must be ours (by membership with INHERIT)
        try (PreparedStatement ps = c.prepareStatement("""
        SELECT DISTINCT pg_get_userbyid(k.relowner)
          FROM pg_class p
          JOIN pg_namespace n ON n.oid = p.relnamespace
          JOIN LATERAL (SELECT p.oid, p.relowner
                        UNION ALL
                        SELECT c.oid, c.relowner FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                         WHERE i.inhparent = p.oid) k ON true
         WHERE n.nspname = ? AND p.relname = ? AND NOT pg_has_role(current_user, k.relowner, 'USAGE')
         ORDER BY 1""")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String owner = TableName.display(rs.getString(1));
                    out.add(new Missing(
                            "role " + quoted(role) + " is not a member of role " + quoted(rs.getString(1))
                                    + ", which owns " + table
                                    + " or one of its partitions (partition DDL needs the owner's privileges)",
                            "GRANT " + owner + " TO " + r));
                }
            }
        }
        schemaGrants(
                c, out, role, database, table.schema(), "new partitions of " + table + " are created there", false);
        if (archiveSchema != null) {
            schemaGrants(c, out, role, database, archiveSchema, "detached partitions are moved there", true);
        }
        if (schemaGrants(c, out, role, database, bookkeepingSchema, "partition-keeper's bookkeeping schema", true)) {
            for (Bookkeeping.Grant t : Bookkeeping.requiredGrants()) {
                String qualified = TableName.quoteIdent(bookkeepingSchema) + "." + TableName.quoteIdent(t.table());
                if (Sql.queryLong(
                                c,
                                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                        + " WHERE n.nspname = ? AND c.relname = ?",
                                bookkeepingSchema,
                                t.table())
                        == 0) {
                    continue; // created by the first step, owned by the role that creates it
                }
                List<String> lacking = new ArrayList<>();
                for (String privilege : t.privileges()) {
                    if (Sql.queryLong(
                                    c,
                                    "SELECT CASE WHEN has_table_privilege(current_user, ?::regclass, ?) THEN 1 ELSE 0 END",
                                    qualified,
                                    privilege)
                            == 0) {
                        lacking.add(privilege);
                    }
                }
                if (!lacking.isEmpty()) {
                    String privs = String.join(", ", lacking);
                    String name = TableName.display(bookkeepingSchema) + "." + TableName.display(t.table());
                    out.add(new Missing(
                            "role " + quoted(role) + " lacks " + privs + " on table " + name
                                    + " (partition-keeper's bookkeeping)",
                            "GRANT " + privs + " ON " + name + " TO " + r));
                }
            }
        }
        return out;
    }

    /**
     * USAGE and CREATE on an existing schema, or CREATE on the database for one to be created.
     *
     * @return whether the schema exists and the role may use it
     */
    private static boolean schemaGrants(
            Connection c,
            List<Missing> out,
            String role,
            String database,
            String schema,
            String purpose,
            boolean createdWhenMissing)
            throws SQLException {
        String r = TableName.display(role);
        String s = TableName.display(schema);
        boolean exists = Sql.queryLong(c, "SELECT count(*) FROM pg_namespace WHERE nspname = ?", schema) > 0;
        if (!exists) {
            if (createdWhenMissing
                    && Sql.queryLong(
                                    c,
                                    "SELECT CASE WHEN has_database_privilege(current_user, current_database(), 'CREATE') THEN 1 ELSE 0 END")
                            == 0) {
                out.add(new Missing(
                        "schema " + quoted(schema) + " does not exist and role " + quoted(role)
                                + " lacks CREATE on database " + quoted(database) + " to create it (" + purpose + ")",
                        "CREATE SCHEMA " + s + "; GRANT USAGE, CREATE ON SCHEMA " + s + " TO " + r
                                + " (or GRANT CREATE ON DATABASE " + TableName.display(database) + " TO " + r + ")"));
            }
            return false;
        }
        List<String> lacking = new ArrayList<>();
        for (String p : List.of("USAGE", "CREATE")) {
            if (Sql.queryLong(
                            c, "SELECT CASE WHEN has_schema_privilege(current_user, ?, ?) THEN 1 ELSE 0 END", schema, p)
                    == 0) {
                lacking.add(p);
            }
        }
        if (lacking.isEmpty()) {
            return true;
        }
        String privs = String.join(" and ", lacking);
        out.add(new Missing(
                "role " + quoted(role) + " lacks " + privs + " on schema " + quoted(schema) + " (" + purpose + ")",
                "GRANT " + String.join(", ", lacking) + " ON SCHEMA " + s + " TO " + r));
        return !lacking.contains("USAGE");
    }

    /** Whether the role can see other roles' transaction ages (the lock gate works without, but blind). */
    public static boolean readsAllStats(Connection c) throws SQLException {
        return Sql.queryLong(
                        c, "SELECT CASE WHEN pg_has_role(current_user, ?, 'USAGE') THEN 1 ELSE 0 END", READ_ALL_STATS)
                == 1;
    }

    /** One line for a refused statement: what PostgreSQL said, then every grant the role lacks. */
    public static String explain(String what, SQLException refused, List<Missing> missing) {
        StringBuilder b = new StringBuilder(what).append(": permission denied");
        if (missing.isEmpty()) {
            b.append(" (PostgreSQL: ")
                    .append(firstLine(refused))
                    .append(", SQLSTATE ")
                    .append(refused.getSQLState())
                    .append(
                            "); the role lacks a privilege partition-keeper does not check for (a column grant, row security"
                                    + " or a grant revoked on a partition?); see docs/operations.md, \"Least-privilege grants\"");
            return b.toString();
        }
        for (int i = 0; i < missing.size(); i++) {
            b.append(i == 0 ? ": " : "; and ").append(missing.get(i));
        }
        return b.append(" (PostgreSQL: ")
                .append(firstLine(refused))
                .append(", SQLSTATE ")
                .append(refused.getSQLState())
                .append(")")
                .toString();
    }

    /** One line for a refused statement whose needed grant the caller knows: what PostgreSQL said, then the hint. */
    public static String refused(String what, SQLException refused, String hint) {
        return what + ": permission denied (PostgreSQL: " + firstLine(refused) + ", SQLSTATE " + refused.getSQLState()
                + "); " + hint;
    }

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).replaceFirst("^ERROR: ", "");
    }

    private static String quoted(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }
}

package dev.partitionkeeper.activities.postgres;

import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Small JDBC helpers. Identifiers go through {@link dev.partitionkeeper.workflows.model.TableName#quoteIdent}. */
public final class Sql {
    /** SQLSTATE lock_not_available: lock_timeout fired. */
    public static final String LOCK_NOT_AVAILABLE = "55P03";
    /** SQLSTATE object_in_use, e.g. a concurrent detach in progress. */
    public static final String OBJECT_IN_USE = "55006";

    private Sql() {}

    /** A string literal; used only where PostgreSQL takes no parameters (DDL). */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    public static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    public static long queryLong(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Creates a schema when missing. Looks first: {@code CREATE SCHEMA IF NOT EXISTS} checks CREATE on the
     * database before it looks, so a role given an existing schema (and no CREATE on the database) would be
     * refused.
     */
    public static void ensureSchema(Connection c, String schema) throws SQLException {
        if (queryLong(c, "SELECT count(*) FROM pg_namespace WHERE nspname = ?", schema) == 0) {
            exec(c, "CREATE SCHEMA IF NOT EXISTS " + TableName.quoteIdent(schema));
        }
    }

    /** {@code SET LOCAL lock_timeout} for the current transaction, in milliseconds (0 = wait forever). */
    public static void setLocalLockTimeout(Connection c, long millis) throws SQLException {
        exec(c, "SET LOCAL lock_timeout = " + Math.max(0, millis));
    }
}

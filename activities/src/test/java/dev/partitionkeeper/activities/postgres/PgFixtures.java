package dev.partitionkeeper.activities.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/** Tables, connections and waits shared by the PostgreSQL tests of this package. */
final class PgFixtures {
    static final String ARCHIVE = "archive";
    static final String BOOKS = Bookkeeping.DEFAULT_SCHEMA;

    /** Short waits so tests run fast; a maxWait far below a test timeout so a hang fails with a message. */
    static final LockSettings FAST = new LockSettings(
            Duration.ofMillis(100), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofSeconds(20), 20);

    private PgFixtures() {}

    static Connection connect(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        exec(c, "SET TimeZone = 'UTC'");
        return c;
    }

    static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The first column of the first row as text; null when there is no row. */
    static String queryString(String url, String sql) {
        try (Connection c = connect(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Every row's first column, as text. */
    static List<String> queryStrings(String url, String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The month of an instant in UTC. plan() refuses a "now" far from the database's clock, so tests that
     * plan take the real time once and lay their partitions out around its month.
     */
    static YearMonth monthOf(Instant now) {
        return YearMonth.from(now.atZone(ZoneOffset.UTC));
    }

    /** Midnight UTC of a day on the key axis (timestamptz in a UTC policy, timestamp and date alike). */
    static long axis(LocalDate day) {
        return KeyAxis.micros(day.atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    static long axis(YearMonth month) {
        return axis(month.atDay(1));
    }

    /** The planner's name for a monthly partition: {@code events_p2030_02}. */
    static String monthName(TableName parent, YearMonth month) {
        return MaintenancePlanner.partitionName(
                parent, PartitionInterval.MONTHLY.suffix(month.atDay(1).atStartOfDay()));
    }

    static String quoted(TableName parent, String partition) {
        return new TableName(parent.schema(), partition).quoted();
    }

    /** A SQL literal of the key type for midnight of {@code day}. */
    static String keyLiteral(LocalDate day, String keyType) {
        return "'" + day + "'::" + keyType;
    }

    /**
     * {@code (id bigserial, created_at <keyType> NOT NULL, payload text, PRIMARY KEY (id, created_at))}
     * partitioned by range on created_at, with an index on payload; the schema is created when missing.
     */
    static void createParent(String url, TableName t, String keyType) {
        PgTestSupport.exec(
                url,
                "CREATE SCHEMA IF NOT EXISTS " + TableName.quoteIdent(t.schema()),
                "CREATE TABLE " + t.quoted() + " (id bigserial, created_at " + keyType + " NOT NULL, payload text,"
                        + " PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)",
                "CREATE INDEX ON " + t.quoted() + " (payload)");
    }

    /** Attaches monthly partitions {@code from} to {@code to} inclusive, named as the planner names them. */
    static void createMonths(String url, TableName t, String keyType, YearMonth from, YearMonth to) {
        for (YearMonth m = from; !m.isAfter(to); m = m.plusMonths(1)) {
            PgTestSupport.exec(
                    url,
                    "CREATE TABLE " + quoted(t, monthName(t, m)) + " PARTITION OF " + t.quoted()
                            + " FOR VALUES FROM (" + keyLiteral(m.atDay(1), keyType) + ") TO ("
                            + keyLiteral(m.plusMonths(1).atDay(1), keyType) + ")");
        }
    }

    static String defaultName(TableName t) {
        return t.table() + "_default";
    }

    static void createDefault(String url, TableName t) {
        PgTestSupport.exec(
                url, "CREATE TABLE " + quoted(t, defaultName(t)) + " PARTITION OF " + t.quoted() + " DEFAULT");
    }

    /** Inserts one row per timestamp text (e.g. {@code 2030-02-01 00:00:00+00}) through the parent. */
    static void insertRows(String url, TableName t, String... createdAt) {
        for (String at : createdAt) {
            PgTestSupport.exec(
                    url,
                    "INSERT INTO " + t.quoted() + " (created_at, payload) VALUES ('" + at + "', 'row " + at + "')");
        }
    }

    static long count(String url, String relationQuoted) {
        return PgTestSupport.queryLong(url, "SELECT count(*) FROM " + relationQuoted);
    }

    /** The parent a relation is attached to, as text, or null when it is not a partition. */
    static String parentOf(String url, TableName part) {
        return queryString(
                url,
                "SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = to_regclass("
                        + Sql.literal(part.quoted()) + ")");
    }

    static boolean exists(String url, TableName t) {
        return queryString(url, "SELECT to_regclass(" + Sql.literal(t.quoted()) + ")") != null;
    }

    /** {@code FOR VALUES FROM (...) TO (...)} of a partition, printed in UTC. */
    static String bound(String url, TableName part) {
        return queryString(
                url,
                "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = to_regclass("
                        + Sql.literal(part.quoted()) + ")");
    }

    static int partitionCount(String url, TableName parent) {
        return (int) PgTestSupport.queryLong(
                url,
                "SELECT count(*) FROM pg_inherits WHERE inhparent = to_regclass(" + Sql.literal(parent.quoted()) + ")");
    }

    static TablePolicy policy(TableName t, int premake, String retention, DefaultPartitionMode mode) {
        return new TablePolicy(
                t,
                PartitionInterval.MONTHLY,
                premake,
                retention == null ? null : Retention.parse(retention),
                "UTC",
                mode,
                RetentionAction.DETACH_ONLY,
                TablePolicy.DEFAULT_DROP_GRACE_DAYS);
    }

    static PlannedAction.CreatePartition createAction(TableName t, YearMonth m) {
        return new PlannedAction.CreatePartition(
                monthName(t, m),
                axis(m),
                axis(m.plusMonths(1)),
                m.atDay(1).toString(),
                m.plusMonths(1).atDay(1).toString());
    }

    static PlannedAction.DetachPartition detachAction(TableName t, YearMonth m) {
        return new PlannedAction.DetachPartition(
                monthName(t, m),
                axis(m),
                axis(m.plusMonths(1)),
                m.atDay(1).toString(),
                m.plusMonths(1).atDay(1).toString());
    }

    static PostgresPartitionActivitiesImpl activities(DataSource ds, LockSettings settings) {
        return new PostgresPartitionActivitiesImpl(ds, settings, ARCHIVE, BOOKS, null);
    }

    /** Runs every action of a plan the way the workflow does, in order. */
    static List<ActionResult> runPlan(PostgresPartitionActivitiesImpl acts, TablePolicy policy, MaintenancePlan plan) {
        List<ActionResult> out = new ArrayList<>();
        for (PlannedAction a : plan.actions()) {
            if (a instanceof PlannedAction.FinalizeDetach f) {
                out.add(acts.finalizeDetach(policy, f));
            } else if (a instanceof PlannedAction.CreatePartition cp) {
                out.add(acts.createPartition(policy, cp));
            } else if (a instanceof PlannedAction.CreateDefaultPartition cd) {
                out.add(acts.createDefaultPartition(policy, cd));
            } else if (a instanceof PlannedAction.DetachPartition d) {
                out.add(acts.detachPartition(policy, d));
            } else {
                throw new IllegalArgumentException("not a PostgreSQL action: " + a);
            }
        }
        return out;
    }

    /** Runs {@code call}, expecting an ApplicationFailure, and returns it. */
    static ApplicationFailure failure(Runnable call) {
        try {
            call.run();
        } catch (ApplicationFailure e) {
            return e;
        }
        return fail("expected an ApplicationFailure");
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /**
     * A transaction kept open on its own connection, e.g. a reader holding ACCESS SHARE on the parent
     * and every partition with {@code SELECT count(*) FROM parent}.
     */
    static final class OpenTransaction implements AutoCloseable {
        private final Connection c;
        final int pid;

        OpenTransaction(String url, boolean repeatableRead, String... sql) throws SQLException {
            c = connect(url);
            pid = (int) queryLong(c, "SELECT pg_backend_pid()");
            c.setAutoCommit(false);
            if (repeatableRead) {
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            }
            exec(c, sql);
        }

        void commit() throws SQLException {
            c.commit();
        }

        @Override
        public void close() throws SQLException {
            try {
                c.rollback();
            } finally {
                c.close();
            }
        }
    }

    /**
     * Leaves {@code partition} in the state an interrupted {@code DETACH ... CONCURRENTLY} leaves it:
     * connection A keeps a REPEATABLE READ snapshot that read the parent, connection B's detach commits
     * its first phase and waits for A in the second, and B is then cancelled.
     */
    static void makeDetachPending(String url, TableName parent, String partition) throws Exception {
        try (OpenTransaction reader = new OpenTransaction(url, true, "SELECT count(*) FROM " + parent.quoted());
                Connection b = connect(url)) {
            int pidB = (int) queryLong(b, "SELECT pg_backend_pid()");
            CompletableFuture<Void> detach = CompletableFuture.runAsync(() -> {
                try {
                    exec(
                            b,
                            "ALTER TABLE " + parent.quoted() + " DETACH PARTITION " + quoted(parent, partition)
                                    + " CONCURRENTLY");
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            // The second phase waits for every transaction that holds a lock on the parent: A's virtualxid.
            await(
                    "DETACH CONCURRENTLY to block in its second phase",
                    Duration.ofSeconds(10),
                    () -> PgTestSupport.queryLong(
                                    url,
                                    "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pidB
                                            + " AND wait_event_type = 'Lock' AND wait_event = 'virtualxid'")
                            == 1);
            PgTestSupport.exec(url, "SELECT pg_cancel_backend(" + pidB + ")");
            try {
                detach.join();
                fail("the cancelled DETACH CONCURRENTLY succeeded");
            } catch (CompletionException e) {
                SQLException cause = (SQLException) e.getCause();
                if (!"57014".equals(cause.getSQLState())) {
                    throw cause;
                }
            }
        }
        long pending = PgTestSupport.queryLong(
                url,
                "SELECT count(*) FROM pg_inherits WHERE inhdetachpending" + " AND inhrelid = to_regclass("
                        + Sql.literal(quoted(parent, partition)) + ")");
        if (pending != 1) {
            fail("expected a pending detach of " + partition);
        }
    }
}

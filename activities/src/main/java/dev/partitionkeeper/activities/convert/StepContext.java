package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.CatalogConflictException;
import dev.partitionkeeper.activities.postgres.LockBusyException;
import dev.partitionkeeper.activities.postgres.LockGate;
import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.activities.postgres.PolicyException;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.activities.postgres.Privileges;
import dev.partitionkeeper.activities.postgres.Refusals;
import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.MDC;

/**
 * What every conversion step shares: the pool, the lock gate, the bookkeeping row and the names of the change logs,
 * and how a step runs (its log context, its transactions, the conversion's lock, how its errors reach Temporal).
 */
final class StepContext {
    /** Lock modes that conflict with SHARE ROW EXCLUSIVE (CREATE TRIGGER): every writer's ROW EXCLUSIVE among them. */
    static final Set<String> CONFLICTS_SHARE_ROW_EXCLUSIVE = Set.of(
            "RowExclusiveLock",
            "ShareUpdateExclusiveLock",
            "ShareLock",
            "ShareRowExclusiveLock",
            "ExclusiveLock",
            "AccessExclusiveLock");
    /** Log entries applied per replay transaction. */
    static final int REPLAY_BATCH = 5_000;

    final LockGate gate;
    final ConversionState state;
    private final DataSource dataSource;

    StepContext(DataSource dataSource, LockSettings locks, String bookkeepingSchema) {
        this.dataSource = dataSource;
        this.gate = new LockGate(locks);
        this.state = new ConversionState(bookkeepingSchema);
    }

    static String twinName(TableName t) {
        return MaintenancePlanner.partitionName(t, "pk_new");
    }

    static String oldName(TableName t) {
        return MaintenancePlanner.partitionName(t, "old");
    }

    /** Refuses when the name of the partitioned copy or the one the original takes at the swap is taken. */
    static void requireNamesFree(Connection c, TableName t) throws SQLException {
        ConvertCatalog.requireFree(c, new TableName(t.schema(), twinName(t)), "for the partitioned copy");
        ConvertCatalog.requireFree(c, new TableName(t.schema(), oldName(t)), "for the original table after the swap");
    }

    /** The log of changed keys: forward before the swap, reverse (for a rollback) after it. */
    String logTable(long oid, boolean reverse) {
        return state.qualified("convert_" + oid + (reverse ? "_rev" : "_fwd"));
    }

    String captureFunction(long oid, boolean reverse) {
        return state.qualified("convert_" + oid + "_capture" + (reverse ? "_rev" : "_fwd"));
    }

    private static TableName parse(ConvertRequest request) {
        try {
            request.validated();
            return request.tableName();
        } catch (IllegalArgumentException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_POLICY);
        }
    }

    /** The conversion's row; empty as well when the bookkeeping schema was never created (reads only). */
    Optional<ConversionState.Row> find(Connection c, TableName t) throws SQLException {
        return state.exists(c) ? state.find(c, t, false) : Optional.empty();
    }

    ConversionState.Row require(Connection c, TableName t) throws SQLException {
        return find(c, t)
                .orElseThrow(() -> new PolicyException("no conversion of " + t + " is recorded in " + state.table()
                        + "; start one with partition-keeper convert " + t));
    }

    /**
     * Takes the conversion's lock and reads its row again: what an earlier read said may have changed while this
     * attempt waited (a zombie attempt of another step).
     */
    Optional<ConversionState.Row> locked(Connection tx, TableName t, long oid) throws SQLException {
        if (oid != 0) {
            lockConversion(tx, oid);
        }
        return find(tx, t);
    }

    /** One conversion step at a time per table, whatever the workers and retries do. */
    static void lockConversion(Connection c, long oid) throws SQLException {
        Sql.queryLong(
                c,
                "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext('partition-keeper convert'),"
                        + " ?::int)) x",
                (int) oid);
    }

    @FunctionalInterface
    interface Body<T> {
        T run(Connection c) throws SQLException;
    }

    static <T> T inTransaction(Connection c, boolean repeatableRead, Body<T> body) throws SQLException {
        c.setAutoCommit(false);
        try {
            if (repeatableRead) {
                Sql.exec(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            }
            T v = body.run(c);
            c.commit();
            return v;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** A step's work on its connection, for the table the request names. */
    @FunctionalInterface
    interface StepBody<T> {
        T run(Connection c, TableName t) throws SQLException;
    }

    /**
     * Runs one step on a connection of its own, once the request is valid, and turns what went wrong into a
     * retryable or final failure.
     */
    <T> T call(ConvertRequest request, String step, StepBody<T> body) {
        TableName t = parse(request);
        MDC.put("table", t.toString());
        MDC.put("step", "convert " + step);
        try (Connection c = dataSource.getConnection()) {
            return body.run(c, t);
        } catch (PolicyException | CatalogConflictException | LockBusyException e) {
            throw Refusals.failure(e);
        } catch (SQLException e) {
            if (Privileges.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                // a grant does not appear by retrying
                throw ApplicationFailure.newNonRetryableFailure(
                        Privileges.refused(
                                "convert " + step + " " + t,
                                e,
                                "convert needs to own the table (be a member of its owner role), USAGE and CREATE on its schema, and"
                                        + " the bookkeeping schema's grants (docs/operations.md, Least-privilege grants); views and sequences"
                                        + " that depend on the table must be owned by a role it is a member of too"),
                        Failures.INSUFFICIENT_PRIVILEGE);
            }
            if ("23514".equals(e.getSQLState())
                    && String.valueOf(e.getMessage()).contains("no partition")) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "convert " + step + " " + t + ": a row's key lies outside"
                                + " the partitions made for it (written during the conversion?): " + e.getMessage()
                                + "; roll back with"
                                + " partition-keeper convert --rollback " + t
                                + " and convert again with --default-partition",
                        Failures.INVALID_POLICY);
            }
            // retryable: connection loss, a restart; the message says what PostgreSQL said
            throw ApplicationFailure.newFailure(
                    "convert " + step + " " + t + " failed: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")",
                    Failures.SQL_EXCEPTION);
        } finally {
            MDC.remove("table");
            MDC.remove("step");
        }
    }

    static LockGate.Progress progress() {
        ActivityExecutionContext ctx = PostgresPartitionActivitiesImpl.context();
        return ctx == null ? blocker -> {} : blocker -> ctx.heartbeat("waiting outside the lock queue for " + blocker);
    }

    static void heartbeat(String what) {
        ActivityExecutionContext ctx = PostgresPartitionActivitiesImpl.context();
        if (ctx != null) {
            ctx.heartbeat(what);
        }
    }
}

package dev.partitionkeeper.activities.archive;

import static dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl.context;

import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.archive.export.UnexportableValueException;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.InvalidManifestException;
import dev.partitionkeeper.activities.archive.store.ArchiveCredentialsException;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.postgres.CatalogReader;
import dev.partitionkeeper.activities.postgres.LockBusyException;
import dev.partitionkeeper.activities.postgres.LockGate;
import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.activities.postgres.PolicyException;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl.MaintenanceListener;
import dev.partitionkeeper.activities.postgres.Privileges;
import dev.partitionkeeper.activities.postgres.Refusals;
import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ArchiveActivities;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.KeyEncoding;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Export, verify and drop for detached partitions. The bookkeeping row of a partition is the
 * state machine: detached, exported (archive location, rows, checksum), verified (drop_after set),
 * dropped. Every method checks that state, the catalog and the store again before acting.
 */
public class ArchiveActivitiesImpl implements ArchiveActivities {
    private static final Logger log = LoggerFactory.getLogger(ArchiveActivitiesImpl.class);

    private final DataSource dataSource;
    private final ArchiveStore store;
    private final ArchiveFormat format;
    private final Bookkeeping books;
    private final LockGate gate;
    private final MaintenanceListener listener;

    public ArchiveActivitiesImpl(
            DataSource dataSource,
            ArchiveStore store,
            ExportOptions options,
            String bookkeepingSchema,
            LockSettings lockSettings,
            MaintenanceListener listener) {
        this(
                dataSource,
                store,
                new ParquetArchiveFormat(dataSource, store, options),
                bookkeepingSchema,
                lockSettings,
                listener);
    }

    /** With another {@link ArchiveFormat} than Parquet, e.g. {@code archive.format: iceberg}. */
    public ArchiveActivitiesImpl(
            DataSource dataSource,
            ArchiveStore store,
            ArchiveFormat format,
            String bookkeepingSchema,
            LockSettings lockSettings,
            MaintenanceListener listener) {
        this.dataSource = dataSource;
        this.store = store;
        this.format = format;
        this.books = new Bookkeeping(bookkeepingSchema);
        this.gate = new LockGate(lockSettings);
        this.listener = listener == null ? MaintenanceListener.NONE : listener;
    }

    @Override
    public ActionResult export(TablePolicy policy, PlannedAction.ExportPartition action) {
        return run(policy, "export", action.partition(), action.summary(), c -> {
            Bookkeeping.Lifecycle rec = detachedRecord(c, policy, action.partition());
            ArchiveLayout layout = ArchiveLayout.of(policy.table(), action.partition());
            if (rec.exportedAt() != null && format.isComplete(policy.table(), action.partition())) {
                return new ActionResult(
                        action.summary(),
                        ActionResult.ALREADY_DONE,
                        rec.archivedRows() == null ? 0 : rec.archivedRows(),
                        0,
                        "archive " + format.location(policy.table(), action.partition()));
            }
            TableName source = requireDetachedTable(c, rec);
            String key = CatalogReader.parent(c, policy.table()).keyColumn();
            // One export per partition at a time: a timed-out attempt still running elsewhere must not
            // overwrite files under a manifest this attempt writes. Session lock, released with the connection.
            if (Sql.queryLong(
                            c,
                            "SELECT CASE WHEN pg_try_advisory_lock(hashtext(?)) THEN 1 ELSE 0 END",
                            "partition-keeper export " + layout.dir())
                    == 0) {
                throw new LockBusyExport(
                        "another export of " + source + " is running (advisory lock held); will retry");
            }
            try {
                return exportLocked(c, policy, action, rec, layout, source, key);
            } finally {
                Sql.queryLong(
                        c,
                        "SELECT CASE WHEN pg_advisory_unlock(hashtext(?)) THEN 1 ELSE 0 END",
                        "partition-keeper export " + layout.dir());
            }
        });
    }

    private ActionResult exportLocked(
            Connection c,
            TablePolicy policy,
            PlannedAction.ExportPartition action,
            Bookkeeping.Lifecycle rec,
            ArchiveLayout layout,
            TableName source,
            String key)
            throws SQLException, IOException {
        {
            ActivityExecutionContext ctx = context();
            ExportResult r = format.export(
                    policy,
                    new ExportRequest(source, policy.table(), action.partition(), rec.rangeFrom(), rec.rangeTo(), key),
                    new ProgressListener() {
                        @Override
                        public void onRows(long rows, long bytes) {
                            if (ctx != null) {
                                ctx.heartbeat("exported " + rows + " rows, " + bytes + " bytes");
                            }
                        }
                    });
            books.update(
                    c,
                    policy.table(),
                    action.partition(),
                    "exported_at = now(), archive_location = ?, archived_rows = ?, archive_checksum = ?, last_error = NULL",
                    r.archive(),
                    r.rows(),
                    r.contentChecksum());
            return new ActionResult(
                    action.summary(),
                    r.outcome(),
                    r.rows(),
                    r.attempts(),
                    "archive " + r.archive() + " (" + r.files() + " file(s), " + r.bytes() + " bytes)");
        }
    }

    @Override
    public ActionResult verify(TablePolicy policy, PlannedAction.VerifyArchive action) {
        return run(policy, "verify", action.partition(), action.summary(), c -> {
            Bookkeeping.Lifecycle rec = detachedRecord(c, policy, action.partition());
            if (rec.exportedAt() == null) {
                throw new ArchiveStateException("cannot verify " + action.partition() + ": it was never exported;"
                        + " the next pass exports it first");
            }
            TableName source = requireDetachedTable(c, rec);
            VerifyResult v = format.verify(policy, action.partition(), source);
            if (!v.ok()) {
                books.update(
                        c,
                        policy.table(),
                        action.partition(),
                        "verified_at = NULL, drop_after = NULL, last_error = ?",
                        v.summary());
                throw new VerificationException(v.summary() + "; the detached table " + source + " is kept");
            }
            // drop_after counts from the first successful verification; a re-verification keeps it
            books.update(
                    c,
                    policy.table(),
                    action.partition(),
                    "verified_at = now(),"
                            + " drop_after = coalesce(drop_after, now() + make_interval(days => ?)), last_error = NULL",
                    policy.dropGraceDays());
            return new ActionResult(action.summary(), ActionResult.DONE, v.archiveRows(), 1, v.summary());
        });
    }

    @Override
    public ActionResult drop(TablePolicy policy, PlannedAction.DropPartition action) {
        return run(policy, "drop", action.partition(), action.summary(), c -> {
            Bookkeeping.Lifecycle rec = detachedRecord(c, policy, action.partition());
            TableName table = rec.detachedTable();
            long oid = CatalogReader.oid(c, table);
            if (rec.droppedAt() != null && oid == 0) {
                return new ActionResult(
                        action.summary(), ActionResult.ALREADY_DONE, 0, 0, "dropped at " + rec.droppedAt());
            }
            // Check everything again: the plan may be old, and nothing is dropped on a stale belief.
            if (rec.verifiedAt() == null || rec.dropAfter() == null) {
                throw new ArchiveStateException("refusing to drop " + table + ": its archive is not verified");
            }
            Instant dbNow = Instant.ofEpochMilli(Sql.queryLong(c, "SELECT (extract(epoch FROM now()) * 1000)::bigint"));
            if (rec.dropAfter().isAfter(dbNow)) {
                throw new ArchiveStateException(
                        "refusing to drop " + table + " before its grace period ends at " + rec.dropAfter());
            }
            if (oid == 0) {
                throw new ArchiveStateException("refusing to record " + table + " as dropped: it is missing but was not"
                        + " dropped by partition-keeper");
            }
            if (CatalogReader.parentOf(c, oid) != 0) {
                throw new ArchiveStateException("refusing to drop " + table + ": it is attached to a table again");
            }
            String where = format.location(policy.table(), action.partition());
            ArchiveFormat.Archived m = format.archived(policy.table(), action.partition());
            long rows = Sql.queryLong(c, "SELECT count(*) FROM " + table.quoted());
            if (m.rows() != rows || !m.contentChecksum().equals(rec.archiveChecksum())) {
                throw new VerificationException("refusing to drop " + table + ": it holds " + rows
                        + " rows, the archive at " + where + " says " + m.rows() + " (checksum recorded "
                        + rec.archiveChecksum() + ", archive " + m.contentChecksum() + "); verify again");
            }
            var outcome = gate.run(
                    c,
                    List.of(new LockGate.Target(oid, table.toString(), LockGate.ALL_MODES)),
                    blocker -> heartbeat("waiting outside the lock queue for " + blocker),
                    tx -> {
                        Sql.exec(tx, "DROP TABLE " + table.quoted());
                        books.update(tx, policy.table(), action.partition(), "dropped_at = now()");
                        return null;
                    });
            return new ActionResult(
                    action.summary(),
                    ActionResult.DONE,
                    rows,
                    outcome.attempts(),
                    "archive " + where + " verified at " + rec.verifiedAt());
        });
    }

    @Override
    public ActionResult expire(TablePolicy policy, PlannedAction.ExpireArchive action) {
        return run(policy, "expire_archive", action.partition(), action.summary(), c -> {
            Bookkeeping.Lifecycle rec = detachedRecord(c, policy, action.partition());
            String what = "the archive of " + action.partition() + " of " + policy.table();
            if (rec.archiveExpiredAt() != null) {
                return new ActionResult(
                        action.summary(),
                        ActionResult.ALREADY_DONE,
                        0,
                        0,
                        "archive expired at " + rec.archiveExpiredAt() + " by " + rec.archiveExpiredBy());
            }
            // Check everything again: only an archive that was verified and then dropped from PostgreSQL goes,
            // and only past the window, on the database's clock.
            if (rec.verifiedAt() == null || rec.droppedAt() == null) {
                throw new ArchiveStateException("refusing to expire " + what + ": only an archive that was verified"
                        + " and whose detached table was then dropped is deleted (verified at " + rec.verifiedAt()
                        + ", dropped at " + rec.droppedAt() + ")");
            }
            if (CatalogReader.oid(c, rec.detachedTable()) != 0) {
                throw new ArchiveStateException("refusing to expire " + what + ": table " + rec.detachedTable()
                        + " exists again (restored?); drop or rename it first");
            }
            CatalogReader.Parent parent = CatalogReader.parent(c, policy.table());
            KeyType type = KeyEncoding.apply(
                    policy.keyEncoding(), parent.keyType(), policy.table().toString(), parent.keyColumn());
            Instant dbNow = Instant.ofEpochMilli(Sql.queryLong(c, "SELECT (extract(epoch FROM now()) * 1000)::bigint"));
            if (!MaintenancePlanner.pastArchiveRetention(
                    policy, type, PostgresPartitionActivitiesImpl.upperAxis(rec.rangeTo(), type), dbNow)) {
                throw new ArchiveStateException("refusing to expire " + what + ": its upper bound " + rec.rangeTo()
                        + " is not older than now minus archive_retention "
                        + (policy.archiveRetention() == null ? "(none set)" : policy.archiveRetention()));
            }
            ArchiveFormat.Expired e = format.expire(policy.table(), action.partition());
            books.update(
                    c,
                    policy.table(),
                    action.partition(),
                    "archive_expired_at = now(), archive_expired_by = ?",
                    executedBy());
            return new ActionResult(
                    action.summary(),
                    e.files() == 0 ? ActionResult.ALREADY_DONE : ActionResult.DONE,
                    Math.max(0, e.rows()),
                    1,
                    e.detail());
        });
    }

    /** {@code <workflow id>/<activity id>} of the running activity, or {@code local} outside Temporal. */
    private static String executedBy() {
        ActivityExecutionContext ctx = context();
        return ctx == null
                ? "local"
                : ctx.getInfo().getWorkflowId() + "/" + ctx.getInfo().getActivityId();
    }

    private Bookkeeping.Lifecycle detachedRecord(Connection c, TablePolicy policy, String partition)
            throws SQLException {
        books.ensure(c);
        return books.find(c, policy.table(), partition)
                .filter(l -> l.detachedAt() != null)
                .orElseThrow(() -> new ArchiveStateException("partition " + partition + " of " + policy.table()
                        + " is not recorded as detached"
                        + " in " + books.lifecycleTableName() + "; only partitions detached by partition-keeper are"
                        + " archived"));
    }

    private static TableName requireDetachedTable(Connection c, Bookkeeping.Lifecycle rec) throws SQLException {
        TableName t = rec.detachedTable();
        long oid = CatalogReader.oid(c, t);
        if (oid == 0) {
            throw new ArchiveStateException(
                    "detached table " + t + " is missing; it was dropped or moved outside" + " partition-keeper");
        }
        if (CatalogReader.parentOf(c, oid) != 0) {
            throw new ArchiveStateException(
                    "table " + t + " is attached to a partitioned table again; not archiving it");
        }
        return t;
    }

    /** Not retried: the next attempt reads the same rows and fails on the same value. */
    static ApplicationFailure unexportable(UnexportableValueException e) {
        return ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), Failures.UNEXPORTABLE_VALUE, e);
    }

    private interface Body {
        ActionResult run(Connection c) throws SQLException, IOException;
    }

    private ActionResult run(TablePolicy policy, String step, String partition, String summary, Body body) {
        MDC.put("table", policy.table().toString());
        MDC.put("partition", partition);
        MDC.put("step", step);
        long t0 = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            ActionResult r = body.run(c);
            ActivityExecutionContext ctx = context();
            books.log(
                    c,
                    policy.table(),
                    partition,
                    step,
                    r.outcome(),
                    r.rowsMoved(),
                    r.detail(),
                    ctx == null ? null : ctx.getInfo().getWorkflowId(),
                    ctx == null ? null : ctx.getInfo().getActivityId());
            listener.actionDone(policy.table(), step, r, (System.nanoTime() - t0) / 1_000_000);
            log.info("{} {}: {} {}", step, partition, r.outcome(), r.detail());
            return r;
        } catch (LockBusyExport e) {
            listener.actionFailed(policy.table(), step, Failures.LOCK_BUSY);
            throw ApplicationFailure.newFailure(e.getMessage(), Failures.LOCK_BUSY);
        } catch (VerificationException e) {
            listener.actionFailed(policy.table(), step, Failures.VERIFICATION_FAILED);
            log.error("{} {}: {}", step, partition, e.getMessage());
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.VERIFICATION_FAILED);
        } catch (ArchiveFormat.Refused e) {
            listener.actionFailed(policy.table(), step, e.failureType());
            log.error("{} {}: {}", step, partition, e.getMessage());
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.failureType());
        } catch (ArchiveStateException e) {
            listener.actionFailed(policy.table(), step, Failures.CATALOG_CONFLICT);
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.CATALOG_CONFLICT);
        } catch (UnexportableValueException e) {
            listener.actionFailed(policy.table(), step, Failures.UNEXPORTABLE_VALUE);
            throw unexportable(e);
        } catch (ArchiveCredentialsException | InvalidManifestException e) {
            listener.actionFailed(policy.table(), step, Failures.ARCHIVE_STORE);
            // a wrong secret or a corrupt manifest does not heal by retrying
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.ARCHIVE_STORE);
        } catch (IOException e) {
            listener.actionFailed(policy.table(), step, Failures.ARCHIVE_STORE_UNAVAILABLE);
            throw ApplicationFailure.newFailure(
                    step + " " + partition + ": archive store " + store.location() + ": " + e.getMessage(),
                    Failures.ARCHIVE_STORE_UNAVAILABLE);
        } catch (SQLException e) {
            if (Privileges.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                listener.actionFailed(policy.table(), step, Failures.INSUFFICIENT_PRIVILEGE);
                // a grant does not appear by retrying: say which one is missing and stop
                throw ApplicationFailure.newNonRetryableFailure(
                        Privileges.explain(step + " " + partition + " of " + policy.table(), e, missingGrants(policy)),
                        Failures.INSUFFICIENT_PRIVILEGE);
            }
            listener.actionFailed(policy.table(), step, "SQLState " + e.getSQLState());
            throw ApplicationFailure.newFailure(
                    step + " " + partition + " failed: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")",
                    Failures.SQL_EXCEPTION);
        } catch (LockBusyException | PolicyException e) {
            ApplicationFailure f = Refusals.failure(e); // the same failures as the partition steps
            listener.actionFailed(policy.table(), step, f.getType());
            throw f;
        } finally {
            MDC.remove("table");
            MDC.remove("partition");
            MDC.remove("step");
        }
    }

    /** The grants the role lacks for this table's archive chain, read on a fresh connection. */
    private List<Privileges.Missing> missingGrants(TablePolicy policy) {
        try (Connection c = dataSource.getConnection()) {
            return Privileges.missing(c, policy.table(), null, books.schema());
        } catch (SQLException e) {
            log.warn("could not read the role's privileges: {}", e.getMessage());
            return List.of();
        }
    }

    /** Another attempt is exporting the same partition. */
    static final class LockBusyExport extends RuntimeException {
        LockBusyExport(String message) {
            super(message);
        }
    }

    /** The archive and the source disagree: nothing is dropped. */
    static final class VerificationException extends RuntimeException {
        VerificationException(String message) {
            super(message);
        }
    }

    /** Bookkeeping, catalog and store disagree about a partition; the message says how. */
    static final class ArchiveStateException extends RuntimeException {
        ArchiveStateException(String message) {
            super(message);
        }
    }

    private static void heartbeat(String details) {
        ActivityExecutionContext ctx = context();
        if (ctx != null) {
            ctx.heartbeat(details);
        }
    }
}

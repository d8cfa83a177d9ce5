package dev.partitionkeeper.activities.postgres;

import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DDL of one action, each method idempotent: it reads the catalog, does what is still missing and
 * reports {@link ActionResult#ALREADY_DONE} when nothing was.
 */
public final class PartitionDdl {
    private static final Logger log = LoggerFactory.getLogger(PartitionDdl.class);
    /** Marks a table we created and have not attached yet, so a re-run knows it is ours. */
    static final String PENDING_COMMENT_PREFIX = "partition-keeper: pending attach to ";
    /** Helper CHECK that lets ATTACH skip its validation scan; dropped right after. */
    static final String BOUND_CHECK = "partition_keeper_bound";

    private final LockGate gate;
    private final String archiveSchema;

    public PartitionDdl(LockGate gate, String archiveSchema) {
        this.gate = gate;
        this.archiveSchema = archiveSchema;
    }

    /**
     * Creates {@code name} for [{@code from}, {@code to}) as a standalone table shaped like the parent,
     * adds a CHECK matching the bound, moves rows parked in the default partition into it and attaches
     * it (SHARE UPDATE EXCLUSIVE on the parent, no validation scan), then drops the helper CHECK.
     */
    public ActionResult create(
            Connection c, CatalogReader.Parent parent, String name, long from, long to, LockGate.Progress progress)
            throws SQLException {
        TableName table = parent.table();
        TableName part = new TableName(table.schema(), name);
        KeyType type = parent.keyType();
        String summary = "create " + name;
        String fromSql = KeyAxis.sqlBound(from, type);
        String toSql = KeyAxis.sqlBound(to, type);
        String key = TableName.quoteIdent(parent.keyColumn());
        // The step's tries: 1, plus one for every lock_timeout retry of any of its transactions. Counting the
        // transactions instead made every create on an idle database report 3 (create, attach, drop the CHECK).
        int retries = 0;

        long oid = CatalogReader.oid(c, part);
        long attachedTo = oid == 0 ? 0 : CatalogReader.parentOf(c, oid);
        if (attachedTo != 0) {
            if (attachedTo != parent.oid()) {
                throw new CatalogConflictException("table " + part
                        + " is already a partition of another table; rename it" + " or change the policy");
            }
            // Attached already: a previous run got this far -- if with these bounds. Make sure the helper CHECK is
            // gone.
            String[] bounds = PartitionCatalog.boundsOf(c, oid);
            if (bounds == null
                    || KeyAxis.parseBound(bounds[0], type) != from
                    || KeyAxis.parseBound(bounds[1], type) != to) {
                throw new CatalogConflictException("partition " + part + " of " + table + " exists with "
                        + (bounds == null ? "other bounds" : "bounds FROM (" + bounds[0] + ") TO (" + bounds[1] + ")")
                        + ", not FROM " + fromSql + " TO " + toSql
                        + "; it was made by hand or for another interval: check the"
                        + " policy's interval, or rename the partition");
            }
            // 0 when nothing was left to do, else the tries of dropping the helper CHECK
            return new ActionResult(
                    summary, ActionResult.ALREADY_DONE, 0, dropHelperCheck(c, parent, part, oid, progress), "");
        }
        if (oid != 0 && !PartitionCatalog.isOurs(c, oid)) {
            throw new CatalogConflictException("table " + part + " exists but is not a partition of " + table
                    + " and was not created by partition-keeper; rename or drop it, or attach it yourself with"
                    + " ALTER TABLE " + table.quoted() + " ATTACH PARTITION " + part.quoted() + " FOR VALUES FROM "
                    + fromSql + " TO " + toSql);
        }
        if (oid == 0) {
            // LIKE takes only ACCESS SHARE on the parent. Identity is the parent's business.
            var created = gate.run(c, List.of(), progress, tx -> {
                Sql.exec(
                        tx,
                        "CREATE TABLE " + part.quoted() + " (LIKE " + table.quoted()
                                + " INCLUDING ALL EXCLUDING IDENTITY)");
                Sql.exec(
                        tx,
                        "ALTER TABLE " + part.quoted() + " ADD CONSTRAINT " + TableName.quoteIdent(BOUND_CHECK)
                                + " CHECK (" + key + " IS NOT NULL" + inRange(key, from, to, type) + ")");
                Sql.exec(
                        tx,
                        "COMMENT ON TABLE " + part.quoted() + " IS "
                                + Sql.literal(PENDING_COMMENT_PREFIX + table + " FOR VALUES FROM " + fromSql + " TO "
                                        + toSql));
                return null;
            });
            retries += created.retries();
            oid = CatalogReader.oid(c, part);
        }

        // Rows parked in the default partition move in the same transaction as the ATTACH: none is lost,
        // none is seen twice, and the ATTACH's check of the default partition then passes.
        TableName def = PartitionCatalog.defaultPartition(c, parent);
        long defOid = def == null ? 0 : CatalogReader.oid(c, def);
        List<String> cols = PartitionCatalog.columns(c, parent.oid());
        String colList =
                String.join(", ", cols.stream().map(TableName::quoteIdent).toList());
        List<LockGate.Target> targets = new ArrayList<>();
        targets.add(new LockGate.Target(parent.oid(), table.toString(), LockGate.CONFLICTS_SHARE_UPDATE_EXCLUSIVE));
        targets.add(new LockGate.Target(oid, part.toString(), LockGate.ALL_MODES));
        if (def != null) {
            targets.add(new LockGate.Target(defOid, def.toString(), LockGate.ALL_MODES));
        }
        final TableName defFinal = def;
        var attached = gate.run(c, targets, progress, tx -> {
            long moved = 0;
            if (defFinal != null) {
                // the default partition first: rows a writer parks there between our move and the ATTACH's own lock
                // would make the ATTACH fail (and retry) -- with the lock, the move sees them all
                Sql.exec(tx, "LOCK TABLE " + defFinal.quoted() + " IN ACCESS EXCLUSIVE MODE");
                moved = Sql.queryLong(
                        tx,
                        "WITH moved AS (DELETE FROM " + defFinal.quoted() + " WHERE " + key + " IS NOT NULL"
                                + inRange(key, from, to, type) + " RETURNING "
                                + colList
                                + "), ins AS (INSERT INTO " + part.quoted() + " (" + colList + ") SELECT " + colList
                                + " FROM moved RETURNING 1) SELECT count(*) FROM ins");
            }
            Sql.exec(
                    tx,
                    "ALTER TABLE " + table.quoted() + " ATTACH PARTITION " + part.quoted() + " FOR VALUES FROM "
                            + fromSql + " TO " + toSql);
            Sql.exec(tx, "COMMENT ON TABLE " + part.quoted() + " IS NULL");
            return moved;
        });
        retries += attached.retries();
        retries += Math.max(0, dropHelperCheck(c, parent, part, oid, progress) - 1);
        long moved = attached.value();
        if (moved > 0) {
            log.info("moved {} rows from default partition {} into {}", moved, def, part);
        }
        return new ActionResult(
                summary,
                ActionResult.DONE,
                moved,
                1 + retries,
                moved > 0 ? "moved " + moved + " rows from " + def : "");
    }

    private int dropHelperCheck(
            Connection c, CatalogReader.Parent parent, TableName part, long oid, LockGate.Progress progress)
            throws SQLException {
        long has = Sql.queryLong(
                c, "SELECT count(*) FROM pg_constraint WHERE conrelid = ? AND conname = ?", oid, BOUND_CHECK);
        if (has == 0) {
            return 0;
        }
        // ACCESS EXCLUSIVE on the new partition only; readers of the parent may already hold it.
        return gate.run(c, List.of(new LockGate.Target(oid, part.toString(), LockGate.ALL_MODES)), progress, tx -> {
                    Sql.exec(
                            tx,
                            "ALTER TABLE " + part.quoted() + " DROP CONSTRAINT IF EXISTS "
                                    + TableName.quoteIdent(BOUND_CHECK));
                    return null;
                })
                .attempts();
    }

    /** Creates the DEFAULT partition. */
    public ActionResult createDefault(
            Connection c, CatalogReader.Parent parent, String name, LockGate.Progress progress) throws SQLException {
        TableName existing = PartitionCatalog.defaultPartition(c, parent);
        if (existing != null) {
            return new ActionResult(
                    "create default partition " + name,
                    ActionResult.ALREADY_DONE,
                    0,
                    0,
                    "default partition is " + existing);
        }
        TableName part = new TableName(parent.table().schema(), name);
        if (CatalogReader.oid(c, part) != 0) {
            throw new CatalogConflictException(
                    "cannot create default partition " + part + ": a table of that name exists");
        }
        // CREATE TABLE ... PARTITION OF takes ACCESS EXCLUSIVE on the parent: gate on every mode.
        var r = gate.run(
                c,
                List.of(new LockGate.Target(parent.oid(), parent.table().toString(), LockGate.ALL_MODES)),
                progress,
                tx -> {
                    Sql.exec(
                            tx,
                            "CREATE TABLE " + part.quoted() + " PARTITION OF "
                                    + parent.table().quoted() + " DEFAULT");
                    return null;
                });
        return new ActionResult("create default partition " + name, ActionResult.DONE, 0, r.attempts(), "");
    }

    /**
     * Detaches {@code name} and moves it to the archive schema, recording it in the bookkeeping schema.
     * Without a default partition the detach runs CONCURRENTLY (writers never wait); with one, PostgreSQL
     * refuses CONCURRENTLY, so a plain DETACH runs behind the lock gate.
     */
    public ActionResult detach(
            Connection c,
            CatalogReader.Parent parent,
            String name,
            String fromText,
            String toText,
            Bookkeeping books,
            LockGate.Progress progress)
            throws SQLException {
        TableName table = parent.table();
        // The partition may live in another schema than its parent: find it among the parent's children.
        TableName child = PartitionCatalog.childNamed(c, parent, name);
        TableName part = child != null ? child : new TableName(table.schema(), name);
        TableName archived = new TableName(archiveSchema, name);
        String summary = "detach " + name;
        int retries = 0; // lock_timeout retries; the step reports 1 + retries tries
        var rec = books.find(c, table, name);

        long oid = CatalogReader.oid(c, part);
        if (oid == 0) {
            long inArchive = CatalogReader.oid(c, archived);
            if (inArchive != 0
                    && rec.isPresent()
                    && archiveSchema.equals(rec.get().detachedSchema())) {
                return new ActionResult(summary, ActionResult.ALREADY_DONE, 0, 0, "in " + archived);
            }
            if (rec.isPresent() && rec.get().droppedAt() != null) {
                return new ActionResult(summary, ActionResult.ALREADY_DONE, 0, 0, "dropped earlier");
            }
            throw new CatalogConflictException("partition " + part + " of " + table + " no longer exists and "
                    + archived + " is not recorded as detached by partition-keeper; was it dropped by hand?");
        }
        long attachedTo = CatalogReader.parentOf(c, oid);
        if (attachedTo != 0 && attachedTo != parent.oid()) {
            throw new CatalogConflictException("table " + part + " is a partition of another table");
        }
        // Checked before detaching: found only after it, the partition would be left detached in place.
        if (CatalogReader.oid(c, archived) != 0) {
            throw new CatalogConflictException("cannot move " + part + " to schema " + archiveSchema + ": " + archived
                    + " already exists (another table's partition of the same name?); rename one of them");
        }
        // Bookkeeping keeps the exact bounds as PostgreSQL prints them (UTC), so a restore can re-attach.
        String[] exact = attachedTo != 0 ? PartitionCatalog.boundsOf(c, oid) : null;
        final String from = exact != null ? exact[0] : fromText;
        final String to = exact != null ? exact[1] : toText;
        if (attachedTo == 0 && rec.isEmpty()) {
            // Not attached and we never started detaching it: someone else's table of the same name.
            throw new CatalogConflictException("table " + part + " is not a partition of " + table
                    + " and partition-keeper" + " did not detach it; leaving it alone (rename it if it is unrelated)");
        }
        if (attachedTo != 0) {
            // Intent is recorded with (or just before) the DETACH: after a kill between the DETACH and the
            // move, the re-run knows the detached table is ours. A refusal before that records nothing.
            boolean pending =
                    Sql.queryLong(c, "SELECT count(*) FROM pg_inherits WHERE inhrelid = ? AND inhdetachpending", oid)
                            > 0;
            TableName def = PartitionCatalog.defaultPartition(c, parent);
            if (pending) {
                books.recordIntent(c, table, name, from, to);
                finalizeDetach(c, parent, part, progress);
            } else if (def == null) {
                detachConcurrently(c, parent, part, oid, progress, () -> books.recordIntent(c, table, name, from, to));
            } else {
                long defOid = CatalogReader.oid(c, def);
                retries += gate.run(
                                c,
                                List.of(
                                        new LockGate.Target(parent.oid(), table.toString(), LockGate.ALL_MODES),
                                        new LockGate.Target(oid, part.toString(), LockGate.ALL_MODES),
                                        new LockGate.Target(defOid, def.toString(), LockGate.ALL_MODES)),
                                progress,
                                tx -> {
                                    books.recordIntent(tx, table, name, from, to);
                                    // DETACH ... CONCURRENTLY is refused when a DEFAULT partition exists
                                    Sql.exec(
                                            tx, "ALTER TABLE " + table.quoted() + " DETACH PARTITION " + part.quoted());
                                    return null;
                                })
                        .retries();
            }
        }
        // Detached, still in its schema: move it and record it in one transaction.
        long rows = PartitionCatalog.estimatedRows(c, oid);
        retries += gate.run(c, List.of(new LockGate.Target(oid, part.toString(), LockGate.ALL_MODES)), progress, tx -> {
                    // CREATE SCHEMA IF NOT EXISTS races on pg_namespace's unique index when two tables' first detaches
                    // run at once (table_parallelism > 1, or two workers): one fails with a unique violation. The chaos
                    // suite hit it; the step was retried, but a failed attempt is noise in the history and the metrics.
                    Sql.queryLong(
                            tx,
                            "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext(?))) x",
                            "partition_keeper:schema:" + archiveSchema);
                    Sql.ensureSchema(tx, archiveSchema);
                    Sql.exec(tx, "ALTER TABLE " + part.quoted() + " SET SCHEMA " + TableName.quoteIdent(archiveSchema));
                    books.recordDetached(tx, table, name, from, to, archiveSchema, rows);
                    return null;
                })
                .retries();
        return new ActionResult(summary, ActionResult.DONE, rows, 1 + retries, "moved to " + archived);
    }

    /** Runs just before a statement that cannot share a transaction. */
    @FunctionalInterface
    interface Before {
        void run() throws SQLException;
    }

    private int detachConcurrently(
            Connection c,
            CatalogReader.Parent parent,
            TableName part,
            long oid,
            LockGate.Progress progress,
            Before before)
            throws SQLException {
        // First phase takes SHARE UPDATE EXCLUSIVE on parent and partition: stay out of the queue first.
        waitOutsideQueueForDetach(c, parent, part, oid, progress);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true); // CONCURRENTLY cannot run inside a transaction block
        before.run();
        try {
            // Its second phase waits for older snapshots without blocking anyone: no lock_timeout there.
            Sql.exec(c, "SET lock_timeout = 0");
            execHeartbeating(
                    c,
                    "ALTER TABLE " + parent.table().quoted() + " DETACH PARTITION " + part.quoted() + " CONCURRENTLY",
                    progress,
                    "transactions older than the detach of " + part + " (DETACH CONCURRENTLY"
                            + " waits for them without blocking anyone)",
                    HEARTBEAT_EVERY);
        } catch (SQLException e) {
            // Interrupted in the second phase, the detach stays pending; the next attempt finalizes it.
            throw e;
        } finally {
            Sql.exec(c, "RESET lock_timeout");
            c.setAutoCommit(auto);
        }
        return 1;
    }

    /** How often a statement that may wait for old transactions reports that it is still waiting. */
    static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(5);

    /**
     * Runs a statement that may wait a long time without blocking anyone (the second phase of DETACH CONCURRENTLY
     * waits for every older snapshot), telling {@code progress} every {@code every} that it still waits, so the
     * activity heartbeats instead of timing out. When {@code progress} throws (the activity was cancelled or the
     * worker is stopping), the statement is cancelled; an interrupted detach stays pending and is finalized later.
     */
    static void execHeartbeating(
            Connection c, String sql, LockGate.Progress progress, String waitingFor, Duration every)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            FutureTask<Boolean> task = new FutureTask<>(() -> st.execute(sql));
            Thread runner = new Thread(task, "pk-long-statement");
            runner.setDaemon(true);
            runner.start();
            while (true) {
                try {
                    task.get(every.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException stillWaiting) {
                    try {
                        progress.waiting(waitingFor);
                    } catch (RuntimeException stop) {
                        st.cancel();
                        throw stop;
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof SQLException sql2) {
                        throw sql2;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    st.cancel();
                    Thread.currentThread().interrupt();
                    throw new LockBusyException("interrupted while " + waitingFor + " ran");
                }
            }
        }
    }

    /**
     * Both phases of a concurrent detach, and FINALIZE, take SHARE UPDATE EXCLUSIVE on the parent and the
     * partition: waits outside the lock queue while an older transaction holds a conflicting lock on either.
     */
    private void waitOutsideQueueForDetach(
            Connection c, CatalogReader.Parent parent, TableName part, long oid, LockGate.Progress progress)
            throws SQLException {
        gate.waitOutsideQueue(
                c,
                List.of(
                        new LockGate.Target(
                                parent.oid(), parent.table().toString(), LockGate.CONFLICTS_SHARE_UPDATE_EXCLUSIVE),
                        new LockGate.Target(oid, part.toString(), LockGate.CONFLICTS_SHARE_UPDATE_EXCLUSIVE)),
                progress,
                System.nanoTime());
    }

    /** Finishes a pending {@code DETACH ... CONCURRENTLY}. */
    public int finalizeDetach(Connection c, CatalogReader.Parent parent, TableName part, LockGate.Progress progress)
            throws SQLException {
        long oid = CatalogReader.oid(c, part);
        if (oid == 0
                || Sql.queryLong(c, "SELECT count(*) FROM pg_inherits WHERE inhrelid = ? AND inhdetachpending", oid)
                        == 0) {
            return 0;
        }
        waitOutsideQueueForDetach(c, parent, part, oid, progress);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true); // FINALIZE cannot run inside a transaction block either
        try {
            Sql.exec(c, "SET lock_timeout = 0");
            execHeartbeating(
                    c,
                    "ALTER TABLE " + parent.table().quoted() + " DETACH PARTITION " + part.quoted() + " FINALIZE",
                    progress,
                    "transactions older than the detach of " + part + " (FINALIZE waits for them"
                            + " without blocking anyone)",
                    HEARTBEAT_EVERY);
        } finally {
            Sql.exec(c, "RESET lock_timeout");
            c.setAutoCommit(auto);
        }
        return 1;
    }

    /**
     * {@code " AND key >= from AND key < to"}, without the side that is MINVALUE or MAXVALUE (an integer key's top
     * partition ends at MAXVALUE, which no literal of the key's type spells).
     */
    private static String inRange(String key, long from, long to, KeyType type) {
        return (from == KeyAxis.MIN ? "" : " AND " + key + " >= " + literalOf(from, type))
                + (to == KeyAxis.MAX ? "" : " AND " + key + " < " + literalOf(to, type));
    }

    /** A typed literal for comparisons: {@code '2026-03-01 00:00:00+00'::timestamptz}. */
    private static String literalOf(long axis, KeyType type) {
        String cast = switch (type) {
            case TIMESTAMPTZ -> "timestamptz";
            case TIMESTAMP -> "timestamp";
            case DATE -> "date";
            // epoch keys are bigint columns; numeric(p,0) compares exactly with a numeric literal
            default -> type.sqlName();
        };
        return Sql.literal(KeyAxis.literal(axis, type)) + "::" + cast;
    }
}

package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.CatalogConflictException;
import dev.partitionkeeper.activities.postgres.LockBusyException;
import dev.partitionkeeper.activities.postgres.LockGate;
import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.Inspection;
import dev.partitionkeeper.workflows.convert.SwapResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The swap step, and the swap back of a rollback: in one transaction under the locks of the table, its views and
 * its sequences, the last changes are replayed, the names change hands and what hangs on a name follows it (the
 * sequences, {@link IndexRenames the index names}, {@link ViewRecreation the views and triggers}). A rollback before
 * the swap is {@link AbandonStep}.
 */
record SwapStep(StepContext ctx) {
    private static final Logger log = LoggerFactory.getLogger(SwapStep.class);

    /** The swap takes its lock once at most this many changes wait (they are replayed under the lock). */
    static final long SWAP_LOCK_BACKLOG = 1_000;

    static SwapResult alreadyDone(TableName t, String renamedTo) {
        return new SwapResult(t.toString(), renamedTo, 0, 0, 0, List.of(), true);
    }

    SwapResult swap(ConvertRequest request, boolean back) {
        return ctx.call(request, back ? "swap back" : "swap", (c, t) -> {
            Optional<ConversionState.Row> found = ctx.find(c, t);
            if (back && found.isEmpty()) {
                // an abandon that committed before its attempt could report it, or no conversion at all
                return alreadyDone(t, "-");
            }
            ConversionState.Row r = found.isPresent() ? found.get() : ctx.require(c, t);
            if (!back) {
                if (Inspection.SWAPPED.equals(r.phase()) || Inspection.FINISHED.equals(r.phase())) {
                    return alreadyDone(t, r.oldTable().toString());
                }
                if (!Inspection.COPIED.equals(r.phase())) {
                    throw new CatalogConflictException("cannot swap " + t + ": the conversion is " + r.phase());
                }
                return swapNames(c, new Sides(c, ctx, t, r, false));
            }
            return switch (r.phase()) {
                case Inspection.SWAPPED -> swapNames(c, new Sides(c, ctx, t, r, true));
                case Inspection.PREPARED, Inspection.COPIED -> new AbandonStep(ctx).abandon(c, t, r);
                case Inspection.FINISHED ->
                    throw new CatalogConflictException("the conversion of " + t + " was finished (no"
                            + " changes are recorded for a rollback any more); " + r.oldTable()
                            + " is the original as it was at the"
                            + " swap");
                default -> alreadyDone(t, r.twinName().toString());
            };
        });
    }

    /**
     * Who takes the name {@code t} and who gives it up, read before the lock: the table taking over is the twin
     * (forward) or the original {@code <table>_old} (back); the live table under the name becomes {@code outgoing}.
     */
    private record Sides(
            TableName t,
            ConversionState.Row r,
            boolean back,
            TableName incoming,
            TableName outgoing,
            long liveOid,
            long incomingOid,
            String changes,
            TableSync sync) {

        Sides(Connection c, StepContext ctx, TableName t, ConversionState.Row r, boolean back) throws SQLException {
            this(
                    t,
                    r,
                    back,
                    back ? r.oldTable() : r.twinName(),
                    back ? r.twinName() : r.oldTable(),
                    back ? ConvertCatalog.oidOf(c, t) : r.sourceOid(),
                    back ? r.sourceOid() : ConvertCatalog.oidOf(c, r.twinName()),
                    ctx.logTable(r.sourceOid(), back),
                    new TableSync(SourceTable.of(r, t)));
        }
    }

    private SwapResult swapNames(Connection c, Sides s) throws SQLException {
        long early = replayBacklog(c, s);
        List<String[]> views = ConvertCatalog.dependentViews(c, s.liveOid());
        List<String[]> sequences = ConvertCatalog.ownedSequences(c, s.liveOid());
        long[] held = new long[1];
        String expected = s.back() ? Inspection.SWAPPED : Inspection.COPIED;
        LockGate.Outcome<SwapResult> out =
                ctx.gate.run(c, lockTargets(s, views, sequences), StepContext.progress(), tx -> {
                    long t0 = System.nanoTime();
                    // the conversion's own lock first: never wait for it while holding the table's
                    String phase = ctx.locked(tx, s.t(), s.r().sourceOid())
                            .map(ConversionState.Row::phase)
                            .orElse(Inspection.NONE);
                    if (!expected.equals(phase)) {
                        if (phase.equals(s.back() ? Inspection.ROLLED_BACK : Inspection.SWAPPED)) {
                            return alreadyDone(s.t(), s.outgoing().toString());
                        }
                        throw new CatalogConflictException("the conversion of " + s.t() + " is " + phase + " now, not "
                                + expected + "; another attempt changed it");
                    }
                    SwapResult done = underLock(tx, s, views, sequences);
                    held[0] = (System.nanoTime() - t0) / 1_000_000;
                    return done;
                });
        SwapResult r = out.value();
        if (r.alreadyDone()) {
            return r;
        }
        log.info(
                "swapped {}{}: {} took the name, the other table is now {} ({} changes replayed, held the lock {} ms,"
                        + " {} attempts)",
                s.t(),
                s.back() ? " back" : "",
                s.incoming(),
                s.outgoing(),
                r.replayed(),
                held[0],
                out.attempts());
        return new SwapResult(
                r.table(), r.renamedTo(), early + r.replayed(), out.attempts(), held[0], r.repointed(), false);
    }

    /** The backlog is replayed before the lock, so that the lock covers only what arrives meanwhile. */
    private long replayBacklog(Connection c, Sides s) throws SQLException {
        long early = 0;
        for (long n;
                (n = StepContext.inTransaction(
                                c,
                                false,
                                tx -> ctx.locked(tx, s.t(), s.r().sourceOid()).isPresent()
                                        ? s.sync()
                                                .replayBatch(
                                                        tx, s.changes(), s.t(), s.incoming(), StepContext.REPLAY_BATCH)
                                        : 0L))
                        > 0; ) {
            early += n;
            StepContext.heartbeat("replayed " + early + " changes before the swap");
            if (n < StepContext.REPLAY_BATCH && TableSync.pending(c, s.changes()) <= SWAP_LOCK_BACKLOG) {
                break;
            }
        }
        return early;
    }

    private static List<LockGate.Target> lockTargets(Sides s, List<String[]> views, List<String[]> sequences) {
        List<LockGate.Target> targets = new ArrayList<>();
        for (String[] v : views) {
            targets.add(new LockGate.Target(Long.parseLong(v[0]), v[1] + "." + v[2], LockGate.ALL_MODES));
        }
        for (String[] q : sequences) {
            targets.add(new LockGate.Target(Long.parseLong(q[2]), q[0], StepContext.CONFLICTS_SHARE_ROW_EXCLUSIVE));
        }
        targets.add(new LockGate.Target(s.liveOid(), s.t().toString(), LockGate.ALL_MODES));
        targets.add(new LockGate.Target(s.incomingOid(), s.incoming().toString(), LockGate.ALL_MODES));
        return targets;
    }

    /** The swap itself, once the conversion's lock is held and its phase checked. */
    private SwapResult underLock(Connection tx, Sides s, List<String[]> views, List<String[]> sequences)
            throws SQLException {
        TableName t = s.t();
        TableName incoming = s.incoming();
        // lock order as the writers have it: sequences (nextval) and views before the table
        for (String[] q : sequences) {
            Sql.exec(
                    tx, "ALTER SEQUENCE " + q[0] + " OWNED BY " + incoming.quoted() + "." + TableName.quoteIdent(q[1]));
        }
        StringBuilder lock = new StringBuilder("LOCK TABLE ");
        for (String[] v : views) {
            lock.append(new TableName(v[1], v[2]).quoted()).append(", ");
        }
        Sql.exec(tx, lock + t.quoted() + ", " + incoming.quoted() + " IN ACCESS EXCLUSIVE MODE");
        long replayed = 0;
        for (long n; (n = s.sync().replayBatch(tx, s.changes(), t, incoming, StepContext.REPLAY_BATCH)) > 0; ) {
            replayed += n;
        }
        long stuck = TableSync.pending(tx, s.changes());
        if (stuck > 0) {
            // never drop a change: give the lock back and try again later
            throw new LockBusyException(
                    stuck + " changes could not be applied to " + incoming + " (unique conflicts);" + " will retry");
        }
        long sourceOid = s.r().sourceOid();
        s.sync().dropCapture(tx, s.changes(), ctx.captureFunction(sourceOid, s.back()), t);
        s.sync().handOverIdentity(tx, t, incoming);
        // the table's own triggers move with the name (forward only: the original keeps its own); they were never
        // on the twin, so the copy and the replay did not fire them
        List<String[]> triggers = s.back() ? List.of() : ConvertCatalog.userTriggers(tx, s.liveOid());
        ViewRecreation dependents = ViewRecreation.read(tx, views, triggers);
        List<String> renames;
        if (s.back()) {
            renames = List.of();
            IndexRenames.undo(tx, t.schema(), s.r().indexRenames());
        } else {
            renames = IndexRenames.takeOver(tx, t.schema(), sourceOid, s.incomingOid());
        }
        Sql.exec(
                tx,
                "ALTER TABLE " + t.quoted() + " RENAME TO "
                        + TableName.quoteIdent(s.outgoing().table()));
        Sql.exec(tx, "ALTER TABLE " + incoming.quoted() + " RENAME TO " + TableName.quoteIdent(t.table()));
        List<String> repointed = new ArrayList<>();
        sequences.forEach(q -> repointed.add("sequence " + q[0]));
        repointed.addAll(dependents.recreate(tx, t));
        if (!s.back()) {
            // from now on the original is frozen: changes on the new table are recorded for a rollback
            s.sync().capture(tx, ctx.logTable(sourceOid, true), ctx.captureFunction(sourceOid, true), null, t);
        }
        ctx.state.swapped(tx, t, s.back() ? Inspection.ROLLED_BACK : Inspection.SWAPPED, renames);
        return new SwapResult(t.toString(), s.outgoing().toString(), replayed, 0, 0, repointed, false);
    }
}

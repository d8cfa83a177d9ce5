package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.CatalogConflictException;
import dev.partitionkeeper.activities.postgres.LockBusyException;
import dev.partitionkeeper.activities.postgres.PolicyException;
import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.Inspection;
import dev.partitionkeeper.workflows.convert.TableChecksum;
import dev.partitionkeeper.workflows.convert.Verification;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verify step: both tables' row count and checksum in one snapshot, before the swap, after it, or before a swap
 * back.
 */
record VerifyStep(StepContext ctx) {
    private static final Logger log = LoggerFactory.getLogger(VerifyStep.class);

    /** The verifications by name, as the workflow asks for them. */
    static final String BEFORE_SWAP = "before swap";

    static final String AFTER_SWAP = "after swap";
    static final String BEFORE_SWAP_BACK = "before swap back";

    Verification verify(ConvertRequest request, String when) {
        return ctx.call(request, "verify " + when, (c, t) -> {
            ConversionState.Row r = ctx.require(c, t);
            TableSync sync = new TableSync(SourceTable.of(r, t));
            // taken before the REPEATABLE READ snapshot: it must see the last replay of any other attempt
            Sql.queryLong(
                    c,
                    "SELECT count(*) FROM (SELECT pg_advisory_lock(hashtext('partition-keeper convert'), ?::int)) x",
                    (int) r.sourceOid());
            Verification v;
            try {
                v = StepContext.inTransaction(c, true, tx -> compare(tx, t, r, sync, when));
            } finally {
                Sql.queryLong(
                        c,
                        "SELECT count(*) FROM (SELECT pg_advisory_unlock(hashtext('partition-keeper convert'),"
                                + " ?::int)) x",
                        (int) r.sourceOid());
            }
            if (v.ok()) {
                log.info("verified {}", v.describe());
            } else {
                log.error("verification failed: {}", v.describe());
            }
            return v;
        });
    }

    private Verification compare(Connection tx, TableName t, ConversionState.Row r, TableSync sync, String when)
            throws SQLException {
        TableChecksum a;
        TableChecksum b;
        switch (when) {
            case BEFORE_SWAP, BEFORE_SWAP_BACK -> {
                boolean reverse = BEFORE_SWAP_BACK.equals(when);
                Direction d = Direction.of(ctx, r, reverse);
                if (d == null) {
                    throw new CatalogConflictException(
                            "cannot verify " + when + " of " + t + ": the conversion is " + r.phase());
                }
                // apply every change this snapshot sees, then both tables must be equal in it
                while (sync.replayBatch(tx, d.log(), d.source(), d.target(), StepContext.REPLAY_BATCH) > 0) {
                    StepContext.heartbeat("replaying before the comparison");
                }
                if (TableSync.pending(tx, d.log()) > 0) {
                    throw new LockBusyException("changes visible to the comparison could not all be applied (unique"
                            + " conflicts); will retry");
                }
                a = sync.checksum(tx, d.source(), null);
                b = sync.checksum(tx, d.target(), null);
            }
            case AFTER_SWAP -> {
                if (!Inspection.SWAPPED.equals(r.phase())) {
                    throw new CatalogConflictException(
                            "cannot verify after the swap of " + t + ": the conversion is " + r.phase());
                }
                String rev = ctx.logTable(r.sourceOid(), true);
                a = sync.checksum(tx, r.oldTable(), rev);
                b = sync.checksum(tx, t, rev);
            }
            default ->
                throw new PolicyException("unknown verification \"" + when + "\"; expected one of: " + BEFORE_SWAP
                        + ", " + AFTER_SWAP + ", " + BEFORE_SWAP_BACK);
        }
        return new Verification(when, a, b, a.rows() == b.rows() && a.checksum().equals(b.checksum()));
    }
}

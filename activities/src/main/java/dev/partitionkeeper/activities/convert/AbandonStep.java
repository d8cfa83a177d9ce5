package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.CatalogConflictException;
import dev.partitionkeeper.activities.postgres.LockGate;
import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.convert.Inspection;
import dev.partitionkeeper.workflows.convert.SwapResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A rollback before the swap: stop capturing and drop the partial copy; the original was never touched. */
record AbandonStep(StepContext ctx) {
    private static final Logger log = LoggerFactory.getLogger(AbandonStep.class);

    SwapResult abandon(Connection c, TableName t, ConversionState.Row r) throws SQLException {
        TableName twin = r.twinName();
        TableSync sync = new TableSync(SourceTable.of(r, t));
        boolean done = ctx.gate
                .run(
                        c,
                        List.of(new LockGate.Target(r.sourceOid(), t.toString(), LockGate.ALL_MODES)),
                        StepContext.progress(),
                        tx -> {
                            Optional<ConversionState.Row> now = ctx.locked(tx, t, r.sourceOid());
                            if (now.isEmpty()) {
                                return true; // another attempt abandoned it
                            }
                            if (!Inspection.PREPARED.equals(now.get().phase())
                                    && !Inspection.COPIED.equals(now.get().phase())) {
                                throw new CatalogConflictException("the conversion of " + t + " is "
                                        + now.get().phase() + " now; run" + " the rollback again");
                            }
                            sync.dropCapture(
                                    tx,
                                    ctx.logTable(r.sourceOid(), false),
                                    ctx.captureFunction(r.sourceOid(), false),
                                    t);
                            Sql.exec(tx, "DROP TABLE IF EXISTS " + twin.quoted());
                            ctx.state.delete(tx, t);
                            return false;
                        })
                .value();
        if (done) {
            return SwapStep.alreadyDone(t, twin.toString());
        }
        log.info("abandoned the conversion of {} before its swap: dropped the partial copy {}", t, twin);
        return new SwapResult(t.toString(), twin + " (dropped: the swap never happened)", 0, 1, 0, List.of(), false);
    }
}

package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.CatalogConflictException;
import dev.partitionkeeper.activities.postgres.LockGate;
import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.Inspection;
import java.util.List;

/** The finish step: stops recording changes for a rollback; the original table stays until the operator drops it. */
record FinishStep(StepContext ctx) {
    String finish(ConvertRequest request) {
        return ctx.call(request, "finish", (c, t) -> {
            ConversionState.Row r = ctx.require(c, t);
            if (Inspection.FINISHED.equals(r.phase())) {
                return "the conversion of " + t + " was already finished; " + r.oldTable() + " stays until you drop it";
            }
            if (!Inspection.SWAPPED.equals(r.phase())) {
                throw new CatalogConflictException(
                        "cannot finish the conversion of " + t + ": it is " + r.phase() + " (finish follows a swap)");
            }
            TableSync sync = new TableSync(SourceTable.of(r, t));
            long oid = ConvertCatalog.oidOf(c, t);
            ctx.gate.run(
                    c,
                    List.of(new LockGate.Target(oid, t.toString(), LockGate.ALL_MODES)),
                    StepContext.progress(),
                    tx -> {
                        String phase = ctx.locked(tx, t, r.sourceOid())
                                .map(ConversionState.Row::phase)
                                .orElse(Inspection.NONE);
                        if (Inspection.FINISHED.equals(phase)) {
                            return null;
                        }
                        if (!Inspection.SWAPPED.equals(phase)) {
                            throw new CatalogConflictException(
                                    "the conversion of " + t + " is " + phase + " now; finish follows a swap");
                        }
                        sync.dropCapture(
                                tx, ctx.logTable(r.sourceOid(), true), ctx.captureFunction(r.sourceOid(), true), t);
                        ctx.state.phase(tx, t, Inspection.FINISHED);
                        return null;
                    });
            return "stopped recording changes to " + t + " for a rollback; " + r.oldTable()
                    + " stays, untouched, until you" + " drop it (DROP TABLE "
                    + r.oldTable().quoted() + ")";
        });
    }
}

package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.CatalogConflictException;
import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.convert.Inspection;
import dev.partitionkeeper.workflows.model.TableName;

/**
 * Where changes flow: forward before the swap (original to twin), reverse after it (new table to the old one).
 *
 * @param log the log of changed keys to apply
 */
record Direction(String log, TableName source, TableName target) {

    /** null when there is nothing to replay in this direction in this phase. */
    static Direction of(StepContext ctx, ConversionState.Row r, boolean reverse) {
        if (!reverse) {
            if (Inspection.PREPARED.equals(r.phase())) {
                throw new CatalogConflictException(
                        "the copy into " + r.twinName() + " has not finished; run convert again");
            }
            return Inspection.COPIED.equals(r.phase())
                    ? new Direction(ctx.logTable(r.sourceOid(), false), r.table(), r.twinName())
                    : null;
        }
        return Inspection.SWAPPED.equals(r.phase())
                ? new Direction(ctx.logTable(r.sourceOid(), true), r.table(), r.oldTable())
                : null;
    }
}

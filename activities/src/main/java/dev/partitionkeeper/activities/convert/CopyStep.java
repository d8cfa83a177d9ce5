package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.LockBusyException;
import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.CopyResult;
import dev.partitionkeeper.workflows.convert.Inspection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copy step: rows from the original into the twin in key order, one committed batch at a time, each batch with
 * its position in the conversion's row, so that a killed copy resumes where it stopped.
 */
final class CopyStep {
    private static final Logger log = LoggerFactory.getLogger(CopyStep.class);

    /** Test hook: called after each committed copy batch (a test throws here to kill the copy mid-way). */
    @FunctionalInterface
    interface BatchHook {
        void committed(long batches);
    }

    private final StepContext ctx;
    private volatile BatchHook hook = b -> {};

    CopyStep(StepContext ctx) {
        this.ctx = ctx;
    }

    void hook(BatchHook h) {
        this.hook = h;
    }

    CopyResult copy(ConvertRequest request) {
        return ctx.call(request, "copy", (c, t) -> {
            ConversionState.Row first = ctx.require(c, t);
            if (!Inspection.PREPARED.equals(first.phase())) {
                return new CopyResult(0, first.rowsCopied(), 0, false);
            }
            boolean resumed = first.copyPosition() != null;
            TableSync sync = new TableSync(SourceTable.of(first, t));
            int batch = request.batchRows() <= 0 ? ConvertRequest.DEFAULT_BATCH_ROWS : request.batchRows();
            if (request.rowsPerSecond() > 0) {
                batch = (int) Math.max(1, Math.min(batch, request.rowsPerSecond()));
            }
            long started = System.nanoTime();
            long rows = 0;
            long batches = 0;
            long total = first.rowsCopied();
            while (true) {
                c.setAutoCommit(false);
                try {
                    StepContext.lockConversion(c, first.sourceOid());
                    ConversionState.Row r = ctx.require(c, t);
                    if (!Inspection.PREPARED.equals(r.phase())) {
                        c.commit();
                        break;
                    }
                    TableSync.Batch b = sync.copyBatch(c, t, r.twinName(), r.copyPosition(), batch);
                    if (b.rows() == 0) {
                        ctx.state.phase(c, t, Inspection.COPIED);
                        c.commit();
                        break;
                    }
                    ctx.state.copied(c, t, b.last(), b.rows());
                    c.commit();
                    rows += b.rows();
                    total = r.rowsCopied() + b.rows();
                    batches++;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
                StepContext.heartbeat("copied " + total + " rows");
                hook.committed(batches);
                throttle(started, rows, request.rowsPerSecond());
            }
            log.info("copied {} rows of {} in {} batches{}", rows, t, batches, resumed ? " (resumed)" : "");
            return new CopyResult(rows, total, batches, resumed);
        });
    }

    private static void throttle(long startedNanos, long rows, long perSecond) {
        if (perSecond <= 0) {
            return;
        }
        long due = startedNanos + rows * 1_000_000_000L / perSecond;
        long wait = (due - System.nanoTime()) / 1_000_000;
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockBusyException("interrupted while throttling the copy");
            }
        }
    }
}

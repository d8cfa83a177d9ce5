package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.ReplayResult;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The replay step: applies the logged changes to the other table (see {@link Direction}), batch by batch. */
record ReplayStep(StepContext ctx) {
    private static final Logger log = LoggerFactory.getLogger(ReplayStep.class);

    /** One replay attempt stops after this long so the workflow's history shows progress round by round. */
    static final Duration REPLAY_ROUND = Duration.ofMinutes(10);

    ReplayResult replay(ConvertRequest request, boolean reverse) {
        return ctx.call(request, reverse ? "replay since swap" : "replay", (c, t) -> {
            ConversionState.Row r = ctx.require(c, t);
            Direction d = Direction.of(ctx, r, reverse);
            if (d == null) {
                return new ReplayResult(0, 0);
            }
            TableSync sync = new TableSync(SourceTable.of(r, t));
            long started = System.nanoTime();
            long applied = 0;
            while (true) {
                long n = StepContext.inTransaction(c, false, tx -> {
                    if (!ctx.locked(tx, t, r.sourceOid())
                            .map(ConversionState.Row::phase)
                            .orElse("")
                            .equals(r.phase())) {
                        return 0L; // a swap or rollback ran meanwhile (a zombie attempt): this direction is over
                    }
                    return sync.replayBatch(tx, d.log(), d.source(), d.target(), StepContext.REPLAY_BATCH);
                });
                applied += n;
                StepContext.heartbeat("replayed " + applied + " changes");
                if (n < StepContext.REPLAY_BATCH || System.nanoTime() - started > REPLAY_ROUND.toNanos()) {
                    break;
                }
            }
            long pending = ctx.locked(c, t, 0)
                            .map(ConversionState.Row::phase)
                            .orElse("")
                            .equals(r.phase())
                    ? TableSync.pending(c, d.log())
                    : 0;
            log.info("replayed {} changes into {}; {} pending", applied, d.target(), pending);
            return new ReplayResult(applied, pending);
        });
    }
}

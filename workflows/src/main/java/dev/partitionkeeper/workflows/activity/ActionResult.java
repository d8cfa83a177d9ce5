package dev.partitionkeeper.workflows.activity;

/**
 * What one action did.
 *
 * @param action the action's summary
 * @param outcome {@code done}, or {@code already done} when a re-run found nothing left to do
 * @param rowsMoved rows moved out of the default partition (create) or held by the partition (detach)
 * @param attempts tries of the step: 1 when it succeeded at once, plus one per lock-timeout retry inside the
 *     activity (export: per pass over the table); 0 when a re-run found nothing left to do
 * @param detail anything else worth a line (archive location, lock wait)
 */
public record ActionResult(String action, String outcome, long rowsMoved, int attempts, String detail) {

    public static final String DONE = "done";
    public static final String ALREADY_DONE = "already done";
}

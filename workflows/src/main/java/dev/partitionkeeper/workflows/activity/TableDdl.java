package dev.partitionkeeper.workflows.activity;

import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.failure.ApplicationFailure;
import java.util.List;

/**
 * One table's catalog-only actions for {@link PartitionActivities#applyDdl}: creates, detaches, a finalized
 * detach, to run in order.
 */
public record TableDdl(TablePolicy policy, List<PlannedAction> actions) {

    /** Whether {@code action} changes only the catalog (no archive step). */
    public static boolean isCatalogOnly(PlannedAction action) {
        return action instanceof PlannedAction.CreatePartition
                || action instanceof PlannedAction.CreateDefaultPartition
                || action instanceof PlannedAction.DetachPartition
                || action instanceof PlannedAction.FinalizeDetach;
    }

    /** Whether every one of {@code actions} is {@linkplain #isCatalogOnly catalog-only} (and there is one). */
    public static boolean allCatalogOnly(List<PlannedAction> actions) {
        return !actions.isEmpty() && actions.stream().allMatch(TableDdl::isCatalogOnly);
    }

    /**
     * The failure of {@link PartitionActivities#applyDdl} when {@code action} failed with {@code f} after the
     * actions in {@code done}: {@code f}'s message, type and retryability (Temporal retries it as it would the
     * action alone), and as details the failed action's summary and what was done, for the table's report.
     */
    public static ApplicationFailure stoppedAt(PlannedAction action, List<ActionResult> done, ApplicationFailure f) {
        Object[] details = {action.summary(), done.toArray(new ActionResult[0])};
        return f.isNonRetryable()
                ? ApplicationFailure.newNonRetryableFailureWithCause(f.getOriginalMessage(), f.getType(), f, details)
                : ApplicationFailure.newFailureWithCause(f.getOriginalMessage(), f.getType(), f, details);
    }

    /** The failed action's summary in a {@link #stoppedAt} failure; null for any other failure. */
    public static String failedAction(ApplicationFailure f) {
        try {
            return f.getDetails().get(0, String.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The actions done before the failed one in a {@link #stoppedAt} failure; empty for any other failure. */
    public static List<ActionResult> doneBefore(ApplicationFailure f) {
        try {
            ActionResult[] done = f.getDetails().get(1, ActionResult[].class);
            return done == null ? List.of() : List.of(done);
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}

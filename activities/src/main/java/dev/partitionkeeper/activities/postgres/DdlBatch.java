package dev.partitionkeeper.activities.postgres;

import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.activity.TableDdl;
import dev.partitionkeeper.workflows.activity.TableDdlResult;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link PartitionActivities#applyDdl}: one table's catalog-only actions in one activity. Each action is the
 * table's own idempotent activity method run in place (same lock gate, bookkeeping, metrics and failures), so a
 * retry after a crash or a busy lock does only what is still missing.
 */
final class DdlBatch {
    private DdlBatch() {}

    private static ActionResult step(PartitionActivities steps, TableDdl table, PlannedAction action) {
        if (action instanceof PlannedAction.CreatePartition a) {
            return steps.createPartition(table.policy(), a);
        } else if (action instanceof PlannedAction.CreateDefaultPartition a) {
            return steps.createDefaultPartition(table.policy(), a);
        } else if (action instanceof PlannedAction.DetachPartition a) {
            return steps.detachPartition(table.policy(), a);
        } else if (action instanceof PlannedAction.FinalizeDetach a) {
            return steps.finalizeDetach(table.policy(), a);
        }
        throw ApplicationFailure.newNonRetryableFailure(
                "applyDdl runs only catalog actions (create, detach), got: " + action.summary(),
                Failures.INVALID_POLICY);
    }

    static TableDdlResult run(PartitionActivities steps, TableDdl table, long nowMillis) {
        List<ActionResult> done = new ArrayList<>();
        for (PlannedAction action : table.actions()) {
            try {
                done.add(step(steps, table, action));
            } catch (ApplicationFailure f) {
                throw TableDdl.stoppedAt(action, done, f);
            }
            ActivityExecutionContext ctx = PostgresPartitionActivitiesImpl.context();
            if (ctx != null) {
                // each action heartbeats while it waits; between them the batch does (a long runway is many)
                ctx.heartbeat(done.size() + " of " + table.actions().size() + " done");
            }
        }
        return new TableDdlResult(done, steps.verifyLayout(table.policy(), nowMillis));
    }
}

package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;

/**
 * Input of the per-table child workflow.
 *
 * @param plan the plan the pass's survey made just before starting the child, which then runs it without
 *     planning again; null (runs started by older passes, or a table that waited for another pass, whose
 *     plan may be stale): the child plans itself
 * @param progressByQuery the child keeps its progress for its {@code progress} query instead of signalling
 *     each step to the parent (a history event per step); false in runs started by older passes
 */
public record TableMaintenanceRequest(
        TablePolicy policy, boolean dryRun, String reason, MaintenancePlan plan, boolean progressByQuery) {

    /** A request as older passes sent it: the child plans, and signals each step to its parent. */
    public TableMaintenanceRequest(TablePolicy policy, boolean dryRun, String reason) {
        this(policy, dryRun, reason, null, false);
    }
}

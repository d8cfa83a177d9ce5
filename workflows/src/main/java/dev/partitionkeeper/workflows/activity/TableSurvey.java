package dev.partitionkeeper.workflows.activity;

import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;

/**
 * One table as {@link PartitionActivities#survey} found it: its plan and, when the plan has nothing to do,
 * its layout checked on the same catalog read (a table with actions is checked again after them, by its
 * own workflow).
 *
 * @param table the table, as in the policy (e.g. {@code public.transactions})
 * @param plan null when {@code error} is set
 * @param layout null when the plan has actions, or when {@code error} is set
 * @param error why the table could not be planned (a refusal that retrying does not fix), else null
 * @param policy the table's policy when the survey matched a pattern entry ({@code tenant_*.events}) against the
 *     database: then every survey of the call carries its policy, one per table found, instead of one per policy
 *     asked for; null otherwise (and in runs recorded before patterns)
 */
public record TableSurvey(String table, MaintenancePlan plan, LayoutReport layout, String error, TablePolicy policy) {

    public TableSurvey(String table, MaintenancePlan plan, LayoutReport layout, String error) {
        this(table, plan, layout, error, null);
    }

    public TableSurvey withPolicy(TablePolicy p) {
        return new TableSurvey(table, plan, layout, error, p);
    }

    /** Planned, and the plan has actions to run. */
    public boolean hasWork() {
        return error == null && plan != null && !plan.actions().isEmpty();
    }
}

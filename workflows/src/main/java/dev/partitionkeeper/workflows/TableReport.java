package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import java.util.List;

/**
 * One table's part of a pass.
 *
 * @param status {@code ok}, {@code attention} (layout problems reported), or {@code failed}
 */
public record TableReport(
        String table,
        String status,
        MaintenancePlan plan,
        List<ActionResult> actions,
        LayoutReport layout,
        String error) {

    public static final String OK = "ok";
    public static final String ATTENTION = "attention";
    public static final String FAILED = "failed";
}

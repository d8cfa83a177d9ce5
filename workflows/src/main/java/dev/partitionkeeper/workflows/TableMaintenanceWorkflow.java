package dev.partitionkeeper.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Plan, create, detach, verify layout: one table, one activity per DDL action. */
@WorkflowInterface
public interface TableMaintenanceWorkflow {

    static String workflowId(String table) {
        return MaintenanceWorkflow.WORKFLOW_ID + "/" + table;
    }

    @WorkflowMethod(name = "TableMaintenance")
    TableReport maintain(TableMaintenanceRequest request);

    /**
     * The step running now, the plan and the actions done: what {@code status --live} shows for the table.
     * Null before the table has a plan. A query, not a signal to the parent: it adds no history event.
     */
    @QueryMethod(name = "progress")
    TableProgress progress();
}

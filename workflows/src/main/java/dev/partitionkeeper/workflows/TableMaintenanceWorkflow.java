package dev.partitionkeeper.workflows;

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
}

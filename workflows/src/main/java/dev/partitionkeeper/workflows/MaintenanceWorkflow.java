package dev.partitionkeeper.workflows;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One maintenance pass over the policy's tables. Loads the policy, then runs one
 * {@link TableMaintenanceWorkflow} child per table (ID {@code partition-maintenance/<schema>.<table>}),
 * so the Temporal UI shows one run per table and two passes never work on the same table at once.
 */
@WorkflowInterface
public interface MaintenanceWorkflow {

  /** Well-known workflow ID of scheduled and on-demand passes. */
  String WORKFLOW_ID = "partition-maintenance";

  @WorkflowMethod(name = "PartitionMaintenance")
  MaintenanceReport run(MaintenanceRequest request);
}

package dev.partitionkeeper.workflows;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One database's part of a fleet pass (issue 15): the cheap pass ({@link CheapPass}) over the tables of one
 * database, started by the pass as a child workflow with the ID {@code <pass workflow ID>/<database>}. Its
 * tables' own children are {@code partition-maintenance/<database>/<schema.table>}. A database that is down
 * fails only this child's tables; the pass goes on with the other databases.
 */
@WorkflowInterface
public interface DatabasePassWorkflow {

    static String workflowId(String passWorkflowId, String database) {
        return passWorkflowId + "/" + database;
    }

    @WorkflowMethod(name = "DatabasePass")
    DatabasePassResult run(DatabasePassRequest request);
}

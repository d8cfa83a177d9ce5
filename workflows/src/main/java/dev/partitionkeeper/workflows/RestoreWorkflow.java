package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.RestoreResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** Restores one archived partition (and optionally re-attaches it), with history like every other step. */
@WorkflowInterface
public interface RestoreWorkflow {

    static String workflowId(String location) {
        return "partition-restore/" + location;
    }

    @WorkflowMethod(name = "PartitionRestore")
    RestoreResult restore(RestoreRequest request);
}

package dev.partitionkeeper.workflows.convert;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Converts one unpartitioned table into a range-partitioned one online, or rolls a conversion back. One run per
 * table at a time: the workflow ID is the table's.
 */
@WorkflowInterface
public interface ConvertWorkflow {

    static String workflowId(String table) {
        return "partition-convert/" + table;
    }

    @WorkflowMethod(name = "PartitionConvert")
    ConvertResult run(ConvertRequest request);

    /** The step running now, e.g. {@code copy} or {@code swap}. */
    @QueryMethod
    String step();
}

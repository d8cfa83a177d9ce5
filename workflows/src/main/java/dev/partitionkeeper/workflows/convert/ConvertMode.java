package dev.partitionkeeper.workflows.convert;

/** What a {@link ConvertWorkflow} run does with a table. */
public enum ConvertMode {
    /** Build the partitioned twin, copy, replay, verify and swap names. */
    CONVERT,
    /** Swap back to the original table, bringing over the rows written since the swap. */
    ROLLBACK,
    /** After a conversion the operator is happy with: stop recording changes for a rollback. */
    FINISH
}

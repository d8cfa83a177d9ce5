package dev.partitionkeeper.workflows.convert;

/**
 * @param rows rows copied by this attempt
 * @param totalRows rows copied by all attempts
 * @param batches batches this attempt committed
 * @param resumed this attempt continued where an earlier one stopped
 */
public record CopyResult(long rows, long totalRows, long batches, boolean resumed) {}

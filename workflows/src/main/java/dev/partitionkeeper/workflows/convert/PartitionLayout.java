package dev.partitionkeeper.workflows.convert;

import dev.partitionkeeper.workflows.plan.PlannedAction;
import java.util.List;

/**
 * The partitions the twin is created with: every existing row's period plus the runway.
 *
 * @param partitions contiguous ranges in order, named after the table (not the twin) so the names are right
 *     after the swap
 * @param defaultPartition name of the DEFAULT partition, or null when the policy keeps none
 */
public record PartitionLayout(List<PlannedAction.CreatePartition> partitions, String defaultPartition) {}

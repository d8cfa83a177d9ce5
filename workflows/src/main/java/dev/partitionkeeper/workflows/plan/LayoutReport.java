package dev.partitionkeeper.workflows.plan;

import java.util.List;

/**
 * The table's layout checked after a pass: enough runway, no holes in it, the default partition
 * empty (or its rows reported).
 *
 * @param ok no problem found
 * @param runwayPartitions future partitions after the current one
 * @param runwayEnd readable end of the last contiguous future partition ("none" without runway)
 * @param partitions attached range partitions
 * @param defaultRows rows in the default partition
 * @param problems one line each; empty when ok
 */
public record LayoutReport(
        boolean ok, int runwayPartitions, String runwayEnd, int partitions, long defaultRows, List<String> problems) {}

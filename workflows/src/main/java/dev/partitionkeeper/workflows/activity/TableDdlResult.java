package dev.partitionkeeper.workflows.activity;

import dev.partitionkeeper.workflows.plan.LayoutReport;
import java.util.List;

/**
 * What {@link PartitionActivities#applyDdl} did to one table.
 *
 * @param done every action's result, in order
 * @param layout the layout checked after the last action
 */
public record TableDdlResult(List<ActionResult> done, LayoutReport layout) {}

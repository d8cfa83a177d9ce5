package dev.partitionkeeper.workflows;

import java.util.List;

/**
 * What {@link DatabasePassWorkflow} did.
 *
 * @param tables one report per table, in the request's order, named {@code <database>/<schema.table>}
 */
public record DatabasePassResult(String database, List<TableReport> tables) {}

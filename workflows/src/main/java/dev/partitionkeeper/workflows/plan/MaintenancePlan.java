package dev.partitionkeeper.workflows.plan;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import java.util.List;

/**
 * What one pass should do to one table, in order, and what it noticed. An activity result, so every
 * run's history shows it.
 *
 * @param runwayPartitions future partitions (after the current one) that exist before the plan runs
 */
public record MaintenancePlan(
        TableName table,
        String keyColumn,
        KeyType keyType,
        long nowAxis,
        List<PlannedAction> actions,
        List<Finding> findings,
        int runwayPartitions) {

    /** No action to take (findings may still exist). Not a bean property: JSON carries the components only. */
    public boolean nothingToDo() {
        return actions.isEmpty();
    }
}

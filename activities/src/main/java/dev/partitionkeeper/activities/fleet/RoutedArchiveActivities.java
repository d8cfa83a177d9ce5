package dev.partitionkeeper.activities.fleet;

import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ArchiveActivities;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import java.util.function.Function;

/**
 * The archive steps of every database, as {@link RoutedPartitionActivities} routes the partition steps. A fleet
 * database's archives live under its own folder of the location ({@link DatabaseArchiveStore}): two databases
 * may both hold a {@code public.events}.
 */
public final class RoutedArchiveActivities implements ArchiveActivities {
    private final PerDatabase<ArchiveActivities> databases;

    public RoutedArchiveActivities(ArchiveActivities single, Function<String, ArchiveActivities> forDatabase) {
        this.databases = new PerDatabase<>("an archive step", single, forDatabase);
    }

    @Override
    public ActionResult export(TablePolicy policy, PlannedAction.ExportPartition action) {
        return databases.of(policy.database()).export(policy, action);
    }

    @Override
    public ActionResult verify(TablePolicy policy, PlannedAction.VerifyArchive action) {
        return databases.of(policy.database()).verify(policy, action);
    }

    @Override
    public ActionResult drop(TablePolicy policy, PlannedAction.DropPartition action) {
        return databases.of(policy.database()).drop(policy, action);
    }

    @Override
    public ActionResult expire(TablePolicy policy, PlannedAction.ExpireArchive action) {
        return databases.of(policy.database()).expire(policy, action);
    }
}

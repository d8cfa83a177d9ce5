package dev.partitionkeeper.worker;

import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ArchiveActivities;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.failure.ApplicationFailure;

/** Registered when no archive.location is configured: archive steps fail clearly instead of hanging. */
final class UnconfiguredArchiveActivities implements ArchiveActivities {
    private static ApplicationFailure fail(TablePolicy policy) {
        return ApplicationFailure.newNonRetryableFailure(
                "table " + policy.table() + " has retention_action "
                        + policy.retentionAction().label() + " but this worker has no archive.location configured; set"
                        + " archive.location (or PK_ARCHIVE_LOCATION) and restart the worker",
                Failures.INVALID_POLICY);
    }

    @Override
    public ActionResult export(TablePolicy policy, PlannedAction.ExportPartition action) {
        throw fail(policy);
    }

    @Override
    public ActionResult verify(TablePolicy policy, PlannedAction.VerifyArchive action) {
        throw fail(policy);
    }

    @Override
    public ActionResult drop(TablePolicy policy, PlannedAction.DropPartition action) {
        throw fail(policy);
    }

    @Override
    public ActionResult expire(TablePolicy policy, PlannedAction.ExpireArchive action) {
        throw fail(policy);
    }
}

package dev.partitionkeeper.workflows.activity;

import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The archive half of the chain. Each method reads the bookkeeping schema and the catalog first and
 * does only what is missing. A partition is dropped only after its archive was read back from the
 * store and matched to the detached table (row count and content checksum), and after its grace period.
 */
@ActivityInterface(namePrefix = "Archive")
public interface ArchiveActivities {

    /** Exports the detached partition (Parquet + manifest, manifest last); heartbeats rows and bytes. */
    @ActivityMethod
    ActionResult export(TablePolicy policy, PlannedAction.ExportPartition action);

    /** Reads the archive back and compares; a mismatch fails with {@link Failures#VERIFICATION_FAILED}. */
    @ActivityMethod
    ActionResult verify(TablePolicy policy, PlannedAction.VerifyArchive action);

    /** Drops the detached table after checking again: verified, grace over, not attached, archive present. */
    @ActivityMethod
    ActionResult drop(TablePolicy policy, PlannedAction.DropPartition action);

    /**
     * Deletes a dropped partition's archive past {@code archive_retention}, after checking again: verified,
     * dropped, past the window. Records when and by which workflow and activity; a second call finds it done.
     */
    @ActivityMethod
    ActionResult expire(TablePolicy policy, PlannedAction.ExpireArchive action);
}

package dev.partitionkeeper.workflows.activity;

import dev.partitionkeeper.workflows.RestoreRequest;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Restore an archive into a table and attach it back. Both idempotent. */
@ActivityInterface(namePrefix = "Restore")
public interface RestoreActivities {

    /** Recreates the table from the manifest's DDL, loads the rows and verifies the checksum. */
    @ActivityMethod
    RestoreResult restore(RestoreRequest request);

    /** Attaches the restored table to the archived parent with the archived bounds; an overlap fails clearly. */
    @ActivityMethod
    ActionResult attach(RestoreRequest request, String table);
}

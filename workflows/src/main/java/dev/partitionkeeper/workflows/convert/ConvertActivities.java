package dev.partitionkeeper.workflows.convert;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The steps of an online conversion. Each is idempotent: its progress is committed in the bookkeeping
 * schema ({@code conversion}) in the same transaction as its work, so a killed attempt re-runs from there.
 */
@ActivityInterface(namePrefix = "Convert")
public interface ConvertActivities {

    /**
     * Checks the table and the request: column, type, NULLs, primary and unique keys, foreign keys pointing at it,
     * dependent materialized views, triggers, identity columns. Changes nothing.
     */
    @ActivityMethod
    Inspection inspect(ConvertRequest request);

    /**
     * Creates the partitioned twin (columns, defaults, constraints, indexes, privileges, owner, partitions) and the
     * change capture (a trigger into a change log), in one transaction.
     */
    @ActivityMethod
    String prepare(ConvertRequest request, PartitionLayout layout);

    /** Copies existing rows in key order, in batches, throttled, heartbeating; resumes where it stopped. */
    @ActivityMethod
    CopyResult copy(ConvertRequest request);

    /** Applies the change log to the target until few entries are left; {@code reverse} after a swap (rollback). */
    @ActivityMethod
    ReplayResult replay(ConvertRequest request, boolean reverse);

    /**
     * Compares the tables in one snapshot. Before a swap it first applies the change log visible in that snapshot
     * and compares everything; after it, rows changed since the swap are left out (they are compared by rollback).
     */
    @ActivityMethod
    Verification verify(ConvertRequest request, String when);

    /** The swap (or the swap back): one short transaction under lock_timeout, retried outside the lock queue. */
    @ActivityMethod
    SwapResult swap(ConvertRequest request, boolean back);

    /** Drops the change capture kept for a rollback. The original table ({@code <table>_old}) stays. */
    @ActivityMethod
    String finish(ConvertRequest request);
}

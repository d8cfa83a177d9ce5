package dev.partitionkeeper.workflows.activity;

import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Everything a maintenance pass does to PostgreSQL. Every method is idempotent: it reads the catalog
 * first, does only what is still missing, and may be killed at any line and run again.
 *
 * <p>Bad input (unknown table, not range-partitioned, unsupported key) fails with the non-retryable
 * type {@link Failures#INVALID_POLICY}. Lock waits that run out fail with the retryable
 * {@link Failures#LOCK_BUSY}.
 */
@ActivityInterface(namePrefix = "Partition")
public interface PartitionActivities {

    /** Reads the catalog, validates the policy against it and plans. {@code nowMillis} is the workflow's clock. */
    @ActivityMethod
    MaintenancePlan plan(TablePolicy policy, long nowMillis);

    /**
     * Plans every table of one database on one connection, and checks the layout of each table whose plan
     * has nothing to do on the same catalog read: the whole pass over tables with nothing to do is this one
     * activity. A table refused for a reason retrying does not fix (bad policy, missing grant, catalog
     * conflict) is reported in its {@link TableSurvey#error()} and the others are still planned; anything
     * else (connection loss) fails the activity, which is retried.
     */
    @ActivityMethod
    List<TableSurvey> survey(List<TablePolicy> policies, long nowMillis);

    /** Finishes an interrupted {@code DETACH ... CONCURRENTLY}. */
    @ActivityMethod
    ActionResult finalizeDetach(TablePolicy policy, PlannedAction.FinalizeDetach action);

    /** Creates and attaches one partition, moving rows parked in the default partition into it. */
    @ActivityMethod
    ActionResult createPartition(TablePolicy policy, PlannedAction.CreatePartition action);

    /** Creates the DEFAULT partition. */
    @ActivityMethod
    ActionResult createDefaultPartition(TablePolicy policy, PlannedAction.CreateDefaultPartition action);

    /** Detaches one partition and moves it to the archive schema, recording it in the bookkeeping schema. */
    @ActivityMethod
    ActionResult detachPartition(TablePolicy policy, PlannedAction.DetachPartition action);

    /**
     * Runs one table's catalog-only actions in order and then checks its layout, in one activity: a table whose
     * pass only creates runway and detaches costs one activity, not one per action and one for the layout. Each
     * action is the same idempotent step as {@link #createPartition}, {@link #detachPartition} and the others, so a
     * retry after any failure does only what is still missing; a refusal fails it as it fails them. {@code
     * nowMillis} is the workflow's clock, for the layout check.
     */
    @ActivityMethod
    TableDdlResult applyDdl(TableDdl table, long nowMillis);

    /** Reads the catalog again and checks runway, gaps and the default partition. */
    @ActivityMethod
    LayoutReport verifyLayout(TablePolicy policy, long nowMillis);
}

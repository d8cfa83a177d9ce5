package dev.partitionkeeper.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One maintenance pass over the policy's tables. Loads the policy, plans every table and checks the layout
 * of those with nothing to do in one activity ({@code PartitionSurvey}), then runs one
 * {@link TableMaintenanceWorkflow} child per table with actions (ID
 * {@code partition-maintenance/<schema>.<table>}), so the Temporal UI shows one run per table that changed
 * and two passes never run DDL on the same table at once: a pass that finds a table held by another pass
 * waits for it (see {@code TablePass}).
 *
 * <p>Started three ways: by the Temporal Schedule {@link #SCHEDULE_ID} (IDs
 * {@code partition-maintenance-scheduled-<time>}), as the cron workflow {@link #CRON_WORKFLOW_ID}, and on
 * demand under the well-known ID {@link #WORKFLOW_ID} with signal-with-start or update-with-start. A
 * running pass takes further requests ({@link #requestMaintenance}, {@link #maintain}) and runs them
 * as further passes before it completes, or, once its history is long, continues as new with the
 * signalled requests it has not served yet.
 */
@WorkflowInterface
public interface MaintenanceWorkflow {

    /** Well-known workflow ID of on-demand passes (and of passes started directly, e.g. by {@code dev}). */
    String WORKFLOW_ID = "partition-maintenance";
    /** ID of the Temporal Schedule that starts the daily pass. */
    String SCHEDULE_ID = "partition-maintenance";
    /** Workflow ID the Schedule starts runs under; the server appends the scheduled time. */
    String SCHEDULED_WORKFLOW_ID = "partition-maintenance-scheduled";
    /** Workflow ID of the cron workflow ({@code --mode cron}, for servers without Schedules). */
    String CRON_WORKFLOW_ID = "partition-maintenance-cron";

    /**
     * Runs {@code request}, then every request that arrived meanwhile. A null request (signal-with-start,
     * update-with-start) means: serve the requests sent with the start. A run whose history grows long while
     * requests keep arriving continues as new, handing its unserved requests to the next run in
     * {@code carried}; the report (or {@code PassFailed}) of the run that ends the chain covers its own
     * passes and the failures of the runs before it.
     *
     * @param carried null when a client starts the run (starters that send only the request get null too)
     */
    @WorkflowMethod(name = "PartitionMaintenance")
    MaintenanceReport run(MaintenanceRequest request, MaintenanceCarryOver carried);

    /** Asks for a pass over all ({@code tables} empty) or some tables; runs after the current pass, if any. */
    @SignalMethod(name = "requestMaintenance")
    void requestMaintenance(MaintenanceRequest request);

    /** As {@link #requestMaintenance}, returning the report of the pass that served the request. */
    @UpdateMethod(name = "maintain")
    MaintenanceReport maintain(MaintenanceRequest request);

    /** Rejects malformed requests and unknown tables before anything is written to history. */
    @UpdateValidatorMethod(updateName = "maintain")
    void validateMaintain(MaintenanceRequest request);

    /**
     * Sent by a table's workflow when it starts a step, for {@link #status}: only by runs started before the
     * cheap pass; a table's workflow now answers its own {@code progress} query instead.
     */
    @SignalMethod(name = "tableProgress")
    void tableProgress(TableProgress progress);

    /** Current pass, its tables and their steps, queued requests, last error. */
    @QueryMethod(name = "status")
    MaintenanceStatus status();
}

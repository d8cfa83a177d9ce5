package dev.partitionkeeper.workflows;

import java.util.List;

/**
 * Answer of the {@code status} query: what a maintenance run is doing now. Built from workflow state
 * only (a query can do no I/O), so it is as fresh as the last event the run has seen.
 *
 * @param phase {@link #WAITING} for its first request, {@link #RUNNING} a pass, {@link #DONE}
 * @param trigger what started the run: {@code schedule}, {@code cron}, {@code on-demand} or {@code direct}
 * @param pass number of the pass within this run and the runs it continued as new from (requests arriving
 *     during a pass make further passes)
 * @param reason the current pass's reason(s)
 * @param dryRun the current pass only plans
 * @param tables every table of the current pass, in pass order
 * @param queuedRequests requests waiting for the next pass
 * @param completedPasses passes finished in this run and the runs it continued as new from
 * @param lastError the most recent table or request failure in this run (or those it continued from), null
 *     when none
 * @param rejectedRequests signals not served (in this run and those it continued from): malformed, naming
 *     tables not in the policy, or of an unknown name (each also sets {@code lastError})
 */
public record MaintenanceStatus(
        String phase,
        String trigger,
        int pass,
        String reason,
        boolean dryRun,
        List<TableState> tables,
        int queuedRequests,
        int completedPasses,
        String lastError,
        int rejectedRequests) {

    public static final String WAITING = "waiting";
    public static final String RUNNING = "running";
    public static final String DONE = "done";

    public MaintenanceStatus {
        tables = tables == null ? List.of() : List.copyOf(tables);
    }

    /** The tables being worked on now. */
    public List<TableState> current() {
        return tables.stream().filter(t -> TableState.RUNNING.equals(t.state())).toList();
    }

    /**
     * One table's part of the current pass.
     *
     * @param state {@link #QUEUED}, {@link #LOCKED} (another pass holds it), {@link #RUNNING}, or the
     *     {@link TableReport} status when finished
     * @param step the step reported by the table's workflow, null when not reported
     * @param workflowId the per-table child workflow, e.g. {@code partition-maintenance/public.transactions}
     * @param plan action summaries, when known
     * @param actionsDone actions completed, when known
     * @param rows rows handled by the current step so far, when reported
     * @param bytes bytes handled by the current step so far, when reported
     * @param lockWaits times the table was found held by another pass
     * @param error why it failed, null otherwise
     */
    public record TableState(
            String table,
            String state,
            String step,
            String workflowId,
            List<String> plan,
            int actionsDone,
            long rows,
            long bytes,
            int lockWaits,
            String error) {

        public static final String QUEUED = "queued";
        public static final String LOCKED = "waiting for another pass";
        public static final String RUNNING = "running";

        public TableState {
            plan = plan == null ? List.of() : List.copyOf(plan);
        }
    }
}

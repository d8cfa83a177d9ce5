package dev.partitionkeeper.workflows;

import java.util.List;

/**
 * The step a per-table child workflow is in, and its plan: the answer of the child's {@code progress} query
 * ({@code status --live} reads it), no history event at all. Runs started before the cheap pass signalled it
 * to the parent instead, once per step (every signal is a history event). Live row and byte counts of a long step come from the activity's heartbeat instead
 * (see {@code worker.schedule.LiveStatus}).
 *
 * @param table the table, as in the policy (e.g. {@code public.transactions})
 * @param step the step starting now, e.g. {@code "plan"} or the action's summary
 * @param plan summaries of the planned actions, in order; empty until planned
 * @param actionsDone actions completed so far
 * @param rows rows handled by the step so far (0 when not known)
 * @param bytes bytes handled by the step so far (0 when not known)
 */
public record TableProgress(String table, String step, List<String> plan, int actionsDone, long rows, long bytes) {

    public TableProgress {
        plan = plan == null ? List.of() : List.copyOf(plan);
    }
}

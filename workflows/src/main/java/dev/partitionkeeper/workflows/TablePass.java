package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Runs one pass's tables as child workflows, up to {@code parallelism} at a time, with per-table
 * exclusion between passes.
 *
 * <p>The lock is the child's workflow ID, {@code partition-maintenance/<table>}: the server lets only
 * one execution with that ID run, so the lock is held durably (it survives worker restarts), and it is
 * released whenever the child closes, including when it fails, times out or is terminated with its
 * parent. A pass that finds a table held moves on to its other tables and tries the held one again with
 * a durable timer ({@link #LOCK_RETRY_FIRST} doubling up to {@link #LOCK_RETRY_MAX}).
 *
 * <p>No starvation: a pass holds each table for one child run per pass. A run that would take the
 * same table again in its next pass (requests drained during a pass) first leaves it free for
 * {@link #HANDOVER}, longer than any waiter's retry interval, so a pass waiting for the table gets it
 * first. A pass gives up on a table held for longer than {@link #LOCK_GIVE_UP} and reports it failed.
 */
final class TablePass {
    private static final Logger log = Workflow.getLogger(TablePass.class);

    static final Duration LOCK_RETRY_FIRST = Duration.ofSeconds(5);
    static final Duration LOCK_RETRY_MAX = Duration.ofSeconds(60);
    /** Longer than {@link #LOCK_RETRY_MAX}, so a waiting pass always polls within the window. */
    static final Duration HANDOVER = LOCK_RETRY_MAX.plusSeconds(15);

    static final Duration LOCK_GIVE_UP = Duration.ofHours(6);

    private final StatusBoard board;
    /** When this run last released each table, for {@link #HANDOVER}. */
    private final Map<String, Long> releasedAt = new HashMap<>();
    /** The pass's trigger when its search attributes are registered (children then carry them); else null. */
    private String searchAttributeTrigger;
    /** The current pass's surveyed plans by table (cheap pass), or null (the children plan and signal). */
    private Map<String, MaintenancePlan> plans;

    TablePass(StatusBoard board) {
        this.board = board;
    }

    private enum State {
        PENDING,
        RUNNING,
        DONE
    }

    private static final class Slot {
        final TablePolicy policy;
        final String table;
        /** The child's workflow ID, the table's lock: {@code partition-maintenance/<database>/<table>} in a fleet. */
        final String workflowId;

        State state = State.PENDING;
        long notBefore;
        int lockWaits;
        long firstLockedAt = -1;
        Promise<TableReport> result;
        TableReport report;

        Slot(TablePolicy policy) {
            this.policy = policy;
            this.table = policy.table().toString();
            this.workflowId = TableMaintenanceWorkflow.workflowId(policy.qualifiedName());
        }
    }

    /** When this run (and the runs it continued from) last released each table. */
    Map<String, Long> releasedAt() {
        return Map.copyOf(releasedAt);
    }

    /**
     * Children started from now on carry {@link Visibility#TABLES} (their one table) and {@link Visibility#TRIGGER},
     * so the UI's list filtered by a table shows the table's runs next to the passes. Only for a pass whose
     * starter set the attributes, i.e. found them registered: an unknown attribute would fail the child's start.
     * No {@link Visibility#OUTCOME}: the child never upserts, so it would stay {@code running}.
     */
    void carrySearchAttributes(String trigger) {
        this.searchAttributeTrigger = trigger;
    }

    /** Takes over the release times of the run this one continues, so {@link #HANDOVER} still holds. */
    void resume(Map<String, Long> released) {
        releasedAt.putAll(released);
    }

    /** Maintains {@code tables}; returns one report per table, in the given order. */
    List<TableReport> run(List<TablePolicy> tables, boolean dryRun, String reason, int parallelism) {
        return run(tables, dryRun, reason, parallelism, null);
    }

    /**
     * As {@link #run(List, boolean, String, int)}, for the cheap pass ({@code plans} not null): each child is
     * handed the plan its table's survey made, unless it had to wait for the table (another pass may have
     * changed it meanwhile: the child then plans again), and reports progress by query, not by signal.
     */
    List<TableReport> run(
            List<TablePolicy> tables,
            boolean dryRun,
            String reason,
            int parallelism,
            Map<String, MaintenancePlan> plans) {
        this.plans = plans;
        List<Slot> slots = new ArrayList<>();
        for (TablePolicy p : tables) {
            Slot s = new Slot(p);
            Long released = releasedAt.get(s.table);
            if (released != null) {
                s.notBefore = released + HANDOVER.toMillis();
            }
            slots.add(s);
        }
        Supplier<Boolean> anyFinished =
                () -> slots.stream().anyMatch(s -> s.state == State.RUNNING && s.result.isCompleted());
        while (slots.stream().anyMatch(s -> s.state != State.DONE)) {
            long now = Workflow.currentTimeMillis();
            int running =
                    (int) slots.stream().filter(s -> s.state == State.RUNNING).count();
            for (Slot s : slots) {
                if (running >= parallelism) {
                    break;
                }
                if (s.state == State.PENDING && s.notBefore <= now && start(s, dryRun, reason, now)) {
                    running++;
                }
            }
            long nextTry = slots.stream()
                    .filter(s -> s.state == State.PENDING)
                    .mapToLong(s -> s.notBefore)
                    .min()
                    .orElse(Long.MAX_VALUE);
            if (nextTry != Long.MAX_VALUE && running < parallelism) {
                Workflow.await(Duration.ofMillis(Math.max(1_000, nextTry - Workflow.currentTimeMillis())), anyFinished);
            } else if (running > 0) {
                Workflow.await(anyFinished);
            }
            for (Slot s : slots) {
                if (s.state == State.RUNNING && s.result.isCompleted()) {
                    s.report = reportOf(s);
                    s.state = State.DONE;
                    releasedAt.put(s.table, Workflow.currentTimeMillis());
                    board.finished(s.report);
                }
            }
        }
        return slots.stream().map(s -> s.report).toList();
    }

    /** Starts the table's child; false when another pass holds the table. */
    private boolean start(Slot s, boolean dryRun, String reason, long now) {
        ChildWorkflowOptions.Builder options = ChildWorkflowOptions.newBuilder()
                .setWorkflowId(s.workflowId)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                // the parent's end ends the child, which releases the table's lock with it
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE)
                .setStaticSummary((dryRun ? "dry run: " : "maintain ") + s.table);
        if (searchAttributeTrigger != null) {
            // replay compares a child's ID and type, not its search attributes: safe for running passes
            options.setTypedSearchAttributes(SearchAttributes.newBuilder()
                    .set(Visibility.TABLES, List.of(s.table))
                    .set(Visibility.TRIGGER, searchAttributeTrigger)
                    .build());
        }
        TableMaintenanceWorkflow child = Workflow.newChildWorkflowStub(TableMaintenanceWorkflow.class, options.build());
        TableMaintenanceRequest request = plans == null
                ? new TableMaintenanceRequest(s.policy, dryRun, reason)
                : new TableMaintenanceRequest(
                        s.policy,
                        dryRun,
                        reason,
                        s.lockWaits == 0 && s.notBefore == 0 ? plans.get(s.table) : null,
                        true);
        Promise<TableReport> result = Async.function(child::maintain, request);
        try {
            Workflow.getWorkflowExecution(child).get();
        } catch (ChildWorkflowFailure e) {
            if (e.getCause() instanceof WorkflowExecutionAlreadyStarted) {
                locked(s, now);
                return false;
            }
            // any other start failure fails the result too; reported when collected
        }
        s.result = result;
        s.state = State.RUNNING;
        board.running(s.table);
        return true;
    }

    private void locked(Slot s, long now) {
        s.lockWaits++;
        if (s.firstLockedAt < 0) {
            s.firstLockedAt = now;
        }
        if (now - s.firstLockedAt >= LOCK_GIVE_UP.toMillis()) {
            String why = "another pass held " + s.table + " (workflow " + s.workflowId + ") for more than "
                    + LOCK_GIVE_UP.toHours() + "h; the next pass will try again";
            s.report = new TableReport(s.table, TableReport.FAILED, null, List.of(), null, why);
            s.state = State.DONE;
            board.finished(s.report);
            return;
        }
        long backoff =
                Math.min(LOCK_RETRY_MAX.toMillis(), LOCK_RETRY_FIRST.toMillis() << Math.min(20, s.lockWaits - 1));
        s.notBefore = now + backoff;
        log.info("{} is held by another pass; trying again in {} s (wait {})", s.table, backoff / 1000, s.lockWaits);
        board.locked(s.table, s.lockWaits);
    }

    private static TableReport reportOf(Slot s) {
        try {
            return s.result.get();
        } catch (ChildWorkflowFailure e) {
            return new TableReport(s.table, TableReport.FAILED, null, List.of(), null, rootMessage(e));
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof ApplicationFailure af ? af.getOriginalMessage() : t.getMessage();
    }
}

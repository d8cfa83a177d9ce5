package dev.partitionkeeper.workflows.convert;

import dev.partitionkeeper.workflows.StepOptions;
import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * inspect, prepare (twin + change capture), copy, replay, verify, swap, verify; or for a rollback: replay the
 * changes made since the swap, verify, swap back. Every step is an activity with history.
 */
public class ConvertWorkflowImpl implements ConvertWorkflow {
    /** Replay rounds before the swap; each round ends when few changes are left, so more rounds mean heavy writes. */
    static final int MAX_REPLAY_ROUNDS = 20;
    /** Swap once no more than this many changes wait: they are replayed inside the swap's short transaction. */
    static final long SWAP_BACKLOG = 1_000;

    private static ConvertActivities bulk(String summary, boolean heartbeats) {
        return Workflow.newActivityStub(ConvertActivities.class, StepOptions.convertBulk(summary, heartbeats));
    }

    private String step = "starting";

    @Override
    public String step() {
        return step;
    }

    @Override
    public ConvertResult run(ConvertRequest request) {
        String table = request.table();
        ConvertActivities read =
                Workflow.newActivityStub(ConvertActivities.class, StepOptions.read("inspect " + table));
        step = "inspect";
        Inspection i = read.inspect(request);
        return switch (request.modeOrDefault()) {
            case CONVERT -> convert(request, i);
            case ROLLBACK -> rollback(request, i);
            case FINISH -> finish(request, i);
        };
    }

    private ConvertResult convert(ConvertRequest request, Inspection i) {
        String table = i.table();
        List<String> notes = new ArrayList<>();
        if (Inspection.SWAPPED.equals(i.phase()) || Inspection.FINISHED.equals(i.phase())) {
            step = "done";
            notes.add(table + " is already converted (the original is " + i.oldName() + ")");
            return new ConvertResult(
                    table, ConvertMode.CONVERT, "already converted", 0, null, 0, List.of(), null, notes);
        }
        PartitionLayout layout;
        try {
            layout = ConvertPlanner.layout(i, request, Instant.ofEpochMilli(Workflow.currentTimeMillis()));
        } catch (IllegalArgumentException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_POLICY);
        }
        ConvertActivities ddl = Workflow.newActivityStub(ConvertActivities.class, StepOptions.ddl("prepare " + table));
        step = "prepare";
        notes.add(ddl.prepare(request, layout));
        step = "copy";
        CopyResult copy = bulk("copy " + table, true).copy(request);
        long replayed = replayUntilSmall(request, false);
        List<Verification> checks = new ArrayList<>();
        step = "verify before swap";
        Verification before = bulk("verify " + table, false).verify(request, "before swap");
        checks.add(before);
        if (!before.ok()) {
            throw ApplicationFailure.newNonRetryableFailure(
                    before.describe() + "; nothing was swapped, " + table + " is unchanged",
                    Failures.VERIFICATION_FAILED,
                    before);
        }
        step = "swap";
        SwapResult swap = Workflow.newActivityStub(ConvertActivities.class, StepOptions.ddl("swap " + table))
                .swap(request, false);
        step = "verify after swap";
        Verification after = bulk("verify " + table, false).verify(request, "after swap");
        checks.add(after);
        if (!after.ok()) {
            throw ApplicationFailure.newNonRetryableFailure(
                    after.describe() + "; run partition-keeper convert --rollback " + table + " to swap back",
                    Failures.VERIFICATION_FAILED,
                    after);
        }
        step = "done";
        notes.add(swap.renamedTo() + " stays, untouched, until you drop it; changes to " + table
                + " are recorded for a rollback until partition-keeper convert --finish " + table);
        return new ConvertResult(
                table,
                ConvertMode.CONVERT,
                "converted",
                layout.partitions().size() + (layout.defaultPartition() == null ? 0 : 1),
                copy,
                replayed,
                checks,
                swap,
                notes);
    }

    private ConvertResult rollback(ConvertRequest request, Inspection i) {
        String table = i.table();
        List<Verification> checks = new ArrayList<>();
        long replayed = 0;
        if (Inspection.SWAPPED.equals(i.phase())) {
            replayed = replayUntilSmall(request, true);
            step = "verify before swap back";
            Verification before = bulk("verify " + table, false).verify(request, "before swap back");
            checks.add(before);
            if (!before.ok()) {
                throw ApplicationFailure.newNonRetryableFailure(
                        before.describe() + "; nothing was swapped back", Failures.VERIFICATION_FAILED, before);
            }
        }
        step = "swap back";
        SwapResult swap = Workflow.newActivityStub(ConvertActivities.class, StepOptions.ddl("swap back " + table))
                .swap(request, true);
        step = "done";
        return new ConvertResult(
                table,
                ConvertMode.ROLLBACK,
                swap.alreadyDone() ? "nothing to roll back" : "rolled back",
                0,
                null,
                replayed + swap.replayed(),
                checks,
                swap,
                List.of());
    }

    private ConvertResult finish(ConvertRequest request, Inspection i) {
        step = "finish";
        String note = Workflow.newActivityStub(ConvertActivities.class, StepOptions.ddl("finish " + i.table()))
                .finish(request);
        step = "done";
        return new ConvertResult(i.table(), ConvertMode.FINISH, "finished", 0, null, 0, List.of(), null, List.of(note));
    }

    private long replayUntilSmall(ConvertRequest request, boolean reverse) {
        ConvertActivities acts =
                bulk((reverse ? "replay changes since the swap " : "replay changes ") + request.table(), true);
        long total = 0;
        for (int round = 1; round <= MAX_REPLAY_ROUNDS; round++) {
            step = "replay" + (reverse ? " since swap" : "") + " (round " + round + ")";
            ReplayResult r = acts.replay(request, reverse);
            total += r.changes();
            if (r.pending() <= SWAP_BACKLOG) {
                break;
            }
        }
        return total;
    }
}

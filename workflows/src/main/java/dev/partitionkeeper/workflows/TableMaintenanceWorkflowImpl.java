package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ArchiveActivities;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.activity.TableDdl;
import dev.partitionkeeper.workflows.activity.TableDdlResult;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/** Sequences the activities for one table; holds no logic of its own beyond order and reporting. */
public class TableMaintenanceWorkflowImpl implements TableMaintenanceWorkflow {
    private static final Logger log = Workflow.getLogger(TableMaintenanceWorkflowImpl.class);

    /** What {@link #progress} answers; kept only when the request says so ({@code progressByQuery}). */
    private TableProgress current;

    @Override
    public TableReport maintain(TableMaintenanceRequest request) {
        TablePolicy policy = request.policy();
        String table = policy.table().toString();
        // a plan handed over by the pass's survey is run as it is (the request is in history: deterministic)
        MaintenancePlan plan = request.plan() != null
                ? request.plan()
                : stub(StepOptions.read("plan " + table)).plan(policy, Workflow.currentTimeMillis());
        log.info(
                "plan for {}: {} action(s), {} finding(s)",
                table,
                plan.actions().size(),
                plan.findings().size());
        if (request.dryRun()) {
            return new TableReport(table, TableReport.OK, plan, List.of(), null, null);
        }
        List<ActionResult> done = new ArrayList<>();
        List<String> planned =
                plan.actions().stream().map(PlannedAction::summary).toList();
        if (TableDdl.allCatalogOnly(plan.actions())
                && Workflow.getVersion(ONE_DDL_ACTIVITY_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1) {
            return catalogOnly(request, plan, planned);
        }
        for (PlannedAction action : plan.actions()) {
            if (request.progressByQuery()) {
                current = new TableProgress(table, action.summary(), planned, done.size(), 0, 0);
            } else {
                progress(table, action.summary(), planned, done.size());
            }
            PartitionActivities acts = stub(StepOptions.ddl(action.summary()));
            ArchiveActivities archive =
                    Workflow.newActivityStub(ArchiveActivities.class, StepOptions.archive(action.summary()));
            try {
                ActionResult r;
                if (action instanceof PlannedAction.FinalizeDetach a) {
                    r = acts.finalizeDetach(policy, a);
                } else if (action instanceof PlannedAction.CreatePartition a) {
                    r = acts.createPartition(policy, a);
                } else if (action instanceof PlannedAction.CreateDefaultPartition a) {
                    r = acts.createDefaultPartition(policy, a);
                } else if (action instanceof PlannedAction.DetachPartition a) {
                    r = acts.detachPartition(policy, a);
                } else if (action instanceof PlannedAction.ExportPartition a) {
                    r = archive.export(policy, a);
                } else if (action instanceof PlannedAction.VerifyArchive a) {
                    r = archive.verify(policy, a);
                } else if (action instanceof PlannedAction.DropPartition a) {
                    r = archive.drop(policy, a);
                } else if (action instanceof PlannedAction.ExpireArchive a) {
                    r = archive.expire(policy, a);
                } else {
                    throw new IllegalStateException("unknown action " + action);
                }
                done.add(r);
            } catch (ActivityFailure e) {
                throw failed(table, action.summary(), done, plan, e);
            }
        }
        if (request.progressByQuery()) {
            current = new TableProgress(table, "verify layout", planned, done.size(), 0, 0);
        }
        LayoutReport layout =
                stub(StepOptions.read("verify layout " + table)).verifyLayout(policy, Workflow.currentTimeMillis());
        return new TableReport(table, layout.ok() ? TableReport.OK : TableReport.ATTENTION, plan, done, layout, null);
    }

    /**
     * A plan of catalog changes only (runway and detaches, the daily case of most tables): all of it in one
     * {@link PartitionActivities#applyDdl} activity, which also checks the layout, instead of one activity per
     * action and one for the layout. Retried as one DDL step is; each action in it is idempotent.
     */
    private TableReport catalogOnly(TableMaintenanceRequest request, MaintenancePlan plan, List<String> planned) {
        TablePolicy policy = request.policy();
        String table = policy.table().toString();
        String summary = summary(planned);
        if (request.progressByQuery()) {
            current = new TableProgress(table, summary, planned, 0, 0, 0);
        } else {
            progress(table, summary, planned, 0);
        }
        try {
            TableDdlResult r = stub(StepOptions.ddl(summary))
                    .applyDdl(new TableDdl(policy, plan.actions()), Workflow.currentTimeMillis());
            return new TableReport(
                    table, r.layout().ok() ? TableReport.OK : TableReport.ATTENTION, plan, r.done(), r.layout(), null);
        } catch (ActivityFailure e) {
            if (e.getCause() instanceof ApplicationFailure af && TableDdl.failedAction(af) != null) {
                throw failed(table, TableDdl.failedAction(af), TableDdl.doneBefore(af), plan, e);
            }
            throw failed(table, summary, List.of(), plan, e);
        }
    }

    /** The activity's summary in the UI: the actions it runs, shortened past {@link #SUMMARY_MAX} characters. */
    static String summary(List<String> planned) {
        String all = String.join("; ", planned);
        return all.length() <= SUMMARY_MAX ? all : all.substring(0, SUMMARY_MAX - 1) + "…";
    }

    /** Longest activity summary we write (the UI shows one line). */
    static final int SUMMARY_MAX = 200;

    /**
     * {@link Workflow#getVersion} change ID of {@link #catalogOnly}: runs started before it run such a plan as one
     * activity per action and one for the layout.
     */
    static final String ONE_DDL_ACTIVITY_CHANGE = "one-ddl-activity";

    private static ApplicationFailure failed(
            String table, String step, List<ActionResult> done, MaintenancePlan plan, ActivityFailure e) {
        // getMessage() of an ApplicationFailure is "message='...', type='...', nonRetryable=..."
        Throwable cause = e.getCause();
        String why = cause instanceof ApplicationFailure af
                ? af.getOriginalMessage()
                : cause != null ? cause.getMessage() : e.getMessage();
        return ApplicationFailure.newNonRetryableFailureWithCause(
                table + ": " + step + " failed after " + done.size() + " completed action(s): " + why,
                Failures.ACTION_FAILED,
                e,
                new TableReport(table, TableReport.FAILED, plan, done, null, why));
    }

    @Override
    public TableProgress progress() {
        return current;
    }

    /**
     * Tells the parent pass which step starts now, for its {@code status} query: once per step, never per
     * heartbeat (every signal is a history event). Fire and forget: a lost update must not fail the table.
     */
    private static void progress(String table, String step, List<String> plan, int done) {
        Workflow.getInfo().getParentWorkflowId().ifPresent(parent -> {
            MaintenanceWorkflow p = Workflow.newExternalWorkflowStub(MaintenanceWorkflow.class, parent);
            Async.procedure(p::tableProgress, new TableProgress(table, step, plan, done, 0, 0));
        });
    }

    private static PartitionActivities stub(ActivityOptions options) {
        return Workflow.newActivityStub(PartitionActivities.class, options);
    }
}

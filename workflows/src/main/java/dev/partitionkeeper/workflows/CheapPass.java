package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.activity.TableSurvey;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * A pass that costs nothing per table with nothing to do (issue 15): one {@link PartitionActivities#survey}
 * activity plans every table of the database and checks the layout of those with nothing to do; only the
 * tables with actions get a child workflow ({@link TablePass}, which keeps the per-table exclusion for DDL),
 * handed the plan the survey made, run up to {@code parallelism} at a time, each table's steps in order. A
 * dry run needs no child at all: the survey's plans are its report.
 */
final class CheapPass {
    private static final Logger log = Workflow.getLogger(CheapPass.class);

    private final StatusBoard board;
    private final TablePass tablePass;
    private final PartitionActivities partitions =
            Workflow.newActivityStub(PartitionActivities.class, StepOptions.read("plan and check the tables"));

    CheapPass(StatusBoard board, TablePass tablePass) {
        this.board = board;
        this.tablePass = tablePass;
    }

    /** Maintains {@code tables}; returns one report per table, in the given order. */
    List<TableReport> run(List<TablePolicy> tables, boolean dryRun, String reason, int parallelism) {
        if (tables.isEmpty()) {
            return List.of();
        }
        List<TableSurvey> surveys;
        try {
            surveys = partitions.survey(tables, Workflow.currentTimeMillis());
        } catch (ActivityFailure e) {
            // retries exhausted (the database unreachable) or a refusal for all (the clocks disagree): every table
            // fails with the reason, as when each planned alone, and the pass reports them instead of failing blind
            String why = TablePass.rootMessage(e);
            List<TableReport> failed = new ArrayList<>();
            for (TablePolicy policy : tables) {
                TableReport r =
                        new TableReport(policy.table().toString(), TableReport.FAILED, null, List.of(), null, why);
                board.finished(r);
                failed.add(r);
            }
            return failed;
        }
        if (!surveys.isEmpty() && surveys.stream().allMatch(s -> s.policy() != null)) {
            // a pattern entry (tenant_*.events) was matched against the database: one survey per table found
            tables = surveys.stream().map(TableSurvey::policy).toList();
        }
        Map<String, TableReport> reports = new LinkedHashMap<>();
        List<TablePolicy> withWork = new ArrayList<>();
        Map<String, MaintenancePlan> plans = new LinkedHashMap<>();
        for (int i = 0; i < tables.size(); i++) {
            TablePolicy policy = tables.get(i);
            String table = policy.table().toString();
            TableSurvey s = i < surveys.size() ? surveys.get(i) : null;
            TableReport report;
            if (s == null || !table.equals(s.table())) {
                report = new TableReport(
                        table,
                        TableReport.FAILED,
                        null,
                        List.of(),
                        null,
                        "the survey did not report this table (got " + (s == null ? "nothing" : s.table()) + ")");
            } else if (s.error() != null) {
                report = new TableReport(table, TableReport.FAILED, null, List.of(), null, s.error());
            } else if (dryRun) {
                report = new TableReport(table, TableReport.OK, s.plan(), List.of(), null, null);
            } else if (s.hasWork()) {
                withWork.add(policy);
                plans.put(table, s.plan());
                reports.put(table, null);
                continue;
            } else {
                boolean ok = s.layout() == null || s.layout().ok();
                report = new TableReport(
                        table, ok ? TableReport.OK : TableReport.ATTENTION, s.plan(), List.of(), s.layout(), null);
            }
            reports.put(table, report);
            board.finished(report);
        }
        log.info("survey: {} of {} table(s) have work", withWork.size(), tables.size());
        if (!withWork.isEmpty()) {
            List<TableReport> done = tablePass.run(withWork, false, reason, parallelism, plans);
            for (TableReport r : done) {
                reports.put(r.table(), r);
            }
        }
        return List.copyOf(reports.values());
    }
}

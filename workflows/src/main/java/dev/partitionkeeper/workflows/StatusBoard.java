package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.MaintenanceStatus.TableState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mutable state behind the {@code status} query. Workflow code only: updated from the run and
 * its signal handlers, read by the query, never touching I/O.
 */
final class StatusBoard {
    private String phase = MaintenanceStatus.WAITING;
    private String trigger = Visibility.TRIGGER_DIRECT;
    private int pass;
    private String reason = "";
    private boolean dryRun;
    private final Map<String, Row> tables = new LinkedHashMap<>();
    private int completedPasses;
    private String lastError;
    private int rejectedRequests;

    private static final class Row {
        String state = TableState.QUEUED;
        String step;
        String workflowId;
        List<String> plan = List.of();
        int actionsDone;
        long rows;
        long bytes;
        int lockWaits;
        String error;
    }

    /** Counts and the last error of the runs this one continues (see {@link MaintenanceCarryOver}). */
    void resume(int earlierPasses, int earlierRejected, String earlierError) {
        completedPasses = earlierPasses;
        rejectedRequests = earlierRejected;
        lastError = earlierError;
    }

    int completedPasses() {
        return completedPasses;
    }

    int rejectedRequests() {
        return rejectedRequests;
    }

    String lastError() {
        return lastError;
    }

    void trigger(String t) {
        trigger = t;
    }

    void beginPass(int number, String passReason, boolean passDryRun, List<String> passTables) {
        phase = MaintenanceStatus.RUNNING;
        pass = number;
        reason = passReason;
        dryRun = passDryRun;
        tables.clear();
        for (String t : passTables) {
            Row r = new Row();
            r.workflowId = TableMaintenanceWorkflow.workflowId(t);
            tables.put(t, r);
        }
    }

    void locked(String table, int waits) {
        row(table).state = TableState.LOCKED;
        row(table).lockWaits = waits;
    }

    void running(String table) {
        Row r = row(table);
        r.state = TableState.RUNNING;
        r.step = null;
    }

    void progress(TableProgress p) {
        Row r = tables.get(p.table());
        // a late signal from a table of an earlier pass says nothing about this one
        if (r == null || !TableState.RUNNING.equals(r.state)) {
            return;
        }
        r.step = p.step();
        if (!p.plan().isEmpty()) {
            r.plan = p.plan();
        }
        r.actionsDone = p.actionsDone();
        r.rows = p.rows();
        r.bytes = p.bytes();
    }

    void finished(TableReport report) {
        Row r = row(report.table());
        r.state = report.status();
        r.step = null;
        r.error = report.error();
        if (report.plan() != null) {
            r.plan = report.plan().actions().stream().map(a -> a.summary()).toList();
        }
        r.actionsDone = report.actions().size();
        if (report.error() != null) {
            lastError = report.table() + ": " + report.error();
        }
    }

    void error(String message) {
        lastError = message;
    }

    /** A signal that was not served (malformed, unknown tables, unknown name). */
    void rejected(String message) {
        lastError = message;
        rejectedRequests++;
    }

    void endPass() {
        completedPasses++;
    }

    void waiting() {
        phase = MaintenanceStatus.WAITING;
    }

    void done() {
        phase = MaintenanceStatus.DONE;
    }

    MaintenanceStatus snapshot(int queuedRequests) {
        List<TableState> out = new ArrayList<>();
        for (var e : tables.entrySet()) {
            Row r = e.getValue();
            out.add(new TableState(
                    e.getKey(),
                    r.state,
                    r.step,
                    r.workflowId,
                    r.plan,
                    r.actionsDone,
                    r.rows,
                    r.bytes,
                    r.lockWaits,
                    r.error));
        }
        return new MaintenanceStatus(
                phase,
                trigger,
                pass,
                reason,
                dryRun,
                out,
                queuedRequests,
                completedPasses,
                lastError,
                rejectedRequests);
    }

    private Row row(String table) {
        return tables.computeIfAbsent(table, t -> {
            Row r = new Row();
            r.workflowId = TableMaintenanceWorkflow.workflowId(t);
            return r;
        });
    }
}

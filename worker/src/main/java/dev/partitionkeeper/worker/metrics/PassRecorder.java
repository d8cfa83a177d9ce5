package dev.partitionkeeper.worker.metrics;

import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@value #ACTION} row to the bookkeeping action log when a table's pass reaches its layout check
 * (the last step of a pass), so "when did a pass last succeed" is a question for the database and the
 * answer is right after a restart. The activities log every DDL action there already; a pass with
 * nothing to do would otherwise leave no trace.
 */
final class PassRecorder {
    private static final Logger log = LoggerFactory.getLogger(PassRecorder.class);
    /** The action_log.action of a completed table pass. */
    static final String ACTION = "verify_layout";

    static final String OK = "ok";
    static final String ATTENTION = "attention";
    /** action_log.detail is text, but one line per problem of a badly broken table is plenty. */
    private static final int MAX_DETAIL = 2000;

    private final DataSource dataSource;
    private final Bookkeeping books;
    private final AtomicBoolean ensured = new AtomicBoolean();

    PassRecorder(DataSource dataSource, String bookkeepingSchema) {
        this.dataSource = dataSource;
        this.books = new Bookkeeping(bookkeepingSchema);
    }

    /** One row per table, written in one batch on one connection (a survey's tables with nothing to do). */
    void recordAll(Map<TableName, LayoutReport> reports) {
        String[] ids = activityIds();
        List<Bookkeeping.ActionLogEntry> rows = new ArrayList<>(reports.size());
        reports.forEach((table, report) -> rows.add(new Bookkeeping.ActionLogEntry(
                table,
                null,
                ACTION,
                report.ok() ? OK : ATTENTION,
                report.defaultRows(),
                detail(report),
                ids[0],
                ids[1])));
        try (Connection c = dataSource.getConnection()) {
            if (ensured.compareAndSet(false, true)) {
                books.ensure(c); // plan is read-only: a pass with nothing to do may be the first to write here
            }
            books.log(c, rows);
        } catch (SQLException | RuntimeException e) {
            ensured.set(false);
            // The pass itself succeeded; only the gauge will look older than it is until the next pass.
            log.warn(
                    "could not record the completed pass over {} in {}: {}",
                    reports.keySet(),
                    books.actionLogTableName(),
                    e.getMessage());
        }
    }

    private static String detail(LayoutReport report) {
        String detail = String.join("; ", report.problems());
        return detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail;
    }

    private static String[] activityIds() {
        try {
            ActivityInfo info = Activity.getExecutionContext().getInfo();
            return new String[] {info.getWorkflowId(), info.getActivityId()};
        } catch (RuntimeException e) {
            return new String[] {null, null}; // not inside an activity (tests)
        }
    }
}

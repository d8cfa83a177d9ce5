package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.failure.ApplicationFailure;
import java.util.List;

/** The cheap pass over one database's tables; reports name each table with its database. */
public class DatabasePassWorkflowImpl implements DatabasePassWorkflow {
    private final StatusBoard board = new StatusBoard();
    private final TablePass tablePass = new TablePass(board);
    private final CheapPass cheapPass = new CheapPass(board, tablePass);

    @Override
    public DatabasePassResult run(DatabasePassRequest request) {
        for (TablePolicy p : request.tables()) {
            if (!request.database().equals(p.database())) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "the pass of database " + request.database() + " was handed " + p.qualifiedName()
                                + ", a table of another database",
                        Failures.INVALID_REQUEST);
            }
        }
        int parallelism = Math.max(1, request.tableParallelism());
        List<TableReport> reports = cheapPass.run(request.tables(), request.dryRun(), request.reason(), parallelism);
        return new DatabasePassResult(
                request.database(),
                reports.stream().map(r -> qualified(request.database(), r)).toList());
    }

    static TableReport qualified(String database, TableReport r) {
        String prefix = database + "/";
        if (r.table().startsWith(prefix)) {
            return r;
        }
        return new TableReport(prefix + r.table(), r.status(), r.plan(), r.actions(), r.layout(), r.error());
    }
}

package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * A pass over a fleet (issue 15): the tables grouped by database, one {@link DatabasePassWorkflow} child per
 * database, up to {@code databaseParallelism} databases at once. A database whose child fails (down, refusing
 * the role, a step failing) fails its own tables, each with the reason; the other databases complete, and the
 * next pass tries it again. Only passes whose policy names databases come here: a single-database policy runs
 * {@link CheapPass} as before, so its recorded histories replay unchanged.
 */
final class FleetPass {
    private static final Logger log = Workflow.getLogger(FleetPass.class);

    /** Databases one pass works on at once when the worker does not say otherwise. */
    public static final int DEFAULT_DATABASE_PARALLELISM = 4;

    private final StatusBoard board;
    private final int configuredDatabaseParallelism;
    /** Recorded by the first fleet pass of a run (a side effect), so a worker with another setting replays it. */
    private Integer databaseParallelism;

    FleetPass(StatusBoard board, int databaseParallelism) {
        this.board = board;
        this.configuredDatabaseParallelism = databaseParallelism;
    }

    /** True when the pass's tables are those of a fleet ({@code databases:}), not of the single database. */
    static boolean isFleet(List<TablePolicy> tables) {
        return tables.stream().anyMatch(p -> p.database() != null);
    }

    /**
     * Maintains {@code tables}; one report per table named {@code <database>/<table>}, database by database in the
     * order they first appear.
     */
    List<TableReport> run(List<TablePolicy> tables, boolean dryRun, String reason, int tableParallelism) {
        if (databaseParallelism == null) {
            int configured = configuredDatabaseParallelism;
            databaseParallelism = Workflow.sideEffect(Integer.class, () -> configured);
        }
        Map<String, List<TablePolicy>> byDatabase = new LinkedHashMap<>();
        for (TablePolicy p : tables) {
            // a table of the single database in a fleet policy cannot happen (the resolver names every database);
            // were it to, it is its own group under its empty name and fails there, visibly
            byDatabase
                    .computeIfAbsent(p.database() == null ? "" : p.database(), d -> new ArrayList<>())
                    .add(p);
        }
        Map<String, List<TableReport>> reports = new LinkedHashMap<>();
        for (String db : byDatabase.keySet()) {
            reports.put(db, null);
        }
        List<String> waiting = new ArrayList<>(byDatabase.keySet());
        Map<String, Promise<DatabasePassResult>> running = new LinkedHashMap<>();
        String passId = Workflow.getInfo().getWorkflowId();
        while (!waiting.isEmpty() || !running.isEmpty()) {
            while (!waiting.isEmpty() && running.size() < databaseParallelism) {
                String db = waiting.remove(0);
                running.put(db, start(passId, db, byDatabase.get(db), dryRun, reason, tableParallelism));
            }
            Workflow.await(() -> running.values().stream().anyMatch(Promise::isCompleted));
            for (var it = running.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isCompleted()) {
                    continue;
                }
                it.remove();
                List<TableReport> done = collect(e.getKey(), byDatabase.get(e.getKey()), e.getValue());
                reports.put(e.getKey(), done);
                done.forEach(board::finished);
            }
        }
        // by database, each in its child's order (a pattern entry reports the tables it matched)
        List<TableReport> out = reports.values().stream().flatMap(List::stream).toList();
        long failed =
                out.stream().filter(r -> TableReport.FAILED.equals(r.status())).count();
        log.info("fleet pass: {} database(s), {} table(s), {} failed", byDatabase.size(), out.size(), failed);
        return out;
    }

    /** Whether failed tables are a fleet's ({@code <database>/<table>}), so the failure names the databases. */
    static boolean isFleetReport(List<TableReport> failed) {
        return !failed.isEmpty()
                && failed.stream().allMatch(r -> MaintenanceRequests.splitDatabase(r.table())[0] != null);
    }

    /**
     * The pass's failure for a fleet, by database: {@code database tenant_2 (2 tables failed): tenant_2/public.events:
     * <why>; ...}, the first failed table's reason for each (a database that is down fails all its tables alike).
     */
    static String failedDatabases(List<TableReport> failed) {
        Map<String, List<TableReport>> byDatabase = new LinkedHashMap<>();
        for (TableReport r : failed) {
            byDatabase
                    .computeIfAbsent(MaintenanceRequests.splitDatabase(r.table())[0], d -> new ArrayList<>())
                    .add(r);
        }
        List<String> parts = new ArrayList<>();
        for (var e : byDatabase.entrySet()) {
            TableReport first = e.getValue().get(0);
            parts.add("database " + e.getKey() + " (" + e.getValue().size() + " table(s) failed): " + first.table()
                    + ": " + first.error());
        }
        return String.join("; ", parts);
    }

    private Promise<DatabasePassResult> start(
            String passId, String db, List<TablePolicy> tables, boolean dryRun, String reason, int parallelism) {
        ChildWorkflowOptions options = ChildWorkflowOptions.newBuilder()
                .setWorkflowId(DatabasePassWorkflow.workflowId(passId, db))
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                // the pass's end ends the database's part, and with it its tables' children (their locks)
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE)
                .setStaticSummary(
                        (dryRun ? "dry run: " : "maintain ") + "database " + db + " (" + tables.size() + " table(s))")
                .build();
        DatabasePassWorkflow child = Workflow.newChildWorkflowStub(DatabasePassWorkflow.class, options);
        for (TablePolicy p : tables) {
            board.running(p.qualifiedName());
        }
        return Async.function(child::run, new DatabasePassRequest(db, tables, dryRun, reason, parallelism));
    }

    /** The child's reports; when the child failed as a whole, each of its tables failed with the reason. */
    private static List<TableReport> collect(String db, List<TablePolicy> tables, Promise<DatabasePassResult> result) {
        try {
            return result.get().tables();
        } catch (ChildWorkflowFailure e) {
            String why = "database " + db + ": " + TablePass.rootMessage(e);
            return tables.stream()
                    .map(p -> new TableReport(p.qualifiedName(), TableReport.FAILED, null, List.of(), null, why))
                    .toList();
        }
    }
}

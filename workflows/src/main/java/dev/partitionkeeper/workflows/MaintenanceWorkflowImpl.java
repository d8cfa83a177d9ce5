package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PolicyActivities;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.ContinueAsNewOptions;
import io.temporal.workflow.DynamicSignalHandler;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * Loads the policy, plans and checks all its tables in one activity and runs a child workflow for each
 * table with actions ({@link CheapPass}; runs started before it: one child per table, {@link TablePass});
 * then, until no request
 * is left, a further pass for the requests that arrived meanwhile (signals and updates), so nothing
 * asked of a run is lost when it completes.
 *
 * <p>A run that keeps receiving requests would grow its history without bound, so between passes (no
 * activity or child running) it continues as new once Temporal suggests it or its history reaches
 * {@link #CONTINUE_AS_NEW_AFTER_EVENTS} events: it first answers every accepted {@code maintain} update
 * (an update's report must come from the run that accepted it), waits for every handler to finish, and
 * hands the signalled requests still queued to the next run ({@link MaintenanceCarryOver}). Each run
 * serves at least one pass before it continues, so a chain always makes progress.
 *
 * <p>All state is initialised by field initialisers: signal, update and query handlers may run before
 * {@link #run} does (signal-with-start, update-with-start).
 */
public class MaintenanceWorkflowImpl implements MaintenanceWorkflow {
    private static final Logger log = Workflow.getLogger(MaintenanceWorkflowImpl.class);

    /** How long a run started without a request waits for the one sent with its start. */
    static final Duration FIRST_REQUEST_WAIT = Duration.ofMinutes(1);
    /** Tables maintained at once when the worker does not say otherwise. */
    public static final int DEFAULT_TABLE_PARALLELISM = 1;
    /**
     * History length at which a run continues as new even when the server does not suggest it (older
     * servers and the SDK's test server never do); by default Temporal warns at 10,240 events and
     * terminates a run at 51,200.
     */
    public static final long CONTINUE_AS_NEW_AFTER_EVENTS = 10_000;
    /** {@link Workflow#getVersion} change ID: runs started before continue-as-new existed replay unchanged. */
    static final String CONTINUE_AS_NEW_CHANGE = "continue-as-new-when-history-is-long";
    /**
     * {@link Workflow#getVersion} change ID of the cheap pass ({@link CheapPass}): one survey activity for all
     * tables, children only for tables with actions, progress by query. Runs started before it replay through
     * the per-table children of {@link TablePass} alone.
     */
    static final String CHEAP_PASS_CHANGE = "cheap-pass";

    private static final String START = "start";
    private static final String SIGNAL = "signal";
    private static final String UPDATE = "update";

    private final PolicyActivities policy =
            Workflow.newActivityStub(PolicyActivities.class, StepOptions.read("load policy"));
    private final int configuredParallelism;

    private final Deque<Pending> queue = new ArrayDeque<>();
    private final StatusBoard board = new StatusBoard();
    private final TablePass tablePass = new TablePass(board);
    private final CheapPass cheapPass = new CheapPass(board, tablePass);
    private final FleetPass fleetPass;
    /** Tables of the policy as last loaded; null until the first load (the validator then checks shape only). */
    private List<TableName> knownTables;

    private final Set<String> touchedTables = new LinkedHashSet<>();
    /** The last failure of each table in earlier runs of this chain, reported by the run that ends it. */
    private final Map<String, TableReport> carriedFailures = new LinkedHashMap<>();

    private int passes;
    private boolean searchAttributes;
    private long continueAsNewAfterEvents = CONTINUE_AS_NEW_AFTER_EVENTS;

    /** One request waiting for, or served by, a pass. */
    private static final class Pending {
        final MaintenanceRequest request;
        final String origin;
        boolean done;
        MaintenanceReport report;
        ApplicationFailure failure;

        Pending(MaintenanceRequest request, String origin) {
            this.request = request;
            this.origin = origin;
        }
    }

    public MaintenanceWorkflowImpl() {
        this(DEFAULT_TABLE_PARALLELISM);
    }

    /** @param tableParallelism tables maintained at once (at least 1); recorded in history by each run */
    public MaintenanceWorkflowImpl(int tableParallelism) {
        this(tableParallelism, FleetPass.DEFAULT_DATABASE_PARALLELISM);
    }

    /**
     * @param tableParallelism tables of one database maintained at once (at least 1)
     * @param databaseParallelism databases of a fleet worked on at once (at least 1); recorded in history by a
     *     run's first fleet pass
     */
    public MaintenanceWorkflowImpl(int tableParallelism, int databaseParallelism) {
        if (databaseParallelism < 1) {
            throw new IllegalArgumentException("databaseParallelism must be at least 1, got: " + databaseParallelism);
        }
        this.fleetPass = new FleetPass(board, databaseParallelism);
        if (tableParallelism < 1) {
            throw new IllegalArgumentException("tableParallelism must be at least 1, got: " + tableParallelism);
        }
        this.configuredParallelism = tableParallelism;
        // a signal of another name (a typo, an old client) would wait in the run unseen; say so in status
        Workflow.registerListener((DynamicSignalHandler) (name, args) -> board.rejected("ignored unknown signal \""
                + name + "\"; this workflow takes requestMaintenance and" + " tableProgress"));
    }

    @Override
    public MaintenanceReport run(MaintenanceRequest request, MaintenanceCarryOver carried) {
        // a side effect: the value is recorded, so a worker with another setting replays this run unchanged
        int parallelism = Workflow.sideEffect(Integer.class, () -> configuredParallelism);
        String trigger = trigger();
        board.trigger(trigger);
        searchAttributes = Visibility.enabledAtStart(Workflow.getTypedSearchAttributes());
        if (searchAttributes) {
            tablePass.carrySearchAttributes(trigger);
        }
        if (carried != null) {
            resume(carried);
        }
        if (request != null) {
            List<String> problems = MaintenanceRequests.problems(request, null);
            if (!problems.isEmpty()) {
                // a run started with a request it cannot read has nothing to do
                throw ApplicationFailure.newNonRetryableFailure(
                        "the run's request is malformed: " + String.join("; ", problems), Failures.INVALID_REQUEST);
            }
            queue.addFirst(new Pending(request, START));
        } else if (queue.isEmpty()) {
            Workflow.await(FIRST_REQUEST_WAIT, () -> !queue.isEmpty());
        }
        List<MaintenanceReport> reports = new ArrayList<>();
        while (true) {
            if (queue.isEmpty()) {
                // an update handler accepted in this workflow task may still be about to queue its request
                Workflow.await(() -> !queue.isEmpty() || Workflow.isEveryHandlerFinished());
                if (queue.isEmpty()) {
                    break;
                }
            }
            // Here no activity or child runs: the pass before has collected all of them.
            if (!reports.isEmpty()
                    && historyIsLong()
                    && !updateQueued()
                    && Workflow.getVersion(CONTINUE_AS_NEW_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1) {
                // Served updates return their reports once their handlers run again; an update accepted
                // meanwhile needs this run's answer, so it is served first (the loop comes back here after).
                Workflow.await(() -> Workflow.isEveryHandlerFinished() || updateQueued());
                if (!updateQueued()) {
                    continueAsNew(reports);
                }
                continue;
            }
            reports.add(runNextPass(parallelism));
            board.waiting();
        }
        board.done();
        MaintenanceReport report = withCarriedFailures(merge(reports, request));
        upsertOutcome(report);
        if (report.failed()) {
            List<TableReport> failures = report.tables().stream()
                    .filter(r -> TableReport.FAILED.equals(r.status()))
                    .toList();
            String failed = FleetPass.isFleetReport(failures)
                    ? FleetPass.failedDatabases(failures)
                    : failures.stream().map(r -> r.table() + ": " + r.error()).collect(Collectors.joining("; "));
            // Fail the run so the UI and alerts see it; the full report travels in the failure details.
            throw ApplicationFailure.newNonRetryableFailure(
                    "maintenance failed for " + failed, Failures.PASS_FAILED, report);
        }
        return report;
    }

    @Override
    public void requestMaintenance(MaintenanceRequest request) {
        // A signal cannot be refused: a malformed one is reported (status: lastError, rejectedRequests) and
        // dropped, and the run goes on. Tables are checked against the policy once it is loaded; before that,
        // when the pass is planned.
        List<String> problems = MaintenanceRequests.problems(request, knownTables);
        if (!problems.isEmpty()) {
            reject(SIGNAL, String.join("; ", problems));
            return;
        }
        log.info(
                "maintenance requested: tables {}, dry run {}, reason \"{}\"",
                request.tables(),
                request.dryRun(),
                request.reason());
        queue.addLast(new Pending(request, SIGNAL));
    }

    @Override
    public MaintenanceReport maintain(MaintenanceRequest request) {
        Pending p = new Pending(request, UPDATE);
        queue.addLast(p);
        Workflow.await(() -> p.done);
        if (p.failure != null) {
            throw p.failure;
        }
        return p.report;
    }

    @Override
    public void validateMaintain(MaintenanceRequest request) {
        MaintenanceRequests.check(request, knownTables);
    }

    /** A request not served: said in status and the log, never a failure of the run. */
    private void reject(String origin, String why) {
        board.rejected("ignored a maintenance request (" + origin + "): " + why);
        log.warn("ignored a maintenance request ({}): {}", origin, why);
    }

    @Override
    public void tableProgress(TableProgress progress) {
        if (progress != null) {
            board.progress(progress);
        }
    }

    @Override
    public MaintenanceStatus status() {
        return board.snapshot(queue.size());
    }

    /** Takes over what the run this one continues handed on; carried requests are checked again. */
    private void resume(MaintenanceCarryOver carried) {
        if (carried.continueAsNewAfterEvents() < 0) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "continueAsNewAfterEvents must be 0 (the default, " + CONTINUE_AS_NEW_AFTER_EVENTS
                            + ") or more, got: " + carried.continueAsNewAfterEvents(),
                    Failures.INVALID_REQUEST);
        }
        if (carried.continueAsNewAfterEvents() > 0) {
            continueAsNewAfterEvents = carried.continueAsNewAfterEvents();
        }
        knownTables = carried.knownTables();
        tablePass.resume(carried.releasedAt());
        touchedTables.addAll(carried.touchedTables());
        for (TableReport f : carried.failures()) {
            carriedFailures.put(f.table(), f);
        }
        passes = carried.completedPasses();
        board.resume(carried.completedPasses(), carried.rejectedRequests(), carried.lastError());
        for (MaintenanceRequest r : carried.queued()) {
            List<String> problems = MaintenanceRequests.problems(r, knownTables);
            if (problems.isEmpty()) {
                queue.addLast(new Pending(r, SIGNAL));
            } else {
                reject(SIGNAL, String.join("; ", problems));
            }
        }
    }

    /**
     * Temporal suggests continuing as new, or the history reached this run's threshold. Never for a cron
     * run: the SDK's continue-as-new options carry no cron schedule, and each cron run is one pass anyway.
     */
    private boolean historyIsLong() {
        WorkflowInfo info = Workflow.getInfo();
        String cron = info.getCronSchedule();
        if (cron != null && !cron.isEmpty()) {
            return false;
        }
        return info.isContinueAsNewSuggested() || info.getHistoryLength() >= continueAsNewAfterEvents;
    }

    private boolean updateQueued() {
        return queue.stream().anyMatch(p -> UPDATE.equals(p.origin));
    }

    /**
     * Ends this run and starts the next with the queued (signalled) requests. Children are started per
     * pass and have all closed, so none is terminated with this run (their close policy). Memo and search
     * attributes are passed on explicitly: Temporal does not copy the memo, and not every SDK version
     * copies search attributes.
     */
    private void continueAsNew(List<MaintenanceReport> reports) {
        Map<String, TableReport> failures = new LinkedHashMap<>(carriedFailures);
        for (MaintenanceReport r : reports) {
            for (TableReport t : r.tables()) {
                if (TableReport.FAILED.equals(t.status())) {
                    failures.remove(t.table()); // keeps the most recent last
                    failures.put(t.table(), new TableReport(t.table(), t.status(), null, List.of(), null, t.error()));
                }
            }
        }
        MaintenanceCarryOver next = new MaintenanceCarryOver(
                queue.stream().map(p -> p.request).toList(),
                knownTables,
                tablePass.releasedAt(),
                List.copyOf(touchedTables),
                List.copyOf(failures.values()),
                board.completedPasses(),
                board.rejectedRequests(),
                board.lastError(),
                continueAsNewAfterEvents == CONTINUE_AS_NEW_AFTER_EVENTS ? 0 : continueAsNewAfterEvents);
        Map<String, Object> memo = new LinkedHashMap<>();
        for (String key : List.of(Visibility.MEMO_TRIGGER, Visibility.MEMO_CONFIG)) {
            String value = Workflow.getMemo(key, String.class, String.class);
            if (value != null) {
                memo.put(key, value);
            }
        }
        ContinueAsNewOptions.Builder options = ContinueAsNewOptions.newBuilder().setMemo(memo);
        if (searchAttributes) {
            options.setTypedSearchAttributes(Workflow.getTypedSearchAttributes());
        }
        log.info(
                "history has {} events after {} pass(es): continuing as new with {} queued request(s)",
                Workflow.getInfo().getHistoryLength(),
                reports.size(),
                next.queued().size());
        Workflow.continueAsNew(options.build(), (MaintenanceRequest) null, next);
    }

    /** The failures of the runs this one continued from (none when it started the chain), then its own tables. */
    private MaintenanceReport withCarriedFailures(MaintenanceReport report) {
        if (carriedFailures.isEmpty()) {
            return report;
        }
        List<TableReport> tables = new ArrayList<>(carriedFailures.values());
        tables.addAll(report.tables());
        return new MaintenanceReport(report.reason(), report.dryRun(), tables);
    }

    /** Takes every queued request with the head's dry-run flag and serves them in one pass. */
    private MaintenanceReport runNextPass(int parallelism) {
        boolean dryRun = queue.peekFirst().request.dryRun();
        List<Pending> batch = new ArrayList<>();
        for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.request.dryRun() == dryRun) {
                batch.add(p);
                it.remove();
            }
        }
        List<TablePolicy> all = policy.load();
        knownTables = all.stream().map(TablePolicy::table).toList();
        Set<TablePolicy> union = new LinkedHashSet<>();
        List<List<TablePolicy>> selected = new ArrayList<>();
        for (Pending p : batch) {
            try {
                List<TablePolicy> s = select(all, p.request.tables());
                selected.add(s);
                union.addAll(s);
            } catch (ApplicationFailure e) {
                if (START.equals(p.origin)) {
                    throw e;
                }
                // A request sent before the policy was loaded names a table it does not have: reported in status, not
                // served, and the run goes on.
                // An update started with the run (before the policy was loaded) gets the failure as its answer.
                selected.add(null);
                reject(p.origin, e.getOriginalMessage());
                p.failure = e;
                p.done = true;
            }
        }
        String reason = batch.stream()
                .filter(p -> !p.done)
                .map(p -> p.request.reason())
                .distinct()
                .collect(Collectors.joining("; "));
        passes++;
        List<String> names = union.stream().map(TablePolicy::qualifiedName).toList();
        board.beginPass(passes, reason, dryRun, names);
        touchedTables.addAll(names);
        if (searchAttributes) {
            Workflow.upsertTypedSearchAttributes(
                    SearchAttributeUpdate.valueSet(Visibility.TABLES, Visibility.tables(List.copyOf(touchedTables))));
        }
        log.info("pass {}: {} table(s), dry run {}, reason \"{}\"", passes, names.size(), dryRun, reason);
        List<TableReport> reports = new ArrayList<>(
                Workflow.getVersion(CHEAP_PASS_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1
                        ? FleetPass.isFleet(List.copyOf(union))
                                ? fleetPass.run(List.copyOf(union), dryRun, reason, parallelism)
                                : cheapPass.run(List.copyOf(union), dryRun, reason, parallelism)
                        : tablePass.run(List.copyOf(union), dryRun, reason, parallelism));
        board.endPass();
        MaintenanceReport report = new MaintenanceReport(reason, dryRun, reports);
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            if (!p.done) {
                Set<String> mine =
                        selected.get(i).stream().map(TablePolicy::qualifiedName).collect(Collectors.toSet());
                // a request for every table gets every report, also of the tables pattern entries matched
                p.report = new MaintenanceReport(
                        p.request.reason(),
                        dryRun,
                        p.request.tables().isEmpty()
                                ? reports
                                : reports.stream()
                                        .filter(r -> mine.contains(r.table()))
                                        .toList());
                p.done = true;
            }
        }
        return report;
    }

    private static MaintenanceReport merge(List<MaintenanceReport> reports, MaintenanceRequest request) {
        if (reports.size() == 1) {
            return reports.get(0);
        }
        if (reports.isEmpty()) {
            return new MaintenanceReport(
                    request == null ? "" : request.reason(), request != null && request.dryRun(), List.of());
        }
        String reason =
                reports.stream().map(MaintenanceReport::reason).distinct().collect(Collectors.joining("; "));
        boolean dryRun = reports.stream().allMatch(MaintenanceReport::dryRun);
        List<TableReport> tables =
                reports.stream().flatMap(r -> r.tables().stream()).toList();
        return new MaintenanceReport(reason, dryRun, tables);
    }

    private void upsertOutcome(MaintenanceReport report) {
        if (!searchAttributes) {
            return;
        }
        String outcome = report.failed()
                ? TableReport.FAILED
                : report.tables().stream().anyMatch(t -> TableReport.ATTENTION.equals(t.status()))
                        ? TableReport.ATTENTION
                        : TableReport.OK;
        Workflow.upsertTypedSearchAttributes(SearchAttributeUpdate.valueSet(Visibility.OUTCOME, outcome));
    }

    /** The starter's memo says what started the run; runs without one are told apart by ID and cron. */
    private static String trigger() {
        Object memo = Workflow.getMemo(Visibility.MEMO_TRIGGER, String.class);
        if (memo instanceof String s && !s.isBlank()) {
            return s;
        }
        String cron = Workflow.getInfo().getCronSchedule();
        if (cron != null && !cron.isEmpty()) {
            return Visibility.TRIGGER_CRON;
        }
        return Workflow.getInfo().getWorkflowId().startsWith(SCHEDULED_WORKFLOW_ID)
                ? Visibility.TRIGGER_SCHEDULE
                : Visibility.TRIGGER_DIRECT;
    }

    /** The policies a request names ({@link TableSelection}). */
    static List<TablePolicy> select(List<TablePolicy> all, List<String> wanted) {
        return TableSelection.select(all, wanted);
    }
}

package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PolicyActivities;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * Loads the policy and runs one child workflow per table ({@link TablePass}); then, until no request
 * is left, a further pass for the requests that arrived meanwhile (signals and updates), so nothing
 * asked of a run is lost when it completes.
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

  private static final String START = "start";
  private static final String SIGNAL = "signal";
  private static final String UPDATE = "update";

  private final PolicyActivities policy =
      Workflow.newActivityStub(PolicyActivities.class, StepOptions.read("load policy"));
  private final int configuredParallelism;

  private final Deque<Pending> queue = new ArrayDeque<>();
  private final StatusBoard board = new StatusBoard();
  private final TablePass tablePass = new TablePass(board);
  /** Tables of the policy as last loaded; null until the first load (the validator then checks shape only). */
  private List<TableName> knownTables;
  private final Set<String> touchedTables = new LinkedHashSet<>();
  private int passes;
  private boolean searchAttributes;

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
    if (tableParallelism < 1) {
      throw new IllegalArgumentException("tableParallelism must be at least 1, got: " + tableParallelism);
    }
    this.configuredParallelism = tableParallelism;
    // a signal of another name (a typo, an old client) would wait in the run unseen; say so in status
    Workflow.registerListener((io.temporal.workflow.DynamicSignalHandler) (name, args) ->
        board.rejected("ignored unknown signal \"" + name + "\"; this workflow takes requestMaintenance and"
            + " tableProgress"));
  }

  @Override
  public MaintenanceReport run(MaintenanceRequest request) {
    // a side effect: the value is recorded, so a worker with another setting replays this run unchanged
    int parallelism = Workflow.sideEffect(Integer.class, () -> configuredParallelism);
    String trigger = trigger();
    board.trigger(trigger);
    searchAttributes = Visibility.enabledAtStart(Workflow.getTypedSearchAttributes());
    if (request != null) {
      List<String> problems = MaintenanceRequests.problems(request, null);
      if (!problems.isEmpty()) {
        // a run started with a request it cannot read has nothing to do
        throw ApplicationFailure.newNonRetryableFailure("the run's request is malformed: " + String.join("; ", problems),
            Failures.INVALID_REQUEST);
      }
      queue.addFirst(new Pending(request, START));
    } else {
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
      reports.add(runNextPass(parallelism));
      board.waiting();
    }
    board.done();
    MaintenanceReport report = merge(reports, request);
    upsertOutcome(report);
    if (report.failed()) {
      String failed = report.tables().stream().filter(r -> TableReport.FAILED.equals(r.status()))
          .map(r -> r.table() + ": " + r.error()).collect(Collectors.joining("; "));
      // Fail the run so the UI and alerts see it; the full report travels in the failure details.
      throw ApplicationFailure.newNonRetryableFailure("maintenance failed for " + failed, "PassFailed", report);
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
    log.info("maintenance requested: tables {}, dry run {}, reason \"{}\"", request.tables(), request.dryRun(),
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
    String reason = batch.stream().filter(p -> !p.done).map(p -> p.request.reason()).distinct()
        .collect(Collectors.joining("; "));
    passes++;
    List<String> names = union.stream().map(p -> p.table().toString()).toList();
    board.beginPass(passes, reason, dryRun, names);
    touchedTables.addAll(names);
    if (searchAttributes) {
      Workflow.upsertTypedSearchAttributes(SearchAttributeUpdate.valueSet(Visibility.TABLES,
          List.copyOf(touchedTables)));
    }
    log.info("pass {}: {} table(s), dry run {}, reason \"{}\"", passes, names.size(), dryRun, reason);
    List<TableReport> reports = new ArrayList<>(tablePass.run(List.copyOf(union), dryRun, reason, parallelism));
    board.endPass();
    MaintenanceReport report = new MaintenanceReport(reason, dryRun, reports);
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      if (!p.done) {
        Set<String> mine = selected.get(i).stream().map(t -> t.table().toString()).collect(Collectors.toSet());
        p.report = new MaintenanceReport(p.request.reason(), dryRun,
            reports.stream().filter(r -> mine.contains(r.table())).toList());
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
      return new MaintenanceReport(request == null ? "" : request.reason(), request != null && request.dryRun(),
          List.of());
    }
    String reason = reports.stream().map(MaintenanceReport::reason).distinct().collect(Collectors.joining("; "));
    boolean dryRun = reports.stream().allMatch(MaintenanceReport::dryRun);
    List<TableReport> tables = reports.stream().flatMap(r -> r.tables().stream()).toList();
    return new MaintenanceReport(reason, dryRun, tables);
  }

  private void upsertOutcome(MaintenanceReport report) {
    if (!searchAttributes) {
      return;
    }
    String outcome = report.failed() ? TableReport.FAILED
        : report.tables().stream().anyMatch(t -> TableReport.ATTENTION.equals(t.status())) ? TableReport.ATTENTION
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
    return Workflow.getInfo().getWorkflowId().startsWith(SCHEDULED_WORKFLOW_ID) ? Visibility.TRIGGER_SCHEDULE
        : Visibility.TRIGGER_DIRECT;
  }

  static List<TablePolicy> select(List<TablePolicy> all, List<String> wanted) {
    if (wanted.isEmpty()) {
      return all;
    }
    Set<TablePolicy> out = new LinkedHashSet<>();
    for (String w : wanted) {
      TableName name;
      try {
        name = TableName.parse(w, "public");
      } catch (IllegalArgumentException e) {
        throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_POLICY);
      }
      TablePolicy match = all.stream().filter(p -> p.table().equals(name)).findFirst().orElseThrow(() ->
          ApplicationFailure.newNonRetryableFailure("table " + name + " is not in the policy; known tables: "
              + all.stream().map(p -> p.table().toString()).collect(Collectors.joining(", ")),
              Failures.INVALID_POLICY));
      out.add(match);
    }
    return List.copyOf(out);
  }
}

import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import java.util.List;

/**
 * Benchmark harness (bench/scale.sh): what the last on-demand pass cost Temporal. Reads the history of the latest
 * run of {@code partition-maintenance} and of every child it started, and prints one line:
 * {@code events E activities A children C run_s S} -- history events and scheduled activities of the pass and its
 * children together, and the run's duration from its first to its last history event (the pass as the server saw
 * it: policy load, survey, children; not the CLI's JVM).
 *
 * <p>Usage: {@code java -cp partition-keeper.jar:CLASSES PassStats HOST:PORT}
 */
public class PassStats {
  public static void main(String[] args) throws Exception {
    try (TemporalConnection conn = TemporalConnection.to(args[0], "default")) {
      WorkflowExecutionHistory pass = conn.client().fetchHistory(MaintenanceWorkflow.WORKFLOW_ID);
      List<HistoryEvent> events = pass.getEvents();
      long total = events.size();
      long activities = activities(events);
      List<WorkflowExecution> children = events.stream()
          .filter(HistoryEvent::hasChildWorkflowExecutionStartedEventAttributes)
          .map(e -> e.getChildWorkflowExecutionStartedEventAttributes().getWorkflowExecution()).toList();
      for (WorkflowExecution c : children) {
        List<HistoryEvent> ce = conn.client().fetchHistory(c.getWorkflowId(), c.getRunId()).getEvents();
        total += ce.size();
        activities += activities(ce);
      }
      double seconds = (millis(events.get(events.size() - 1)) - millis(events.get(0))) / 1000.0;
      System.out.printf("events %d activities %d children %d run_s %.3f%n", total, activities, children.size(),
          seconds);
    }
  }

  private static long activities(List<HistoryEvent> events) {
    return events.stream().filter(HistoryEvent::hasActivityTaskScheduledEventAttributes).count();
  }

  private static long millis(HistoryEvent e) {
    return e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
  }
}

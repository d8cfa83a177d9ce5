import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.util.List;

/**
 * Benchmark harness (bench/fleet.sh): what the last on-demand fleet pass cost Temporal. Reads the history of the
 * latest run of {@code partition-maintenance}, of every database's child and of every table's child under them,
 * and prints one line: {@code events E activities A databases D tables T run_s S} -- history events and scheduled
 * activities of the whole tree, the database children and the table children, and the run's duration from its
 * first to its last history event.
 *
 * <p>Usage: {@code java -cp partition-keeper.jar:CLASSES FleetPassStats HOST:PORT}
 */
public class FleetPassStats {
  private long events;
  private long activities;
  private long databases;
  private long tables;

  public static void main(String[] args) throws Exception {
    try (TemporalConnection conn = TemporalConnection.to(args[0], "default")) {
      WorkflowClient client = conn.client();
      List<HistoryEvent> pass = client.fetchHistory(MaintenanceWorkflow.WORKFLOW_ID).getEvents();
      FleetPassStats s = new FleetPassStats();
      s.add(client, pass, 0);
      double seconds = (millis(pass.get(pass.size() - 1)) - millis(pass.get(0))) / 1000.0;
      System.out.printf("events %d activities %d databases %d tables %d run_s %.3f%n", s.events, s.activities,
          s.databases, s.tables, seconds);
    }
  }

  private void add(WorkflowClient client, List<HistoryEvent> history, int depth) {
    events += history.size();
    activities += history.stream().filter(HistoryEvent::hasActivityTaskScheduledEventAttributes).count();
    List<WorkflowExecution> children = history.stream()
        .filter(HistoryEvent::hasChildWorkflowExecutionStartedEventAttributes)
        .map(e -> e.getChildWorkflowExecutionStartedEventAttributes().getWorkflowExecution()).toList();
    for (WorkflowExecution c : children) {
      if (depth == 0) {
        databases++;
      } else {
        tables++;
      }
      add(client, client.fetchHistory(c.getWorkflowId(), c.getRunId()).getEvents(), depth + 1);
    }
  }

  private static long millis(HistoryEvent e) {
    return e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
  }
}

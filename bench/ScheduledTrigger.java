import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.schedule.MaintenanceClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Benchmark harness (bench/writer_stall.sh, variant pk_worker): stands in for the Temporal Schedule, which
 * asks for a pass without any process starting on the database host. It is started, connected and warmed
 * up before the load; then it waits for a file holding the epoch second to fire at (written by the script once
 * the run's t0 is known), sleeps until then and asks the running worker for a pass with the same update as
 * {@code partition-keeper maintain --wait}. Prints the pass's report as JSON on stdout.
 *
 * <p>Usage: {@code java -cp partition-keeper.jar:CLASSES ScheduledTrigger HOST:PORT CONFIG FIRE_AT_FILE}
 */
public class ScheduledTrigger {
  public static void main(String[] args) throws Exception {
    WorkerConfig cfg = WorkerConfig.load(Path.of(args[1]), System.getenv());
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try (TemporalConnection conn = TemporalConnection.to(args[0], "default")) {
      MaintenanceClient client = new MaintenanceClient(conn.client(), cfg.taskQueue(), cfg.source(), false);
      // warm the request path (serialization, the update call) with a dry run, before the load starts
      json.writeValueAsString(client.requestAndWait(new MaintenanceRequest(List.of(), true, "bench warm-up")));
      System.err.println("ready");
      Path fireAt = Path.of(args[2]);
      while (!Files.exists(fireAt) || Files.readString(fireAt).isBlank()) {
        Thread.sleep(10);
      }
      long at = Math.round(Double.parseDouble(Files.readString(fireAt).trim()) * 1000);
      long wait = at - System.currentTimeMillis();
      if (wait > 0) {
        Thread.sleep(wait);
      }
      System.err.println("fired at " + System.currentTimeMillis());
      MaintenanceReport report = client.requestAndWait(new MaintenanceRequest(List.of(), false, "bench"));
      System.out.println(json.writeValueAsString(report));
      System.exit(report.failed() ? 1 : 0);
    }
  }
}

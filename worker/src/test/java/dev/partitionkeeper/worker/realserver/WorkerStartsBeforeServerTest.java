package dev.partitionkeeper.worker.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.chaos.ArchiveWatch;
import dev.partitionkeeper.worker.chaos.ChaosPass;
import dev.partitionkeeper.worker.chaos.ChaosTables;
import dev.partitionkeeper.worker.chaos.Invariant;
import dev.partitionkeeper.worker.chaos.WorkerProcess;
import dev.partitionkeeper.worker.chaos.Writers;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.dev.TemporalDevServer;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.TableReport;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production {@code worker} command started before its Temporal server (a machine that boots both, a
 * deployment that starts them together) waits for the server, says so, and runs passes once it is up.
 */
@Tag(DevServerExtension.TAG)
@Tag("postgres")
@Tag("chaos")
class WorkerStartsBeforeServerTest {
    @RegisterExtension
    static DevServerExtension temporal = DevServerExtension.startedByTest();

    @Test
    void theWorkerCommandWaitsForTheServerAndRunsAPassOnceItIsUp(@TempDir Path dir) throws Exception {
        ChaosTables tables = ChaosTables.forPasses(1);
        String url = PgTestSupport.newDatabase("before_server");
        tables.create(url);
        Path archive = dir.resolve("archive");
        Path config = dir.resolve("partition-keeper.yaml");
        String queue = "before-server-" + System.nanoTime();
        Files.writeString(config, tables.config(url, queue, 0, "archive:\n  location: " + archive + "\n"));
        int port = freePort();
        String target = "127.0.0.1:" + port;
        Path log = Path.of("target", "chaos-logs", "before-server-" + System.currentTimeMillis(), "worker.log");

        try (WorkerProcess worker = WorkerProcess.spawn(
                Main.class.getName(),
                List.of("worker", "-c", config.toString()),
                log,
                Map.of("TEMPORAL_ADDRESS", target, "TEMPORAL_NAMESPACE", "default"))) {
            worker.awaitLog("waiting for Temporal at " + target, Duration.ofSeconds(60));
            TemporalDevServer server = temporal.start(port);
            worker.awaitLog("Temporal at " + target + " namespace default answers after", Duration.ofSeconds(60));
            worker.awaitLog("worker started on task queue " + queue, Duration.ofSeconds(60));

            try (TemporalConnection client = TemporalConnection.to(server.target(), "default");
                    ArchiveStore store = new FileSystemArchiveStore(archive);
                    Writers writers = new Writers(
                                    url,
                                    ChaosTables.TABLES,
                                    Duration.ofDays(tables.days() + 1),
                                    tables.seedRows() + 1,
                                    11)
                            .start(1)) {
                MaintenanceReport report = ChaosPass.run(
                        client.client(),
                        queue,
                        "before-server",
                        Duration.ofMinutes(2),
                        () -> assertTrue(worker.isAlive(), () -> "the worker exited: " + worker.tail()));
                for (TableReport t : report.tables()) {
                    // "attention": the writers' rows in events_a's DEFAULT partition, as in the chaos suite
                    assertTrue(
                            t.status().equals(TableReport.OK) || t.status().equals(TableReport.ATTENTION),
                            report::toString);
                }
                writers.pause();
                Invariant.Result r =
                        new Invariant(url, store, new ArchiveWatch(store)).check(tables.seedRows(), writers);
                assertTrue(r.problems().isEmpty(), () -> r.census() + "\n" + String.join("\n", r.problems()));
                assertEquals(2L * ChaosTables.TABLES.size(), r.census().droppedArchives(), r.census()::toString);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package dev.partitionkeeper.worker.realserver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.chaos.ChaosSettings;
import dev.partitionkeeper.worker.chaos.FaultScenario;
import dev.partitionkeeper.worker.chaos.Invariant;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Temporal server (on a SQLite file) is SIGKILLed while an export runs and started again on the same
 * file and port a few seconds later (30 s with {@code -Pchaos}). The worker keeps its process and its running
 * export; the pass, its history read back from the file, completes; the chaos suite's invariant holds:
 * every row in exactly one of attached / detached / verified archive, no archive written twice, nothing
 * dropped unverified.
 */
@Tag(DevServerExtension.TAG)
@Tag("postgres")
@Tag("chaos")
class ServerRestartChaosTest {
    @RegisterExtension
    static DevServerExtension temporal = DevServerExtension.persistent();

    @Test
    void aPassWithAnExportInFlightCompletesAfterTheServerIsKilledAndStartedAgain(@TempDir Path dir) throws Exception {
        ChaosSettings settings = ChaosSettings.fromSystemProperties();
        String url = PgTestSupport.newDatabase("chaos_temporal");
        Path archive = dir.resolve("archive");
        // the server's own client is replaced on restart; the test's must outlive it
        try (TemporalConnection client = TemporalConnection.to(temporal.target(), "default");
                ArchiveStore store = new FileSystemArchiveStore(archive)) {
            long[] pids = new long[2];
            FaultScenario.Outcome out = FaultScenario.run(
                    new FaultScenario.Server(temporal.target(), client.client(), true),
                    "temporal-restart",
                    url,
                    dir,
                    "archive:\n  location: " + archive + "\n",
                    store,
                    Map.of(),
                    FaultScenario.Trigger.MID_EXPORT,
                    settings.temporalDown(),
                    new FaultScenario.Fault() {
                        @Override
                        public void begin() {
                            pids[0] = temporal.server().pid();
                            temporal.server().kill();
                        }

                        @Override
                        public void end() {
                            temporal.server().restart();
                            pids[1] = temporal.server().pid();
                        }
                    });
            assertTrue(
                    pids[0] != 0 && pids[1] != 0 && pids[0] != pids[1],
                    () -> "the server was not restarted (pids " + pids[0] + ", " + pids[1] + "): " + out);
            assertTrue(
                    out.invariant().census().droppedArchives() == 4,
                    () -> "four partitions archived and dropped: " + out);
            // an export that finished while the server was down reports to a server that has timed it out and retried
            // it; the retry finds the archive and logs "already done"
            System.out.println("temporal-restart action log: " + Invariant.actionSummary(url));
            List<String> twice = Invariant.stepsDoneTwice(url);
            assertTrue(twice.isEmpty(), () -> "steps done twice: " + twice + "; " + out);
        }
    }
}

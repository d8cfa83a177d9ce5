package dev.partitionkeeper.worker.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.TableReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded random schedule of SIGKILLs of the worker process during passes, while writers insert: after
 * every pass the no-loss invariant ({@link Invariant}) holds and the pass completed. Short form: 3 passes
 * with a kill; {@code -Pchaos}: 20. A warm pass lasts under a second, so a kill can come after its last step
 * (the supervisor only kills while a step runs): such a pass is checked like the others but does not count,
 * and another pass runs in its place (at most as many extra passes as planned ones).
 */
@Tag("chaos")
@Tag("postgres")
class WorkerKillChaosTest {

    @Test
    void sigkilledWorkersLoseNoRowWriteNoArchiveTwiceAndEveryPassCompletes(@TempDir Path dir) throws Exception {
        ChaosSettings settings = ChaosSettings.fromSystemProperties();
        System.out.println(settings);
        int maxPasses = 2 * settings.passes();
        ChaosTables tables = ChaosTables.forPasses(maxPasses);
        String url = PgTestSupport.newDatabase("chaos_kill");
        tables.create(url);
        Path archive = dir.resolve("archive");
        Path config = dir.resolve("partition-keeper.yaml");
        String queue = "chaos-kill-" + System.nanoTime();
        Random schedule = new Random(settings.seed());
        List<String> kills = new ArrayList<>();
        int passesWithKills = 0;
        try (EmbeddedTemporal temporal = EmbeddedTemporal.start();
                ArchiveStore store = new FileSystemArchiveStore(archive);
                Writers writers = new Writers(
                                url,
                                ChaosTables.TABLES,
                                Duration.ofDays(tables.days() + 1),
                                tables.seedRows() + 1,
                                settings.seed())
                        .start(2);
                KillingSupervisor workers = new KillingSupervisor(
                        config,
                        temporal.target(),
                        Path.of("target", "chaos-logs", "kill-" + settings.seed()),
                        url,
                        schedule)) {
            ArchiveWatch watch = new ArchiveWatch(store);
            Invariant invariant = new Invariant(url, store, watch);
            for (int pass = 0; passesWithKills < settings.passes() && pass < maxPasses; pass++) {
                Files.writeString(config, tables.config(url, queue, pass, "archive:\n  location: " + archive + "\n"));
                workers.plan(
                        1 + schedule.nextInt(settings.maxKillsPerPass()),
                        temporal.connection().client());
                long[] lastLook = {0};
                long t0 = System.nanoTime();
                MaintenanceReport report = ChaosPass.run(
                        temporal.connection().client(), queue, "chaos-kill-pass-" + pass, Duration.ofMinutes(5), () -> {
                            workers.tick();
                            if (System.nanoTime() - lastLook[0] > 300_000_000L) {
                                watch.look();
                                lastLook[0] = System.nanoTime();
                            }
                        });
                for (TableReport t : report.tables()) {
                    assertTrue(
                            t.status().equals(TableReport.OK) || t.status().equals(TableReport.ATTENTION),
                            () -> settings + "\n" + report);
                }
                writers.pause();
                Invariant.Result r;
                try {
                    r = invariant.check(tables.seedRows(), writers);
                } finally {
                    writers.resume();
                }
                String line = "pass " + pass + " done in " + (System.nanoTime() - t0) / 1_000_000 + " ms, kills "
                        + workers.killsThisPass() + ", writers " + writers + ", " + r.census();
                System.out.println(line);
                kills.addAll(workers.killsThisPass());
                if (!workers.killsThisPass().isEmpty()) {
                    passesWithKills++;
                }
                assertTrue(
                        r.problems().isEmpty(), () -> settings + "\n" + line + "\n" + String.join("\n", r.problems()));
                // every pass finished its whole chain: two partitions of each table detached, archived and dropped
                assertEquals(
                        2L * ChaosTables.TABLES.size() * (pass + 1), r.census().droppedArchives(), () -> line);
            }
        }
        int killed = passesWithKills;
        assertTrue(
                killed >= settings.passes(),
                () -> killed + " of " + maxPasses + " passes had a kill, " + settings.passes() + " needed: " + kills);
        System.out.println("kills: " + kills);
    }
}

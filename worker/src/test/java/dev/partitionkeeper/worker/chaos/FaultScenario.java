package dev.partitionkeeper.worker.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.TableReport;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * One pass with one fault: the chaos tables (the first pass's partitions heavy enough for a fault to land
 * mid-export), writers, a worker process, and a fault that begins when the trigger fires and ends after
 * {@code outage}. Afterwards: the pass completed, it completed after the fault ended, a step was retried
 * during the fault, and the no-loss invariant holds.
 */
public final class FaultScenario {
    public static final int HEAVY_ROWS = 6_000;

    /** What breaks and how it is repaired. */
    public interface Fault {
        void begin() throws Exception;

        void end() throws Exception;
    }

    /** When the fault begins. */
    public enum Trigger {
        /** An export is running: its COPY of the detached table is open on the worker's connection. */
        MID_EXPORT,
        /** A detach has started (its intent is recorded). */
        MID_DETACH
    }

    public record Outcome(
            MaintenanceReport report,
            String trigger,
            long faultMillis,
            long passMillis,
            FaultProbe probe,
            Invariant.Result invariant,
            Writers writers) {
        @Override
        public String toString() {
            return "fault " + faultMillis + " ms (began " + trigger + "), pass " + passMillis + " ms, retried steps "
                    + probe.retried() + " (max attempt " + probe.maxAttempt() + "), writers " + writers + ", "
                    + invariant.census();
        }
    }

    private FaultScenario() {}

    /** The Temporal server the pass runs on, and how the worker processes use it. */
    public record Server(String target, WorkflowClient client, boolean stickyQueues) {}

    /** On the SDK's test server; a step must have been retried during the fault. */
    static Outcome run(
            String name,
            String url,
            Path dir,
            String archiveYaml,
            ArchiveStore store,
            Map<String, String> env,
            Trigger trigger,
            Duration outage,
            Fault fault)
            throws Exception {
        try (EmbeddedTemporal temporal = EmbeddedTemporal.start()) {
            Outcome out = run(
                    new Server(temporal.target(), temporal.connection().client(), false),
                    name,
                    url,
                    dir,
                    archiveYaml,
                    store,
                    env,
                    trigger,
                    outage,
                    fault);
            assertTrue(out.probe().maxAttempt() > 1, () -> "no step was retried during the fault: " + out);
            return out;
        }
    }

    /**
     * On {@code server}, which may itself be the fault (a server restart need not fail any step: the caller says
     * what evidence it wants).
     */
    public static Outcome run(
            Server server,
            String name,
            String url,
            Path dir,
            String archiveYaml,
            ArchiveStore store,
            Map<String, String> env,
            Trigger trigger,
            Duration outage,
            Fault fault)
            throws Exception {
        ChaosTables tables = ChaosTables.forPasses(1).withHeavyOldestDays(HEAVY_ROWS);
        tables.create(url);
        Path config = dir.resolve("partition-keeper.yaml");
        String queue = "chaos-" + name + "-" + System.nanoTime();
        Files.writeString(config, tables.config(url, queue, 0, archiveYaml));
        Map<String, String> workerEnv = new HashMap<>(env);
        if (server.stickyQueues()) {
            workerEnv.put(ChaosWorkerMain.STICKY_ENV, "true");
        }
        WorkflowClient client = server.client();
        try (Writers writers = new Writers(
                                url, ChaosTables.TABLES, Duration.ofDays(tables.days() + 1), tables.seedRows() + 1, 7)
                        .start(2);
                KillingSupervisor workers = new KillingSupervisor(
                        config,
                        server.target(),
                        Path.of("target", "chaos-logs", name + "-" + System.currentTimeMillis()),
                        url,
                        new Random(7),
                        workerEnv)) {
            workers.plan(0, client);
            FaultProbe probe = new FaultProbe(client);
            ArchiveWatch watch = new ArchiveWatch(store);
            long[] lastLook = {0};
            long[] began = {0};
            long[] ended = {0};
            String[] fired = {null};
            Connection[] triggerConnection = {null};
            long t0 = System.nanoTime();
            MaintenanceReport report = ChaosPass.run(
                    client, queue, "chaos-" + name, Duration.ofMinutes(4).plus(outage.multipliedBy(2)), () -> {
                        workers.tick();
                        if (began[0] == 0) {
                            String why = fired(triggerConnection, url, trigger);
                            if (why != null) {
                                close(triggerConnection[0]);
                                fault.begin();
                                began[0] = System.nanoTime();
                                fired[0] = why;
                            }
                        } else if (ended[0] == 0) {
                            probe.look();
                            if (System.nanoTime() - began[0] >= outage.toNanos()) {
                                fault.end();
                                ended[0] = System.nanoTime();
                            }
                        }
                        // "no archive written twice" needs looks during the pass; not during the fault, which may be
                        // the store's
                        if ((began[0] == 0 || ended[0] != 0) && System.nanoTime() - lastLook[0] > 300_000_000L) {
                            watch.look();
                            lastLook[0] = System.nanoTime();
                        }
                    });
            long passEnd = System.nanoTime();
            close(triggerConnection[0]);
            if (began[0] != 0 && ended[0] == 0) {
                fault.end();
                ended[0] = System.nanoTime();
            }
            assertTrue(began[0] != 0, "the trigger " + trigger + " never fired: the fault was not injected");
            assertTrue(passEnd >= ended[0], "the pass completed while the fault was still on: " + report);
            for (TableReport t : report.tables()) {
                assertTrue(
                        t.status().equals(TableReport.OK) || t.status().equals(TableReport.ATTENTION),
                        report::toString);
            }
            writers.pause();
            Invariant.Result inv = new Invariant(url, store, watch).check(tables.seedRows(), writers);
            Outcome out = new Outcome(
                    report,
                    fired[0],
                    (ended[0] - began[0]) / 1_000_000,
                    (passEnd - t0) / 1_000_000,
                    probe,
                    inv,
                    writers);
            System.out.println(name + ": " + out);
            assertTrue(inv.problems().isEmpty(), () -> out + "\n" + String.join("\n", inv.problems()));
            return out;
        }
    }

    /** Null until the trigger fires, then what was seen. */
    private static String fired(Connection[] conn, String url, Trigger trigger) {
        try {
            if (conn[0] == null || conn[0].isClosed()) {
                conn[0] = DriverManager.getConnection(url);
            }
        } catch (SQLException e) {
            return null;
        }
        try (var s = conn[0].createStatement()) {
            if (trigger == Trigger.MID_EXPORT) {
                try (var rs = s.executeQuery(
                        "SELECT left(query, 60) FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND pid <> pg_backend_pid() AND state <> 'idle' AND query ILIKE 'COPY%TO STDOUT%' LIMIT 1")) {
                    if (rs.next()) {
                        return "mid-export (" + rs.getString(1) + "…)";
                    }
                }
                // fallback, so a very fast export cannot make the test miss its fault: an export just finished
                try (var rs = s.executeQuery("SELECT partition_name FROM partition_keeper.partition_lifecycle"
                        + " WHERE exported_at IS NOT NULL LIMIT 1")) {
                    return rs.next() ? "just after the export of " + rs.getString(1) : null;
                }
            }
            try (var rs = s.executeQuery("SELECT partition_name FROM partition_keeper.partition_lifecycle LIMIT 1")) {
                return rs.next() ? "mid-detach of " + rs.getString(1) : null;
            }
        } catch (SQLException e) {
            return null; // the bookkeeping schema does not exist yet
        }
    }

    private static void close(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // it served its purpose
        }
    }
}

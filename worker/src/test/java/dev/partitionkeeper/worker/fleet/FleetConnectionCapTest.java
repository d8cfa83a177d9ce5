package dev.partitionkeeper.worker.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.PassRunner;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.testing.EmbeddedTemporalExtension;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.TableReport;
import io.temporal.client.WorkflowClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pass over 50 databases with room for few pools, run by two workers on one task queue: {@code
 * pg_stat_activity}, sampled every few milliseconds through the pass, never shows more of the fleet's connections
 * than {@code postgres.max_connections_total}, nor more databases with a connection than {@code
 * postgres.max_databases_per_server}, for both workers together; and every table is maintained.
 */
@Tag("postgres")
class FleetConnectionCapTest {
    static final int DATABASES = 50;
    static final int CAP = 6;
    static final int PER_SERVER = 3;

    @RegisterExtension
    static final EmbeddedTemporalExtension temporal = new EmbeddedTemporalExtension();

    @Test
    void aFiftyDatabasePassStaysUnderTheConnectionCap() throws Exception {
        String hint = "cap" + Long.toHexString(System.nanoTime() & 0xffffff);
        List<String> dbs = FleetTestSupport.databases(hint, DATABASES, false);
        String prefix = FleetTestSupport.commonPrefix(dbs);
        String yaml = FleetTestSupport.yaml(
                        "  pool_size: 2\n  max_connections_total: " + CAP + "\n  max_databases_per_server: "
                                + PER_SERVER + "\n  connect_timeout: 20s\n  pool_idle_close: 1s\n",
                        "  - pattern: '" + prefix + "%'\n",
                        "  - table: public.events\n    interval: daily\n    premake: 1\n")
                // each worker runs at most 4 steps at once: with 10 databases in flight, both workers have steps to run
                .replace("temporal:\n", "temporal:\n  database_parallelism: 10\n  max_concurrent_activities: 4\n");
        String queue = "fleet-cap-" + System.nanoTime();
        WorkerConfig cfg = FleetTestSupport.config(yaml, queue);
        WorkflowClient client = temporal.client();
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger maxConnections = new AtomicInteger();
        AtomicInteger maxDatabases = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        Thread sampler = new Thread(() -> sample(prefix, sampling, maxConnections, maxDatabases, samples));
        // two workers on the task queue: the bounds hold for both together (their slots in the database of
        // postgres.url)
        try (WorkerRuntime rt = FleetTestSupport.worker(client, cfg, null);
                WorkerRuntime other = FleetTestSupport.worker(client, cfg, null)) {
            rt.start();
            other.start();
            sampler.start();
            MaintenanceReport report = PassRunner.run(client, queue, MaintenanceRequest.all("fifty databases"));
            sampling.set(false);
            sampler.join();
            assertEquals(DATABASES, report.tables().size());
            for (TableReport r : report.tables()) {
                assertEquals(TableReport.OK, r.status(), r::toString);
                assertEquals(1, r.layout().runwayPartitions(), r::toString);
            }
            assertTrue(samples.get() > 20, () -> "sampled " + samples.get() + " times");
            assertTrue(maxConnections.get() > 0, "the sampler saw the fleet's connections");
            assertTrue(
                    maxConnections.get() <= CAP,
                    () -> "at most " + CAP + " connections, pg_stat_activity showed " + maxConnections.get());
            assertTrue(
                    maxDatabases.get() <= PER_SERVER,
                    () -> "at most " + PER_SERVER + " databases at once, showed " + maxDatabases.get());
            assertTrue(
                    rt.fleetPools().peakConnections() > 0 && other.fleetPools().peakConnections() > 0,
                    "both workers had steps to run");
            assertTrue(
                    rt.fleetPools().peakConnections() <= CAP
                            && other.fleetPools().peakConnections() <= CAP,
                    "the pools never reserved more than the cap");
        } finally {
            sampling.set(false);
        }
    }

    private static void sample(
            String prefix,
            AtomicBoolean sampling,
            AtomicInteger maxConnections,
            AtomicInteger maxDatabases,
            AtomicInteger samples) {
        try (Connection c = DriverManager.getConnection(PgTestSupport.adminUrl());
                PreparedStatement s = c.prepareStatement("SELECT count(*), count(DISTINCT datname) FROM"
                        + " pg_stat_activity WHERE datname LIKE ? AND application_name = 'partition-keeper'")) {
            s.setString(1, prefix + "%");
            while (sampling.get()) {
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    maxConnections.accumulateAndGet(rs.getInt(1), Math::max);
                    maxDatabases.accumulateAndGet(rs.getInt(2), Math::max);
                    samples.incrementAndGet();
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

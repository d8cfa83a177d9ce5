package dev.partitionkeeper.worker.metrics;

import static dev.partitionkeeper.worker.metrics.MaintenanceMetricsTest.assertSample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.PassRunner;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real worker over gRPC on the standalone Temporal test server and a real PostgreSQL, with the
 * metrics endpoint up: a pass shows in the counters and the database gauges, Temporal's own meters are
 * scraped, the gauges are right straight after a restart, and readiness follows PostgreSQL.
 */
@Tag("postgres")
class ObservabilityEndToEndTest {
    private static final Pattern URL_TARGET = Pattern.compile("jdbc:postgresql://([^/:?]+):(\\d+)/");
    private static final String T = "table=\"public.transactions\"";
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void passShowsInMetricsGaugesSurviveARestartAndReadinessFollowsPostgres() throws Exception {
        String url = PgTestSupport.newDatabase("observability");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 50);
        Matcher target = URL_TARGET.matcher(url);
        assertTrue(target.find(), url);
        String queue = "obs-" + System.nanoTime();
        WorkerConfig cfg = WorkerConfig.parse(
                        "test",
                        DemoData.policyYaml(),
                        Map.of("PK_METRICS_PORT", "0", "PK_METRICS_ADDRESS", "127.0.0.1"))
                .withTaskQueue(queue);

        try (TcpProxy proxy = new TcpProxy(target.group(1), Integer.parseInt(target.group(2)));
                EmbeddedTemporal temporal = EmbeddedTemporal.start()) {
            String viaProxy = target.replaceFirst("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/");
            // as the worker command wires it: scope into the stubs, listener into the runtime, then start
            Observability obs = Observability.create(cfg.metrics(), cfg.bookkeepingSchema(), Duration.ofMillis(200));
            WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                    .setTarget(temporal.target())
                    .setMetricsScope(obs.temporalScope())
                    .build());
            WorkflowClient client = WorkflowClient.newInstance(
                    stubs,
                    WorkflowClientOptions.newBuilder().setNamespace("default").build());
            WorkerRuntime rt = new WorkerRuntime(
                    client, cfg, new PostgresSettings(viaProxy, null, null, 4), cfg::tables, obs.listener());
            boolean[] polling = {false};
            BooleanSupplier live = () -> polling[0]; // WorkerRuntime has no polling accessor yet
            obs.start(rt.dataSource(), cfg::tables, live, TemporalHealth.of(stubs));
            int port = obs.port();
            assertEquals(503, get(port, "/health/live").statusCode(), "not live before the worker polls");
            rt.start();
            polling[0] = true;
            try {
                PassRunner.run(client, queue, MaintenanceRequest.all("observability test"));

                String m = get(port, "/metrics").body();
                // what the pass did: two partitions created (three strays moved out of the default), one detached
                assertSample(m, "partition_keeper_created_partitions_total{" + T + "} 2.0");
                assertSample(m, "partition_keeper_default_rows_moved_total{" + T + "} 3.0");
                assertSample(m, "partition_keeper_detached_partitions_total{" + T + "} 1.0");
                assertSample(m, "partition_keeper_verification_failures_total{" + T + "} 0.0");
                assertSample(m, "partition_keeper_table_passes_total{layout=\"attention\"," + T + "} 1.0");
                assertSample(
                        m,
                        "partition_keeper_step_duration_seconds_count{outcome=\"done\",step=\"create\"," + T + "} 2");
                // what the database says now (the pass marked the gauges stale, so this scrape read them)
                assertSample(m, "partition_keeper_runway_partitions{" + T + "} 3.0");
                assertSample(m, "partition_keeper_premake_partitions{" + T + "} 3.0");
                assertSample(m, "partition_keeper_default_partition_rows{" + T + "} 2.0");
                assertSample(m, "partition_keeper_table_readable{" + T + "} 1.0");
                assertSample(m, "partition_keeper_detached_unverified_partitions{" + T + "} 0.0"); // detach_only policy
                assertBetween(m, "partition_keeper_runway_seconds", 3 * 28 * 86400.0, 4 * 31 * 86400.0);
                assertBetween(m, "partition_keeper_last_successful_pass_age_seconds", 0, 120);
                // the Temporal SDK's meters, each with the update_name label Prometheus needs on all of them
                String withTemporal = awaitScrape(port, "temporal_workflow_completed_total{");
                assertTrue(
                        withTemporal
                                .lines()
                                .filter(l -> l.startsWith("temporal_"))
                                .allMatch(l -> l.contains("update_name=")),
                        withTemporal);

                HttpResponse<String> health = get(port, "/health");
                assertEquals(200, health.statusCode(), health.body());
                assertTrue(health.body().contains("\"status\":\"UP\""), health.body());

                proxy.stop(); // PostgreSQL goes away
                HttpResponse<String> ready = get(port, "/health/ready");
                assertEquals(503, ready.statusCode(), ready.body());
                assertTrue(ready.body().contains("\"postgres\":{\"up\":false"), ready.body());
                assertTrue(ready.body().contains("\"temporal\":{\"up\":true}"), ready.body());
                assertEquals(200, get(port, "/health/live").statusCode(), "still polling: live, not ready");
                assertEquals(503, get(port, "/health").statusCode());
            } finally {
                rt.close();
                obs.close();
                stubs.shutdownNow();
            }
        }

        // A restart: a new process knows nothing, yet its first scrape has the gauges from the database.
        MetricsSettings settings = cfg.metrics();
        try (HikariDataSource ds = PgDataSources.create(url, null, null, 2);
                Observability restarted = Observability.create(settings, cfg.bookkeepingSchema())) {
            restarted.start(ds, cfg::tables, () -> true, () -> true);
            String m = get(restarted.port(), "/metrics").body();
            assertSample(m, "partition_keeper_runway_partitions{" + T + "} 3.0");
            assertSample(m, "partition_keeper_default_partition_rows{" + T + "} 2.0");
            assertBetween(m, "partition_keeper_last_successful_pass_age_seconds", 0, 300);
            assertSample(m, "partition_keeper_created_partitions_total{" + T + "} 0.0"); // counters start again
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(15))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Temporal's scope reports every 200 ms here; wait for it. */
    private String awaitScrape(int port, String needle) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String body;
        do {
            body = get(port, "/metrics").body();
            if (body.contains(needle)) {
                return body;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no " + needle + " in\n" + body);
    }

    private static void assertBetween(String scrape, String metric, double min, double max) {
        OptionalDouble v = scrape.lines()
                .filter(l -> l.startsWith(metric + "{" + T + "}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst();
        assertTrue(v.isPresent(), () -> "no " + metric + " in\n" + scrape);
        assertTrue(
                v.getAsDouble() >= min && v.getAsDouble() <= max,
                () -> metric + " = " + v.getAsDouble() + ", expected between " + min + " and " + max);
    }
}

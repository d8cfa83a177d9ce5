package dev.partitionkeeper.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.ConfigException;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.testing.LogCapture;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's wiring logs its settings (PostgreSQL target, metrics endpoint) and HikariCP logs its
 * configuration at DEBUG; none of it may carry a password, whether it came in the JDBC URL or from the
 * password file, in the text format or in LOG_FORMAT=json.
 */
class SecretsNeverLoggedTest {

    @Test
    void passwordsFromTheUrlAndThePasswordFileNeverReachTheLog(@TempDir Path dir) throws Exception {
        String urlSecret = "url-secret-" + UUID.randomUUID();
        String fileSecret = "file-secret-" + UUID.randomUUID();
        Path passwordFile = dir.resolve("pg-password");
        Files.writeString(passwordFile, fileSecret + "\n");
        // nothing listens on port 1: every connection attempt fails, and failures are where URLs get quoted
        WorkerConfig cfg = WorkerConfig.parse("secrets.yaml", """
        postgres:
          url: jdbc:postgresql://127.0.0.1:1/app?user=keeper&password=%s&sslmode=disable
          password_file: %s
        metrics:
          address: 127.0.0.1
          port: 0
        tables:
          - table: public.events
            interval: daily
        """.formatted(urlSecret, passwordFile), Map.of());
        PostgresSettings pg = PostgresSettings.resolve(
                cfg.postgresUrl(), cfg.postgresUser(), cfg.postgresPasswordFile(), cfg.poolSize(), Map.of());
        assertEquals(fileSecret, pg.password(), "the password file was read");

        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:1")
                .build());
        try (LogCapture logs = new LogCapture()) {
            Observability obs = Observability.create(cfg);
            WorkerRuntime rt =
                    new WorkerRuntime(WorkflowClient.newInstance(stubs), cfg, pg, cfg::tables, obs.listener());
            obs.start(rt.dataSource(), cfg::tables, () -> true, TemporalHealth.of(stubs));
            HealthChecks.Status health = obs.health().all();
            assertFalse(health.ready(), "nothing listens on port 1");
            assertFalse(health.toJson().contains(urlSecret) || health.toJson().contains(fileSecret), health.toJson());
            // HikariCP's housekeeper tries (and logs) in the background: wait for its first word, at most 2 s
            long until = System.nanoTime() + 2_000_000_000L;
            while (logs.events().stream().noneMatch(e -> e.getLoggerName().startsWith("com.zaxxer.hikari"))
                    && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            // the factory never started; WorkerRuntime.close() would ask the (absent) server to shut the worker down
            rt.dataSource().close();
            obs.close();
            stubs.shutdownNow();

            String text = logs.text();
            String json = logs.json();
            assertTrue(
                    text.contains("connecting to PostgreSQL PostgresSettings[url=jdbc:postgresql://127.0.0.1:1/app?"
                            + "user=keeper&password=<masked>&sslmode=disable"),
                    "the wiring logs its settings, masked:\n" + text);
            assertTrue(text.contains("serving /metrics and /health on http://127.0.0.1:"), text);
            for (String secret : new String[] {urlSecret, fileSecret}) {
                assertFalse(text.contains(secret), "a password reached the log:\n" + text);
                assertFalse(json.contains(secret), "a password reached the JSON log:\n" + json);
            }
            assertTrue(json.lines().count() >= 2 && json.startsWith("{"), "JSON lines were written:\n" + json);
        }
    }

    @Test
    void settingsPrintMaskedInEveryUrlForm() {
        PostgresSettings s =
                new PostgresSettings("jdbc:postgresql://db:5432/app?user=u&password=hunter2", "u", "from-file", 8);
        assertEquals(
                "PostgresSettings[url=jdbc:postgresql://db:5432/app?user=u&password=<masked>, user=u,"
                        + " password=<masked>, poolSize=8]",
                s.toString());
        assertFalse(PostgresSettings.redactUrl("jdbc:postgresql://db/app?PASSWORD=hunter2")
                .contains("hunter2"));
        assertFalse(
                PostgresSettings.redactUrl("jdbc:postgresql://u:hunter2@db/app").contains("hunter2"));
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> PostgresSettings.resolve(
                        "postgresql://u:hunter2@db/app?password=hunter2", null, null, 8, Map.of()));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
}

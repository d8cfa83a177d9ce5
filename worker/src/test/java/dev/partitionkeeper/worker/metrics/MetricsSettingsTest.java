package dev.partitionkeeper.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.worker.config.ConfigException;
import dev.partitionkeeper.worker.config.WorkerConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsSettingsTest {
    private static final String TABLES = """
      tables:
        - table: public.events
          interval: daily
      """;

    @Test
    void defaultsWhenTheSectionIsAbsent() {
        MetricsSettings m = WorkerConfig.parse("t.yaml", TABLES, Map.of()).metrics();
        assertEquals(MetricsSettings.defaults(), m);
        assertTrue(m.enabled());
        assertEquals(9464, m.port());
        assertEquals("0.0.0.0", m.address());
        assertEquals(Duration.ofSeconds(60), m.gaugeRefresh());
        assertEquals(Duration.ofSeconds(15), m.gaugeMaxAge());
    }

    @Test
    void readsTheFile() {
        MetricsSettings m = WorkerConfig.parse("t.yaml", """
        metrics:
          enabled: false
          address: 127.0.0.1
          port: 9100
          gauge_refresh: 5m
          gauge_max_age: 0s
        """ + TABLES, Map.of()).metrics();
        assertEquals(new MetricsSettings(false, "127.0.0.1", 9100, Duration.ofMinutes(5), Duration.ZERO), m);
    }

    @Test
    void environmentOverridesTheFileByTheDocumentedRule() {
        MetricsSettings m = WorkerConfig.parse(
                        "t.yaml",
                        """
        metrics:
          port: 9100
        """ + TABLES,
                        Map.of(
                                "PK_METRICS_PORT",
                                "9200",
                                "PK_METRICS_GAUGE_REFRESH",
                                "30s",
                                "PK_METRICS_ENABLED",
                                "false"))
                .metrics();
        assertEquals(9200, m.port());
        assertEquals(Duration.ofSeconds(30), m.gaugeRefresh());
        assertFalse(m.enabled());
    }

    @Test
    void badValuesAreAllReportedNamingTheirSource() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> WorkerConfig.parse("t.yaml", """
        metrics:
          port: 70000
          gauge_refresh: 500ms
          enabled: maybe
        """ + TABLES, Map.of("PK_METRICS_GAUGE_MAX_AGE", "soon")));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("metrics.port must be between 0 and 65535 (e.g. 9464), got: 70000"), all);
        assertTrue(all.contains("metrics.gauge_refresh must be at least 1s"), all);
        assertTrue(all.contains("metrics.enabled must be true or false, got: \"maybe\""), all);
        assertTrue(all.contains("metrics.gauge_max_age (from PK_METRICS_GAUGE_MAX_AGE) must be a duration"), all);
    }

    @Test
    void unknownKeyInTheSectionListsTheKnownOnes() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> WorkerConfig.parse("t.yaml", """
        metrics:
          prot: 9100
        """ + TABLES, Map.of()));
        assertTrue(
                e.problems()
                        .get(0)
                        .contains(
                                "unknown key 'prot' in metrics; known keys: address, enabled, gauge_max_age, gauge_refresh, port"),
                e.problems().toString());
    }

    @Test
    void constructorRejectsImpossibleValuesQuotingThem() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> MetricsSettings.defaults().withPort(-1));
        assertEquals("metrics.port must be between 0 and 65535 (e.g. 9464), got: -1", e.getMessage());
    }
}

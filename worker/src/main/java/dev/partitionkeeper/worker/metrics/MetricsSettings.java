package dev.partitionkeeper.worker.metrics;

import static dev.partitionkeeper.worker.config.ConfigValues.duration;
import static dev.partitionkeeper.worker.config.ConfigValues.label;

import dev.partitionkeeper.worker.config.DurationText;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code metrics:} section of the configuration file: where {@code /metrics} and {@code /health}
 * are served and how fresh the database-backed gauges are.
 *
 * @param enabled serve the HTTP endpoints and refresh the gauges (default true)
 * @param address the address to bind (default {@code 0.0.0.0}, every interface, as a container needs)
 * @param port the port (default {@value #DEFAULT_PORT}; 0 picks a free one and logs it)
 * @param gaugeRefresh how often the gauges are recomputed from the database in the background (default 60 s)
 * @param gaugeMaxAge a scrape finding gauges older than this recomputes them first (default 15 s; 0 = every scrape)
 */
public record MetricsSettings(boolean enabled, String address, int port, Duration gaugeRefresh, Duration gaugeMaxAge) {

    public static final boolean DEFAULT_ENABLED = true;
    public static final String DEFAULT_ADDRESS = "0.0.0.0";
    /** The port the OpenTelemetry Prometheus exporter uses by default; free on most hosts. */
    public static final int DEFAULT_PORT = 9464;

    public static final Duration DEFAULT_GAUGE_REFRESH = Duration.ofSeconds(60);
    public static final Duration DEFAULT_GAUGE_MAX_AGE = Duration.ofSeconds(15);
    /** Below this the background refresh would mostly measure its own catalog reads. */
    public static final Duration MIN_GAUGE_REFRESH = Duration.ofSeconds(1);

    /** The keys of the {@code metrics:} section. */
    public static final Set<String> KEYS = Set.of("enabled", "address", "port", "gauge_refresh", "gauge_max_age");

    public MetricsSettings {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException(
                    "metrics.address must be a host name or IP address such as \"0.0.0.0\", got: \"" + address + "\"");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(
                    "metrics.port must be between 0 and 65535 (e.g. " + DEFAULT_PORT + "), got: " + port);
        }
        if (gaugeRefresh == null || gaugeRefresh.compareTo(MIN_GAUGE_REFRESH) < 0) {
            throw new IllegalArgumentException("metrics.gauge_refresh must be at least 1s (e.g. \"60s\"), got: "
                    + (gaugeRefresh == null ? "nothing" : DurationText.format(gaugeRefresh)));
        }
        if (gaugeMaxAge == null || gaugeMaxAge.isNegative()) {
            throw new IllegalArgumentException("metrics.gauge_max_age must be 0s or more (e.g. \"15s\"), got: "
                    + (gaugeMaxAge == null ? "nothing" : gaugeMaxAge));
        }
    }

    public static MetricsSettings defaults() {
        return new MetricsSettings(
                DEFAULT_ENABLED, DEFAULT_ADDRESS, DEFAULT_PORT, DEFAULT_GAUGE_REFRESH, DEFAULT_GAUGE_MAX_AGE);
    }

    public MetricsSettings withPort(int p) {
        return new MetricsSettings(enabled, address, p, gaugeRefresh, gaugeMaxAge);
    }

    public MetricsSettings withEnabled(boolean e) {
        return new MetricsSettings(e, address, port, gaugeRefresh, gaugeMaxAge);
    }

    /**
     * Reads {@code metrics.*} from the flattened configuration (file values with environment overrides
     * already applied). Every bad value is added to {@code problems}, naming the environment variable when
     * one set it; the defaults stand in for them.
     *
     * @param flat {@code section.key -> value}
     * @param fromEnv {@code section.key -> the environment variable that set it}
     */
    public static MetricsSettings from(Map<String, String> flat, Map<String, String> fromEnv, List<String> problems) {
        boolean enabled = DEFAULT_ENABLED;
        String e = flat.get("metrics.enabled");
        if (e != null) {
            switch (e.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> enabled = true;
                case "false", "no", "off" -> enabled = false;
                default ->
                    problems.add(label("metrics.enabled", fromEnv) + " must be true or false, got: \"" + e + "\"");
            }
        }
        String address = flat.getOrDefault("metrics.address", DEFAULT_ADDRESS);
        if (address.isBlank()) {
            problems.add(label("metrics.address", fromEnv) + " must be a host name or IP address such as \"0.0.0.0\","
                    + " got: \"" + address + "\"");
            address = DEFAULT_ADDRESS;
        }
        int port = DEFAULT_PORT;
        String p = flat.get("metrics.port");
        if (p != null) {
            try {
                port = Integer.parseInt(p.trim());
                if (port < 0 || port > 65_535) {
                    problems.add(label("metrics.port", fromEnv) + " must be between 0 and 65535 (e.g. " + DEFAULT_PORT
                            + "), got: " + port);
                    port = DEFAULT_PORT;
                }
            } catch (NumberFormatException ex) {
                problems.add(label("metrics.port", fromEnv) + " must be a port number such as " + DEFAULT_PORT
                        + ", got: \"" + p + "\"");
            }
        }
        Duration refresh = duration(flat, fromEnv, "metrics.gauge_refresh", DEFAULT_GAUGE_REFRESH, problems);
        if (refresh.compareTo(MIN_GAUGE_REFRESH) < 0) {
            problems.add(label("metrics.gauge_refresh", fromEnv) + " must be at least 1s (e.g. \"60s\"), got: \""
                    + flat.get("metrics.gauge_refresh") + "\"");
            refresh = DEFAULT_GAUGE_REFRESH;
        }
        Duration maxAge = duration(flat, fromEnv, "metrics.gauge_max_age", DEFAULT_GAUGE_MAX_AGE, problems);
        return new MetricsSettings(enabled, address, port, refresh, maxAge);
    }

    @Override
    public String toString() {
        return enabled
                ? "metrics on http://" + address + ":" + port + "/metrics (gauges refreshed every "
                        + DurationText.format(gaugeRefresh) + ", at most " + DurationText.format(gaugeMaxAge)
                        + " old on scrape)"
                : "metrics disabled";
    }
}

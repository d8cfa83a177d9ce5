package dev.partitionkeeper.worker.metrics;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl.MaintenanceListener;
import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metrics and health for one worker process, in two steps because the pieces need each other:
 *
 * <pre>{@code
 * Observability obs = Observability.create(cfg);                       // registry, listener, Temporal scope
 * // stubs built with .setMetricsScope(obs.temporalScope())
 * WorkerRuntime rt = new WorkerRuntime(client, cfg, pg, policy, obs.listener());
 * obs.start(rt.dataSource(), policy, rt::isPolling, TemporalHealth.of(stubs)); // gauges + HTTP server
 * rt.start();
 * ...
 * obs.close();                                                         // after the worker stopped
 * }</pre>
 *
 * With {@code metrics.enabled: false} nothing is served and the Temporal scope is a no-op; completed
 * passes are still recorded in the bookkeeping schema.
 */
public final class Observability implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Observability.class);
    /** How often the Temporal SDK's tally scope hands its meters to Micrometer. */
    public static final Duration TEMPORAL_REPORT_INTERVAL = Duration.ofSeconds(10);

    private final MetricsSettings settings;
    private final String bookkeepingSchema;
    private final PrometheusMeterRegistry registry;
    private final MaintenanceMetrics metrics;
    private final Scope temporalScope;
    private final Clock clock;
    private DatabaseGauges gauges;
    private HealthChecks health;
    private MetricsHttpServer server;

    private Observability(
            MetricsSettings settings, String bookkeepingSchema, Duration temporalReportInterval, Clock clock) {
        this.settings = settings;
        this.bookkeepingSchema = bookkeepingSchema;
        this.clock = clock;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new TemporalMeterFilter());
        this.metrics = new MaintenanceMetrics(registry);
        this.temporalScope = settings.enabled()
                ? new RootScopeBuilder()
                        .reporter(new MicrometerClientStatsReporter(registry))
                        .reportEvery(com.uber.m3.util.Duration.ofMillis(temporalReportInterval.toMillis()))
                : new NoopScope();
    }

    /** Step one: the registry, our listener and the Temporal scope, from the {@code metrics:} section. */
    public static Observability create(WorkerConfig cfg) {
        return create(cfg.metrics(), cfg.bookkeepingSchema());
    }

    public static Observability create(MetricsSettings settings, String bookkeepingSchema) {
        return new Observability(settings, bookkeepingSchema, TEMPORAL_REPORT_INTERVAL, Clock.systemUTC());
    }

    /** For tests: a short Temporal report interval so SDK meters show up within a test. */
    static Observability create(MetricsSettings settings, String bookkeepingSchema, Duration temporalReportInterval) {
        return new Observability(settings, bookkeepingSchema, temporalReportInterval, Clock.systemUTC());
    }

    /** For {@code WorkflowServiceStubsOptions.Builder.setMetricsScope}: the SDK's meters land in our registry. */
    public Scope temporalScope() {
        return temporalScope;
    }

    /** For {@code PostgresPartitionActivitiesImpl} (and the archive activities): our counters and timers. */
    public MaintenanceListener listener() {
        return metrics;
    }

    /** The same listener with its extra methods (e.g. {@link MaintenanceMetrics#exportedBytes}). */
    public MaintenanceMetrics maintenanceMetrics() {
        return metrics;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Step two: records completed passes in the database, starts the gauges and serves {@code /metrics}
     * and {@code /health}.
     *
     * @param dataSource the worker's pool (the gauges and the PostgreSQL check borrow one connection each)
     * @param policy the tables under policy, asked again on every refresh so policy edits show up
     * @param workerPolling liveness: the worker factory is started and not shut down
     * @param temporalReachable readiness: Temporal answers (see {@link TemporalHealth#of})
     */
    public synchronized Observability start(
            DataSource dataSource,
            Supplier<List<TablePolicy>> policy,
            BooleanSupplier workerPolling,
            BooleanSupplier temporalReachable) {
        return start(dataSource, null, policy, workerPolling, temporalReachable);
    }

    /**
     * As {@link #start(DataSource, Supplier, BooleanSupplier, BooleanSupplier)} for a fleet: {@code policy} gives the
     * tables of every database ({@link TablePolicy#database()}), {@code fleet} the connections of one; the gauges
     * of a fleet table carry its database as a label, and its passes are recorded in its own database.
     *
     * @param fleet null without a fleet
     */
    public synchronized Observability start(
            DataSource dataSource,
            Function<String, DataSource> fleet,
            Supplier<List<TablePolicy>> policy,
            BooleanSupplier workerPolling,
            BooleanSupplier temporalReachable) {
        if (health != null) {
            throw new IllegalStateException("Observability already started");
        }
        String schema = bookkeepingSchema == null ? Bookkeeping.DEFAULT_SCHEMA : bookkeepingSchema;
        metrics.recordPassesWith(new PassRecorder(dataSource, schema));
        if (fleet != null) {
            metrics.recordFleetPassesWith(db -> new PassRecorder(fleet.apply(db), schema));
        }
        health = new HealthChecks(workerPolling, temporalReachable, dataSource, HealthChecks.DEFAULT_TIMEOUT);
        if (!settings.enabled()) {
            log.info("metrics disabled (metrics.enabled: false): no /metrics or /health endpoint");
            return this;
        }
        gauges = new DatabaseGauges(
                registry,
                dataSource,
                fleet,
                new TableStateReader(schema),
                policy,
                settings,
                clock,
                p -> (p.database() == null ? metrics : metrics.forDatabase(p.database())).register(p.table()));
        metrics.onChange(gauges::invalidate);
        server = new MetricsHttpServer(settings.address(), settings.port(), registry, gauges, health);
        gauges.start();
        log.info(
                "serving /metrics and /health on http://{}:{} (gauges refreshed every {} s, at most {} s old on scrape)",
                settings.address(),
                server.port(),
                settings.gaugeRefresh().toSeconds(),
                settings.gaugeMaxAge().toSeconds());
        return this;
    }

    /** The port actually bound (metrics.port 0 picks one); -1 when not serving. */
    public int port() {
        return server == null ? -1 : server.port();
    }

    /** The health checks behind {@code /health}; null before {@link #start}. */
    public HealthChecks health() {
        return health;
    }

    /** Stops serving and flushes the Temporal scope. Call after the worker has stopped. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
        }
        if (gauges != null) {
            gauges.close();
        }
        if (health != null) {
            health.close();
        }
        try {
            temporalScope.close();
        } catch (Exception e) {
            log.debug("closing the Temporal metrics scope: {}", e.toString());
        }
        registry.close();
    }
}

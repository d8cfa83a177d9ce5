package dev.partitionkeeper.worker.metrics;

import dev.partitionkeeper.activities.fleet.TablePatterns;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePattern;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges computed from the database, per table under policy: runway, rows in the default partition,
 * detached partitions waiting for a verified archive, time since the last completed pass. Nothing is
 * remembered in memory between runs, so the values are right straight after a restart.
 *
 * <p>Refreshed in the background every {@link MetricsSettings#gaugeRefresh()}, and by a scrape that finds
 * them older than {@link MetricsSettings#gaugeMaxAge()}; the scrape waits at most {@link #SCRAPE_WAIT}
 * and otherwise serves what it has, so a slow database never makes Prometheus time out.
 */
final class DatabaseGauges implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseGauges.class);
    /** Below Prometheus' default scrape timeout (10 s) with room for the scrape itself. */
    static final Duration SCRAPE_WAIT = Duration.ofSeconds(5);

    private final MeterRegistry registry;
    private final DataSource dataSource;
    /** The connections of a fleet database; null without a fleet (every table is then of {@link #dataSource}). */
    private final Function<String, DataSource> fleet;

    private final TableStateReader reader;
    private final Supplier<List<TablePolicy>> policy;
    private final MetricsSettings settings;
    private final Clock clock;
    private final Consumer<TablePolicy> onNewTable;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "partition-keeper-gauges");
        t.setDaemon(true);
        return t;
    });
    private final Counter refreshFailures;
    /**
     * Per table ({@link TablePolicy#qualifiedName()}), in policy order; replaced as a whole, read by gauge functions
     * on the scrape thread.
     */
    private final Map<String, Holder> tables = new LinkedHashMap<>();
    /** The tables pattern entries last matched, by database (null key: {@code postgres:}), kept when one is down. */
    private final Map<String, List<TablePolicy>> matched = new HashMap<>();

    private List<TablePolicy> lastPolicy = List.of();
    /** When the last refresh ended, successful or not; null before the first. */
    private volatile Instant lastRefresh;

    private volatile Instant lastSuccess;
    /** Set when something changed what the gauges would read; the next scrape refreshes. */
    private volatile boolean stale;

    private Future<?> inFlight;

    /** The latest state of one table; gauges read through it. */
    static final class Holder {
        volatile TableState state;
        final List<Meter> meters = new ArrayList<>();
    }

    DatabaseGauges(
            MeterRegistry registry,
            DataSource dataSource,
            TableStateReader reader,
            Supplier<List<TablePolicy>> policy,
            MetricsSettings settings,
            Clock clock,
            Consumer<TablePolicy> onNewTable) {
        this(registry, dataSource, null, reader, policy, settings, clock, onNewTable);
    }

    /** @param fleet the connections of each fleet database; its tables' gauges carry the database as a label */
    DatabaseGauges(
            MeterRegistry registry,
            DataSource dataSource,
            Function<String, DataSource> fleet,
            TableStateReader reader,
            Supplier<List<TablePolicy>> policy,
            MetricsSettings settings,
            Clock clock,
            Consumer<TablePolicy> onNewTable) {
        this.registry = registry;
        this.dataSource = dataSource;
        this.fleet = fleet;
        this.reader = reader;
        this.policy = policy;
        this.settings = settings;
        this.clock = clock;
        this.onNewTable = onNewTable;
        this.refreshFailures = Counter.builder(MetricNames.GAUGE_REFRESH_FAILURES)
                .description("Gauge refreshes that could not read the database (values kept from the last good read)")
                .register(registry);
        Gauge.builder(
                        MetricNames.GAUGES_REFRESHED,
                        this,
                        g -> g.lastSuccess == null ? Double.NaN : g.lastSuccess.toEpochMilli() / 1000.0)
                .description("When the database-backed gauges were last read successfully (Unix seconds)")
                .register(registry);
    }

    /** Reads once now (so the first scrape has values) and then every {@code gauge_refresh}. */
    void start() {
        long every = settings.gaugeRefresh().toMillis();
        synchronized (this) {
            inFlight = executor.submit(this::refreshQuietly); // a scrape arriving meanwhile waits for this one
        }
        executor.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /** Marks the values stale: the next scrape reads the database first. */
    void invalidate() {
        stale = true;
    }

    /** For a scrape: refreshes first when the values are older than {@code gauge_max_age}, waiting a bounded time. */
    void refreshIfStale() {
        Future<?> f;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                Instant last = lastRefresh;
                boolean fresh = last != null
                        && !stale
                        && Duration.between(last, clock.instant()).compareTo(settings.gaugeMaxAge()) <= 0;
                if (fresh) {
                    return;
                }
                inFlight = executor.submit(this::refreshQuietly);
            }
            f = inFlight;
        }
        try {
            f.get(SCRAPE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.debug("gauge refresh still running after {} ms; serving the previous values", SCRAPE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.debug("gauge refresh failed: {}", e.getCause().toString());
        }
    }

    TableState state(TableName table) {
        synchronized (tables) {
            Holder h = tables.get(table);
            return h == null ? null : h.state;
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            refreshFailures.increment();
            log.warn("could not refresh the partition gauges: {}", e.toString());
        }
    }

    /** Reads every table's state; on connection trouble keeps the previous values and marks them unreadable. */
    void refresh() {
        Instant now = clock.instant();
        stale = false;
        try {
            readAll(now);
        } finally {
            lastRefresh = clock.instant();
        }
    }

    private void readAll(Instant now) {
        Map<String, List<TablePolicy>> byDatabase = new LinkedHashMap<>();
        for (TablePolicy p : currentPolicy()) {
            byDatabase.computeIfAbsent(p.database(), d -> new ArrayList<>()).add(p);
        }
        List<TablePolicy> current = new ArrayList<>();
        for (var e : byDatabase.entrySet()) {
            current.addAll(tablesOf(e.getKey(), e.getValue()));
        }
        syncMeters(current);
        boolean allRead = true;
        for (String db : byDatabase.keySet()) {
            allRead &= read(
                    db,
                    current.stream()
                            .filter(p -> Objects.equals(db, p.database()))
                            .toList(),
                    now);
        }
        if (allRead) {
            lastSuccess = now;
        } else {
            refreshFailures.increment();
        }
    }

    private DataSource dataSourceOf(String database) {
        return database == null || fleet == null ? dataSource : fleet.apply(database);
    }

    /** The tables of one database: pattern entries ({@code tenant_*.events}) matched, as the survey matches them. */
    private List<TablePolicy> tablesOf(String database, List<TablePolicy> policies) {
        if (!TablePatterns.any(policies)) {
            return policies;
        }
        try {
            List<TablePolicy> found = TablePatterns.expand(dataSourceOf(database), policies).stream()
                    .map(TablePatterns.Match::policy)
                    .toList();
            matched.put(database, found);
            return found;
        } catch (SQLException | RuntimeException e) {
            // the database is down: its tables as last matched, which read as unreadable below
            return matched.getOrDefault(
                    database,
                    policies.stream()
                            .filter(p -> !TablePattern.isPattern(p.table()))
                            .toList());
        }
    }

    /** Reads one database's tables; false when any could not be read. */
    private boolean read(String database, List<TablePolicy> policies, Instant now) {
        if (policies.isEmpty()) {
            return true;
        }
        try (Connection c = dataSourceOf(database).getConnection()) {
            boolean allRead = true;
            for (TablePolicy p : policies) {
                try {
                    holder(p.qualifiedName()).state = reader.read(c, p, now);
                } catch (SQLException e) {
                    allRead = false;
                    markUnreadable(p, e.getMessage(), now);
                    if (c.isClosed() || !c.isValid(2)) {
                        throw e;
                    }
                }
            }
            return allRead;
        } catch (SQLException | RuntimeException e) {
            for (TablePolicy p : policies) {
                markUnreadable(p, e.getMessage(), now);
            }
            log.warn(
                    "could not read partition gauges from PostgreSQL{}: {}",
                    database == null ? "" : " (database " + database + ")",
                    e.getMessage());
            return false;
        }
    }

    private void markUnreadable(TablePolicy p, String why, Instant now) {
        Holder h = holder(p.qualifiedName());
        TableState old = h.state;
        h.state = old == null
                ? TableState.unreadable(why, p.premake(), 0, null, null, now)
                : TableState.unreadable(
                        why,
                        p.premake(),
                        old.detachedUnverified(),
                        old.oldestUnverifiedDetachedAt(),
                        old.lastPassAt(),
                        now);
    }

    /** The policy now; the last good one when reading it fails (a broken edit of the file). */
    private List<TablePolicy> currentPolicy() {
        try {
            List<TablePolicy> p = policy.get();
            lastPolicy = p == null ? List.of() : List.copyOf(p);
        } catch (RuntimeException e) {
            log.warn("cannot read the policy for the gauges, keeping the last one: {}", e.getMessage());
        }
        return lastPolicy;
    }

    private Holder holder(String qualifiedName) {
        synchronized (tables) {
            return tables.get(qualifiedName);
        }
    }

    /** Registers gauges for tables new to the policy and removes those of tables that left it. */
    private void syncMeters(List<TablePolicy> current) {
        synchronized (tables) {
            Set<String> wanted =
                    current.stream().map(TablePolicy::qualifiedName).collect(Collectors.toSet());
            for (var it = tables.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!wanted.contains(e.getKey())) {
                    e.getValue().meters.forEach(registry::remove);
                    it.remove();
                }
            }
            for (TablePolicy p : current) {
                if (!tables.containsKey(p.qualifiedName())) {
                    Holder h = new Holder();
                    register(h, p);
                    tables.put(p.qualifiedName(), h);
                    onNewTable.accept(p);
                }
            }
        }
    }

    private void register(Holder h, TablePolicy p) {
        gauge(
                h,
                p,
                MetricNames.RUNWAY_SECONDS,
                "Seconds until the last partition of the contiguous runway ends",
                s -> s.readable() ? s.runwaySeconds(clock.instant()) : Double.NaN);
        gauge(
                h,
                p,
                MetricNames.RUNWAY_PARTITIONS,
                "Future periods covered by partitions after the current one",
                s -> s.readable() ? s.runwayPartitions() : Double.NaN);
        gauge(
                h,
                p,
                MetricNames.PREMAKE_PARTITIONS,
                "The policy's premake: future partitions wanted",
                TableState::premake);
        gauge(
                h,
                p,
                MetricNames.DEFAULT_PARTITION_ROWS,
                "Rows in the default partition",
                s -> s.readable() ? s.defaultRows() : Double.NaN);
        gauge(
                h,
                p,
                MetricNames.LAYOUT_PROBLEMS,
                "Problems the layout check finds (runway, gaps, default rows)",
                s -> s.readable() ? s.layoutProblems() : Double.NaN);
        gauge(
                h,
                p,
                MetricNames.DETACHED_UNVERIFIED,
                "Detached partitions whose archive is not verified yet",
                TableState::detachedUnverified);
        gauge(
                h,
                p,
                MetricNames.DETACHED_UNVERIFIED_OLDEST_AGE,
                "Seconds since the oldest detached-but-unverified partition was detached (0 when none)",
                s -> s.oldestUnverifiedAgeSeconds(clock.instant()));
        gauge(
                h,
                p,
                MetricNames.LAST_PASS_TIMESTAMP,
                "When a pass over the table last completed (Unix seconds)",
                s -> s.lastPassAt() == null ? Double.NaN : s.lastPassAt().toEpochMilli() / 1000.0);
        gauge(
                h,
                p,
                MetricNames.LAST_PASS_AGE,
                "Seconds since a pass over the table last completed (+Inf: never)",
                s -> s.lastPassAgeSeconds(clock.instant()));
        gauge(
                h,
                p,
                MetricNames.TABLE_READABLE,
                "1 when the table's catalog could be read at the last refresh",
                s -> s.readable() ? 1 : 0);
    }

    private void gauge(Holder h, TablePolicy p, String name, String description, ToDoubleFunction<TableState> f) {
        Tags tags = Tags.of(MetricNames.TAG_TABLE, p.table().toString());
        if (p.database() != null) {
            tags = tags.and(MetricNames.TAG_DATABASE, p.database());
        }
        h.meters.add(Gauge.builder(name, h, holder -> {
                    TableState s = holder.state;
                    return s == null ? Double.NaN : f.applyAsDouble(s);
                })
                .description(description)
                .tags(tags)
                .strongReference(true)
                .register(registry));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

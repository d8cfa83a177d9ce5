package dev.partitionkeeper.worker.metrics;

import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl.MaintenanceListener;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what the activities did, per table: partitions created, detached, exported, verified and
 * dropped, rows and bytes exported, step durations, failures by step and type. A table's pass that got
 * as far as its layout check is recorded in the database ({@link PassRecorder}), so the "last successful
 * pass" gauge survives restarts. Never changes an outcome: every problem here is logged and swallowed.
 */
public final class MaintenanceMetrics implements MaintenanceListener {
    private static final Logger log = LoggerFactory.getLogger(MaintenanceMetrics.class);
    /** {@code 123456 bytes} or {@code bytes=123456} in an action's detail (the export step's). */
    private static final Pattern BYTES =
            Pattern.compile("(?:(\\d+)\\s*bytes\\b(?!\\s*[=:])|\\bbytes\\s*[=:]\\s*(\\d+))");

    private final MeterRegistry registry;
    /** The fleet database whose steps this instance counts ({@link #forDatabase}); null for {@code postgres:}. */
    private final String database;
    /** The instance {@link #forDatabase} was called on; null for that one. */
    private final MaintenanceMetrics root;

    private final Map<String, MaintenanceMetrics> fleet = new ConcurrentHashMap<>();
    private final Map<String, PassRecorder> fleetRecorder = new ConcurrentHashMap<>();
    private volatile Function<String, PassRecorder> fleetRecorders;

    private volatile PassRecorder passRecorder;
    private volatile Runnable onChange = () -> {};

    public MaintenanceMetrics(MeterRegistry registry) {
        this(registry, null, null);
    }

    private MaintenanceMetrics(MeterRegistry registry, String database, MaintenanceMetrics root) {
        this.registry = registry;
        this.database = database;
        this.root = root;
    }

    /**
     * The listener of one fleet database's steps: the same meters with a {@code database} label. A worker with a
     * fleet counts only through these (every one of its tables is in a database), so each meter name keeps one
     * set of labels, as Prometheus requires. Its table passes are recorded in that database's bookkeeping
     * ({@link #recordFleetPassesWith}), not in the {@code postgres:} database's.
     */
    public MaintenanceMetrics forDatabase(String db) {
        return fleet.computeIfAbsent(db, d -> new MaintenanceMetrics(registry, d, this));
    }

    /** From now on, a fleet database's completed table passes are written to its own bookkeeping schema. */
    void recordFleetPassesWith(Function<String, PassRecorder> recorders) {
        this.fleetRecorders = recorders;
    }

    private PassRecorder recorder() {
        if (root == null) {
            return passRecorder;
        }
        Function<String, PassRecorder> f = root.fleetRecorders;
        return f == null ? null : root.fleetRecorder.computeIfAbsent(database, f);
    }

    /** The table's label, and the database's in a fleet. */
    private Tags tableTags(TableName table) {
        Tags t = Tags.of(MetricNames.TAG_TABLE, table.toString());
        return database == null ? t : t.and(MetricNames.TAG_DATABASE, database);
    }

    /** From now on, completed table passes are written to the bookkeeping schema. */
    void recordPassesWith(PassRecorder recorder) {
        this.passRecorder = recorder;
    }

    /** Called after anything that changes what the database gauges would read (a pass ended). */
    void onChange(Runnable r) {
        this.onChange = r;
    }

    /** Registers the per-table counters at zero, so an alert on {@code increase()} sees the first event. */
    public void register(TableName table) {
        for (String name : MetricNames.PER_TABLE_COUNTERS) {
            counter(name, table);
        }
    }

    @Override
    public void actionDone(TableName table, String step, ActionResult result, long millis) {
        try {
            boolean done = ActionResult.DONE.equals(result.outcome());
            Timer.builder(MetricNames.STEP_DURATION)
                    .description("How long each maintenance step took, retries inside the activity included")
                    .tags(tableTags(table))
                    .tag(MetricNames.TAG_STEP, step)
                    .tag(MetricNames.TAG_OUTCOME, result.outcome())
                    .register(registry)
                    .record(millis, TimeUnit.MILLISECONDS);
            if (!done) {
                return; // "already done": a re-run found the work finished; counting it again would double it
            }
            switch (step) {
                case "create", "create_default" -> {
                    counter(MetricNames.PARTITIONS_CREATED, table).increment();
                    if (result.rowsMoved() > 0) {
                        counter(MetricNames.DEFAULT_ROWS_MOVED, table).increment(result.rowsMoved());
                    }
                }
                case "detach" -> counter(MetricNames.PARTITIONS_DETACHED, table).increment();
                case "export" -> {
                    counter(MetricNames.PARTITIONS_EXPORTED, table).increment();
                    counter(MetricNames.EXPORTED_ROWS, table).increment(Math.max(0, result.rowsMoved()));
                    long bytes = bytesIn(result.detail());
                    if (bytes > 0) {
                        counter(MetricNames.EXPORTED_BYTES, table).increment(bytes);
                    }
                }
                case "verify" -> counter(MetricNames.PARTITIONS_VERIFIED, table).increment();
                case "drop" -> counter(MetricNames.PARTITIONS_DROPPED, table).increment();
                case "expire_archive" ->
                    counter(MetricNames.ARCHIVES_EXPIRED, table).increment();
                default -> {} // finalize_detach completes a detach counted when it began
            }
        } catch (RuntimeException e) {
            log.warn("could not record metrics for {} {}: {}", step, table, e.toString());
        }
    }

    /** Records the bytes of an export whose detail does not carry them (for the archive activities). */
    public void exportedBytes(TableName table, long bytes) {
        if (bytes > 0) {
            counter(MetricNames.EXPORTED_BYTES, table).increment(bytes);
        }
    }

    @Override
    public void actionFailed(TableName table, String step, String failureType) {
        try {
            String type = failureType == null ? "unknown" : failureType;
            Counter.builder(MetricNames.STEP_FAILURES)
                    .description("Failed step attempts by failure type; Temporal retries the retryable ones")
                    .tags(tableTags(table))
                    .tag(MetricNames.TAG_STEP, step)
                    .tag(MetricNames.TAG_TYPE, type)
                    .register(registry)
                    .increment();
            if (Failures.VERIFICATION_FAILED.equals(type)) {
                counter(MetricNames.VERIFICATION_FAILURES, table).increment();
            }
        } catch (RuntimeException e) {
            log.warn("could not record a failure of {} {}: {}", step, table, e.toString());
        }
    }

    @Override
    public void layoutChecked(TableName table, LayoutReport report) {
        layoutsChecked(Map.of(table, report));
    }

    /** Counts each table's pass and writes them all to the action log in one batch ({@link PassRecorder}). */
    @Override
    public void layoutsChecked(Map<TableName, LayoutReport> reports) {
        try {
            reports.forEach((table, report) -> Counter.builder(MetricNames.TABLE_PASSES)
                    .description("Table passes that reached their final layout check")
                    .tags(tableTags(table))
                    .tag(MetricNames.TAG_LAYOUT, report.ok() ? "ok" : "attention")
                    .register(registry)
                    .increment());
            PassRecorder r = recorder();
            if (r != null) {
                r.recordAll(reports);
            }
            (root == null ? onChange : root.onChange).run();
        } catch (RuntimeException e) {
            log.warn("could not record the pass over {}: {}", reports.keySet(), e.toString());
        }
    }

    private Counter counter(String name, TableName table) {
        return Counter.builder(name)
                .description(description(name))
                .tags(tableTags(table))
                .register(registry);
    }

    private static String description(String name) {
        return switch (name) {
            case MetricNames.PARTITIONS_CREATED -> "Partitions created and attached (default partitions included)";
            case MetricNames.PARTITIONS_DETACHED -> "Partitions detached and moved to the archive schema";
            case MetricNames.PARTITIONS_EXPORTED -> "Detached partitions exported to the archive store";
            case MetricNames.PARTITIONS_VERIFIED -> "Archives read back and matched to their detached partition";
            case MetricNames.PARTITIONS_DROPPED ->
                "Detached partitions dropped after a verified archive and the grace period";
            case MetricNames.DEFAULT_ROWS_MOVED -> "Rows moved out of the default partition into a new partition";
            case MetricNames.EXPORTED_ROWS -> "Rows written to archives";
            case MetricNames.EXPORTED_BYTES -> "Bytes of Parquet written to archives";
            case MetricNames.VERIFICATION_FAILURES -> "Archives that did not match their source (nothing was dropped)";
            default -> null;
        };
    }

    static long bytesIn(String detail) {
        if (detail == null) {
            return 0;
        }
        Matcher m = BYTES.matcher(detail);
        if (!m.find()) {
            return 0;
        }
        try {
            return Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

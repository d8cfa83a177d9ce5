package dev.partitionkeeper.worker.metrics;

import java.util.List;

/**
 * Every meter partition-keeper registers, by its Micrometer name. Prometheus sees dots as underscores
 * and a {@code _total} suffix on counters: {@code partition_keeper.created.partitions} is scraped as
 * {@code partition_keeper_created_partitions_total}. docs/alerts.md uses the Prometheus forms.
 *
 * <p>No name ends in {@code .created}, {@code .info}, {@code .count} or {@code .sum}: the Prometheus client
 * strips or reserves those suffixes ({@code partitions.created} would be scraped as {@code partitions_total}).
 */
public final class MetricNames {
    /** The table a meter is about, e.g. {@code public.transactions}. */
    public static final String TAG_TABLE = "table";
    /** The database of a fleet's table ({@code databases:}); absent for the single database of {@code postgres:}. */
    public static final String TAG_DATABASE = "database";
    /** The step: create, create_default, detach, finalize_detach, plan, verify_layout, export, verify, drop. */
    public static final String TAG_STEP = "step";
    /** done, already done, or failed. */
    public static final String TAG_OUTCOME = "outcome";
    /** The failure type, e.g. LockBusy, VerificationFailed, InvalidPolicy, "SQLState 08006". */
    public static final String TAG_TYPE = "type";
    /** ok or attention (the layout check found a problem). */
    public static final String TAG_LAYOUT = "layout";

    // counters, from the activities as they run
    public static final String PARTITIONS_CREATED = "partition_keeper.created.partitions";
    public static final String PARTITIONS_DETACHED = "partition_keeper.detached.partitions";
    public static final String PARTITIONS_EXPORTED = "partition_keeper.exported.partitions";
    public static final String PARTITIONS_VERIFIED = "partition_keeper.verified.partitions";
    public static final String PARTITIONS_DROPPED = "partition_keeper.dropped.partitions";
    /** Archives deleted by archive_retention. */
    public static final String ARCHIVES_EXPIRED = "partition_keeper.archive_expired.partitions";

    public static final String DEFAULT_ROWS_MOVED = "partition_keeper.default_rows.moved";
    public static final String EXPORTED_ROWS = "partition_keeper.exported.rows";
    public static final String EXPORTED_BYTES = "partition_keeper.exported.bytes";
    public static final String STEP_DURATION = "partition_keeper.step.duration";
    public static final String STEP_FAILURES = "partition_keeper.step.failures";
    public static final String VERIFICATION_FAILURES = "partition_keeper.verification.failures";
    public static final String TABLE_PASSES = "partition_keeper.table.passes";

    // gauges, computed from the database
    public static final String RUNWAY_SECONDS = "partition_keeper.runway.seconds";
    public static final String RUNWAY_PARTITIONS = "partition_keeper.runway.partitions";
    public static final String PREMAKE_PARTITIONS = "partition_keeper.premake.partitions";
    public static final String DEFAULT_PARTITION_ROWS = "partition_keeper.default_partition.rows";
    public static final String LAYOUT_PROBLEMS = "partition_keeper.layout.problems";
    public static final String DETACHED_UNVERIFIED = "partition_keeper.detached_unverified.partitions";
    public static final String DETACHED_UNVERIFIED_OLDEST_AGE =
            "partition_keeper.detached_unverified.oldest.age.seconds";
    public static final String LAST_PASS_TIMESTAMP = "partition_keeper.last_successful_pass.timestamp.seconds";
    public static final String LAST_PASS_AGE = "partition_keeper.last_successful_pass.age.seconds";
    public static final String TABLE_READABLE = "partition_keeper.table.readable";
    public static final String GAUGES_REFRESHED = "partition_keeper.gauges.refreshed.timestamp.seconds";
    public static final String GAUGE_REFRESH_FAILURES = "partition_keeper.gauges.refresh.failures";

    /** Meters registered once per table under policy, before anything happened, so {@code increase()} sees the first event. */
    static final List<String> PER_TABLE_COUNTERS = List.of(
            PARTITIONS_CREATED,
            PARTITIONS_DETACHED,
            PARTITIONS_EXPORTED,
            PARTITIONS_VERIFIED,
            PARTITIONS_DROPPED,
            ARCHIVES_EXPIRED,
            VERIFICATION_FAILURES);

    private MetricNames() {}
}

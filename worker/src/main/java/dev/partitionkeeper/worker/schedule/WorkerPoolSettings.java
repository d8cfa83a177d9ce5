package dev.partitionkeeper.worker.schedule;

import static dev.partitionkeeper.worker.config.ConfigValues.duration;
import static dev.partitionkeeper.worker.config.ConfigValues.integer;

import dev.partitionkeeper.worker.config.DurationText;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one worker process takes part in the pool ({@code temporal:} keys besides {@code task_queue}).
 * Several processes on one task queue share the work; each runs at most
 * {@code maxConcurrentActivities} steps at once.
 *
 * @param maxConcurrentActivities steps this process runs at once; 0 (the default) means one less than
 *     {@code postgres.pool_size}, so a step never waits for a connection
 * @param tableParallelism tables one pass maintains at once (default 1); each table's steps stay in order
 * @param shutdownGrace on SIGTERM, how long running steps may take to finish before they are interrupted;
 *     interrupted steps are retried by another worker (default 30s)
 */
public record WorkerPoolSettings(int maxConcurrentActivities, int tableParallelism, Duration shutdownGrace) {

    /** Tables with work one pass maintains at once: fits the default pool (pool_size 8 runs 7 steps at once). */
    public static final int DEFAULT_TABLE_PARALLELISM = 4;

    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    /** More tables at once than this only queues DDL behind itself. */
    public static final int MAX_TABLE_PARALLELISM = 64;

    /** The keys this record reads from the {@code temporal:} section. */
    public static final Set<String> KEYS = Set.of("max_concurrent_activities", "table_parallelism", "shutdown_grace");

    public WorkerPoolSettings {
        if (maxConcurrentActivities < 0) {
            throw new IllegalArgumentException(
                    "temporal.max_concurrent_activities must be 0 (automatic) or more, e.g. 4," + " got: "
                            + maxConcurrentActivities);
        }
        if (tableParallelism < 1 || tableParallelism > MAX_TABLE_PARALLELISM) {
            throw new IllegalArgumentException("temporal.table_parallelism must be between 1 and "
                    + MAX_TABLE_PARALLELISM + " (e.g. 2), got: " + tableParallelism);
        }
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("temporal.shutdown_grace must be 0s or more (e.g. \"30s\"), got: "
                    + (shutdownGrace == null ? "nothing" : DurationText.format(shutdownGrace)));
        }
    }

    public static WorkerPoolSettings defaults() {
        return new WorkerPoolSettings(0, DEFAULT_TABLE_PARALLELISM, DEFAULT_SHUTDOWN_GRACE);
    }

    /** Steps this process runs at once, given the PostgreSQL pool size. */
    public int activitySlots(int postgresPoolSize) {
        return maxConcurrentActivities > 0 ? maxConcurrentActivities : Math.max(1, postgresPoolSize - 1);
    }

    /** Reads the keys above from the flattened configuration; bad values go to {@code problems}. */
    public static WorkerPoolSettings from(
            Map<String, String> flat, Map<String, String> fromEnv, List<String> problems) {
        int before = problems.size();
        int activities = integer(flat, fromEnv, "temporal.max_concurrent_activities", 0, problems);
        int parallelism = integer(flat, fromEnv, "temporal.table_parallelism", DEFAULT_TABLE_PARALLELISM, problems);
        Duration grace = duration(flat, fromEnv, "temporal.shutdown_grace", DEFAULT_SHUTDOWN_GRACE, problems);
        if (problems.size() > before) {
            return defaults();
        }
        try {
            return new WorkerPoolSettings(activities, parallelism, grace);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return defaults();
        }
    }
}

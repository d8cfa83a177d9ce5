package dev.partitionkeeper.worker.config;

import static dev.partitionkeeper.worker.config.ConfigValues.duration;
import static dev.partitionkeeper.worker.config.ConfigValues.integer;
import static dev.partitionkeeper.worker.config.ConfigValues.label;

import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.workflows.model.TableName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code maintenance:} section: how DDL waits for locks, and the schemas partition-keeper writes to.
 *
 * @param archiveSchema where detached partitions are kept (default {@link WorkerConfig#DEFAULT_ARCHIVE_SCHEMA})
 * @param bookkeepingSchema partition-keeper's own tables (default {@link Bookkeeping#DEFAULT_SCHEMA})
 */
record MaintenanceSection(LockSettings lock, String archiveSchema, String bookkeepingSchema) {

    static final Set<String> KEYS = Set.of(
            "lock_timeout",
            "lock_wait_older_than",
            "lock_max_wait",
            "lock_attempts",
            "archive_schema",
            "bookkeeping_schema");

    /** Reads {@code maintenance.*}; every bad value goes to {@code problems}, not just the first. */
    static MaintenanceSection from(Map<String, String> flat, Map<String, String> fromEnv, List<String> problems) {
        Duration lockTimeout =
                duration(flat, fromEnv, "maintenance.lock_timeout", LockSettings.DEFAULT_LOCK_TIMEOUT, problems);
        Duration olderThan =
                duration(flat, fromEnv, "maintenance.lock_wait_older_than", LockSettings.DEFAULT_OLDER_THAN, problems);
        Duration maxWait =
                duration(flat, fromEnv, "maintenance.lock_max_wait", LockSettings.DEFAULT_MAX_WAIT, problems);
        int attempts = integer(flat, fromEnv, "maintenance.lock_attempts", LockSettings.DEFAULT_ATTEMPTS, problems);
        LockSettings lock = LockSettings.defaults();
        try {
            lock = new LockSettings(lockTimeout, olderThan, LockSettings.DEFAULT_POLL_INTERVAL, maxWait, attempts);
        } catch (IllegalArgumentException e) {
            problems.add("maintenance." + e.getMessage());
        }
        String archiveSchema =
                schema(flat, fromEnv, "maintenance.archive_schema", WorkerConfig.DEFAULT_ARCHIVE_SCHEMA, problems);
        String booksSchema =
                schema(flat, fromEnv, "maintenance.bookkeeping_schema", Bookkeeping.DEFAULT_SCHEMA, problems);
        return new MaintenanceSection(lock, archiveSchema, booksSchema);
    }

    private static String schema(
            Map<String, String> flat, Map<String, String> fromEnv, String key, String dflt, List<String> problems) {
        String s = flat.getOrDefault(key, dflt);
        if (s.isBlank() || s.length() > TableName.MAX_IDENTIFIER_BYTES) {
            problems.add(label(key, fromEnv) + " must be a schema name of 1 to 63 characters such as \"" + dflt
                    + "\", got: \"" + s + "\"");
        }
        return s;
    }
}

package dev.partitionkeeper.activities.postgres;

import java.time.Duration;

/**
 * How DDL takes its locks.
 *
 * @param lockTimeout {@code lock_timeout} of each DDL attempt: the longest writers can queue behind us
 * @param olderThan a lock held by a transaction older than this keeps us out of the lock queue
 * @param pollInterval how often to look at pg_locks while waiting outside the queue
 * @param maxWait how long one activity attempt waits outside the queue before giving up (Temporal retries)
 * @param attempts DDL attempts per activity attempt when the lock_timeout fires anyway
 */
public record LockSettings(
        Duration lockTimeout, Duration olderThan, Duration pollInterval, Duration maxWait, int attempts) {

    /** Short enough that a writer queued behind a failed attempt barely notices. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMillis(100);
    /** Writers' own transactions are younger than this; a reader's long transaction is not. */
    public static final Duration DEFAULT_OLDER_THAN = Duration.ofMillis(5);

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(20);
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(5);
    public static final int DEFAULT_ATTEMPTS = 20;

    public LockSettings {
        if (lockTimeout.isNegative() || lockTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "lock_timeout must be positive (e.g. 100ms), got: " + lockTimeout.toMillis() + "ms");
        }
        if (olderThan.isNegative()) {
            throw new IllegalArgumentException(
                    "lock_wait_older_than must not be negative, got: " + olderThan.toMillis() + "ms");
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException(
                    "lock_poll_interval must be positive, got: " + pollInterval.toMillis() + "ms");
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("lock_attempts must be at least 1, got: " + attempts);
        }
    }

    public static LockSettings defaults() {
        return new LockSettings(
                DEFAULT_LOCK_TIMEOUT, DEFAULT_OLDER_THAN, DEFAULT_POLL_INTERVAL, DEFAULT_MAX_WAIT, DEFAULT_ATTEMPTS);
    }

    public LockSettings withLockTimeout(Duration d) {
        return new LockSettings(d, olderThan, pollInterval, maxWait, attempts);
    }

    public LockSettings withMaxWait(Duration d) {
        return new LockSettings(lockTimeout, olderThan, pollInterval, d, attempts);
    }
}

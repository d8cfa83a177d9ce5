package dev.partitionkeeper.activities.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes strong locks without stalling writers.
 *
 * <p>A DDL statement waiting for a lock sits in the lock queue, and every writer that arrives after
 * it queues behind it, even writers whose own lock would not conflict with the holder's. A short
 * {@code lock_timeout} bounds that stall but repeats it on every retry (the anchor benchmark: p99 77 ms).
 * So before each attempt we look at {@code pg_locks} and stay out of the queue while a transaction
 * older than {@link LockSettings#olderThan()} holds a conflicting lock on any relation we need; writers'
 * own short transactions do not count. Only then do we try, under {@code lock_timeout}, and on a lock
 * timeout we back off and look again.
 */
public final class LockGate {
    private static final Logger log = LoggerFactory.getLogger(LockGate.class);

    /** Lock modes that conflict with SHARE UPDATE EXCLUSIVE (ATTACH PARTITION, DETACH CONCURRENTLY on the parent). */
    public static final Set<String> CONFLICTS_SHARE_UPDATE_EXCLUSIVE = Set.of(
            "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock");
    /** Every mode conflicts with ACCESS EXCLUSIVE. */
    public static final Set<String> ALL_MODES = Set.of();

    /**
     * A relation we will lock and the modes held by others that conflict with ours.
     *
     * @param conflicting empty means every mode conflicts (we take ACCESS EXCLUSIVE)
     */
    public record Target(long oid, String name, Set<String> conflicting) {}

    /** Work to run inside one transaction that already has {@code lock_timeout} set. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Called while waiting, so the activity can heartbeat. */
    @FunctionalInterface
    public interface Progress {
        void waiting(String blocker);
    }

    private final LockSettings settings;

    public LockGate(LockSettings settings) {
        this.settings = settings;
    }

    public LockSettings settings() {
        return settings;
    }

    /** Result of {@link #run}: the value and how many attempts it took. */
    public record Outcome<T>(T value, int attempts, long waitedMillis) {
        /** Attempts after the first: the lock_timeout fired this many times. */
        public int retries() {
            return attempts - 1;
        }
    }

    /**
     * Runs {@code work} in one transaction on {@code c} (autocommit is restored afterwards), waiting
     * outside the lock queue first and retrying on lock timeouts.
     *
     * @throws LockBusyException when the locks could not be had within the settings' limits
     */
    public <T> Outcome<T> run(Connection c, List<Target> targets, Progress progress, Work<T> work) throws SQLException {
        long started = System.nanoTime();
        long waited = 0;
        long backoff = Math.max(10, settings.pollInterval().toMillis());
        SQLException last = null;
        for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
            waited += waitOutsideQueue(c, targets, progress, started);
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                Sql.setLocalLockTimeout(c, settings.lockTimeout().toMillis());
                T value = work.run(c);
                c.commit();
                return new Outcome<>(value, attempt, waited);
            } catch (SQLException e) {
                c.rollback();
                if (!Sql.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw e;
                }
                last = e;
                log.info(
                        "lock timeout after {} ms on attempt {} of {} ({}); backing off {} ms",
                        settings.lockTimeout().toMillis(),
                        attempt,
                        settings.attempts(),
                        e.getMessage(),
                        backoff);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 1000);
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
        throw new LockBusyException("could not lock " + names(targets) + " within lock_timeout "
                + settings.lockTimeout().toMillis() + "ms after " + settings.attempts() + " attempts (last: "
                + (last == null ? "?" : last.getMessage()) + "); will retry");
    }

    /**
     * Waits while a transaction older than {@code olderThan} holds a conflicting lock on a target.
     *
     * @return milliseconds waited
     */
    public long waitOutsideQueue(Connection c, List<Target> targets, Progress progress, long startedNanos)
            throws SQLException {
        long t0 = System.nanoTime();
        while (true) {
            String blocker = blocker(c, targets);
            if (blocker == null) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            long total = (System.nanoTime() - startedNanos) / 1_000_000;
            if (total > settings.maxWait().toMillis()) {
                throw new LockBusyException(
                        "waited " + total + " ms for " + blocker + " to finish before locking " + names(targets)
                                + "; will retry (a long transaction on the table delays maintenance, never writers)");
            }
            if (progress != null) {
                progress.waiting(blocker);
            }
            sleep(settings.pollInterval().toMillis());
        }
    }

    /** A description of the oldest transaction holding a conflicting lock on a target, or null. */
    String blocker(Connection c, List<Target> targets) throws SQLException {
        List<Long> oids = new ArrayList<>();
        for (Target t : targets) {
            if (t.oid() != 0) {
                oids.add(t.oid());
            }
        }
        if (oids.isEmpty()) {
            return null;
        }
        String sql = """
        SELECT l.relation::bigint AS rel, l.mode, a.pid,
               (extract(epoch FROM clock_timestamp() - a.xact_start) * 1000)::bigint AS age_ms,
               left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 120) AS query
          FROM pg_locks l
          JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'relation' AND l.granted
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.relation = ANY (?)
           AND l.pid <> pg_backend_pid()
           AND a.xact_start < clock_timestamp() - make_interval(secs => ?)
         ORDER BY a.xact_start
        """;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Array arr = c.createArrayOf("bigint", oids.toArray());
            ps.setArray(1, arr);
            ps.setDouble(2, settings.olderThan().toNanos() / 1e9);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long rel = rs.getLong("rel");
                    String mode = rs.getString("mode");
                    for (Target t : targets) {
                        if (t.oid() == rel
                                && (t.conflicting().isEmpty() || t.conflicting().contains(mode))) {
                            return "pid " + rs.getInt("pid") + " (" + mode + " on " + t.name() + ", transaction open "
                                    + rs.getLong("age_ms") + " ms: " + rs.getString("query") + ")";
                        }
                    }
                }
            }
        }
        return null;
    }

    private static String names(List<Target> targets) {
        return targets.stream()
                .filter(t -> t.oid() != 0)
                .map(Target::name)
                .toList()
                .toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockBusyException("interrupted while waiting for a lock");
        }
    }
}

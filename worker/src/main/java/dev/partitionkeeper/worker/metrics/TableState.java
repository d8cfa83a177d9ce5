package dev.partitionkeeper.worker.metrics;

import java.time.Duration;
import java.time.Instant;

/**
 * What the database says about one table under policy, read by {@link TableStateReader}. Times are kept
 * as instants so the gauges derived from them ({@code runway seconds}, ages) are exact at scrape time,
 * not at read time.
 *
 * @param readable the catalog could be read (false: the table is missing, not partitioned, or the read failed)
 * @param error why not, when not readable
 * @param runwayEnd where contiguous partition coverage starting at "now" ends; null when "now" is not covered
 * @param runwayPartitions whole future periods covered after the current one (as the layout check counts them)
 * @param premake the policy's premake
 * @param defaultRows rows in the default partition (exact count)
 * @param layoutProblems problems the layout check finds (runway, gaps, default rows, pending detaches)
 * @param detachedUnverified detached partitions whose archive is not verified yet (0 for detach_only tables)
 * @param oldestUnverifiedDetachedAt when the oldest of those was detached; null when none
 * @param lastPassAt the last completed pass over the table, from the action log; null when none
 * @param readAt when this was read
 */
public record TableState(
        boolean readable,
        String error,
        Instant runwayEnd,
        int runwayPartitions,
        int premake,
        long defaultRows,
        int layoutProblems,
        int detachedUnverified,
        Instant oldestUnverifiedDetachedAt,
        Instant lastPassAt,
        Instant readAt) {

    /** A table whose catalog could not be read; what the bookkeeping schema says is kept. */
    public static TableState unreadable(
            String error,
            int premake,
            int detachedUnverified,
            Instant oldestUnverifiedDetachedAt,
            Instant lastPassAt,
            Instant readAt) {
        return new TableState(
                false,
                error,
                null,
                0,
                premake,
                0,
                0,
                detachedUnverified,
                oldestUnverifiedDetachedAt,
                lastPassAt,
                readAt);
    }

    /** Seconds from {@code now} to the end of the runway; 0 without one, +Inf up to MAXVALUE. */
    public double runwaySeconds(Instant now) {
        if (runwayEnd == null) {
            return 0;
        }
        return runwayEnd.equals(Instant.MAX) ? Double.POSITIVE_INFINITY : seconds(now, runwayEnd);
    }

    /** Seconds since the oldest unverified partition was detached; 0 when there is none. */
    public double oldestUnverifiedAgeSeconds(Instant now) {
        return oldestUnverifiedDetachedAt == null ? 0 : seconds(oldestUnverifiedDetachedAt, now);
    }

    /** Seconds since the last completed pass; +Inf when there never was one (an alert should fire). */
    public double lastPassAgeSeconds(Instant now) {
        return lastPassAt == null ? Double.POSITIVE_INFINITY : seconds(lastPassAt, now);
    }

    private static double seconds(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis() / 1000.0);
    }
}

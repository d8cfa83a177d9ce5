package dev.partitionkeeper.worker.chaos;

import java.time.Duration;

/**
 * How hard the chaos suite pushes: the short form by default ({@code mvn verify}, CI), the long form with
 * {@code -Pchaos} (worker/pom.xml sets these system properties). Every value can be set on its own too,
 * e.g. {@code -Dchaos.seed=42} to replay a kill schedule.
 *
 * @param passes maintenance passes the kill test runs, each with at least one SIGKILL of the worker
 * @param maxKillsPerPass upper bound of the SIGKILLs in one pass (the schedule draws 1 to this)
 * @param seed seeds the kill schedule and the writers' keys
 * @param s3Outage how long the S3 store is down mid-pass
 * @param postgresDown how long PostgreSQL is down mid-pass
 * @param readOnly how long the archive directory stays unwritable mid-pass
 * @param temporalDown how long the real Temporal server stays killed mid-pass
 */
public record ChaosSettings(
        int passes,
        int maxKillsPerPass,
        long seed,
        Duration s3Outage,
        Duration postgresDown,
        Duration readOnly,
        Duration temporalDown) {

    public static ChaosSettings fromSystemProperties() {
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        return new ChaosSettings(
                Integer.getInteger("chaos.passes", 3),
                Integer.getInteger("chaos.maxKillsPerPass", 1),
                seed,
                seconds("chaos.s3OutageSeconds", 4),
                seconds("chaos.postgresDownSeconds", 3),
                seconds("chaos.readOnlySeconds", 4),
                seconds("chaos.temporalDownSeconds", 3));
    }

    private static Duration seconds(String property, int dflt) {
        return Duration.ofSeconds(Integer.getInteger(property, dflt));
    }

    @Override
    public String toString() {
        return "chaos settings: passes=" + passes + " maxKillsPerPass=" + maxKillsPerPass + " seed=" + seed
                + " (replay with -Dchaos.seed=" + seed + ") s3Outage=" + s3Outage + " postgresDown=" + postgresDown
                + " readOnly=" + readOnly + " temporalDown=" + temporalDown;
    }
}

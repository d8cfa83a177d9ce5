package dev.partitionkeeper.workflows.plan;

/**
 * Where a detached partition stands in the archive chain, from the bookkeeping schema.
 *
 * @param partition partition name
 * @param fromText lower bound as the plan showed it (the bookkeeping's {@code range_from})
 * @param toText upper bound as the plan showed it ({@code range_to}): a date or a wall-clock time in the policy's
 *     zone, or a key value
 * @param exported an archive with a manifest exists
 * @param verified the archive was read back and matched the source
 * @param dropAfterMillis earliest drop time (epoch millis), 0 when not set (not verified yet)
 * @param dropped the detached table is gone
 * @param expired the archive was deleted by {@code archive_retention}
 * @param toAxis the upper bound on the {@link KeyAxis} of the table's key, {@link KeyAxis#MAX} when not known
 *     (such a partition's archive never expires)
 */
public record ArchiveState(
        String partition,
        String fromText,
        String toText,
        boolean exported,
        boolean verified,
        long dropAfterMillis,
        boolean dropped,
        boolean expired,
        long toAxis) {

    /** A partition whose archive was not expired, its upper bound not known. */
    public ArchiveState(
            String partition,
            String fromText,
            String toText,
            boolean exported,
            boolean verified,
            long dropAfterMillis,
            boolean dropped) {
        this(partition, fromText, toText, exported, verified, dropAfterMillis, dropped, false, KeyAxis.MAX);
    }
}

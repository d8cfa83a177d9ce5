package dev.partitionkeeper.workflows.plan;

/**
 * Where a detached partition stands in the archive chain, from the bookkeeping schema.
 *
 * @param partition partition name
 * @param exported an archive with a manifest exists
 * @param verified the archive was read back and matched the source
 * @param dropAfterMillis earliest drop time (epoch millis), 0 when not set (not verified yet)
 * @param dropped the detached table is gone
 */
public record ArchiveState(
        String partition,
        String fromText,
        String toText,
        boolean exported,
        boolean verified,
        long dropAfterMillis,
        boolean dropped) {}

package dev.partitionkeeper.workflows.plan;

/**
 * One partition as the catalog has it. {@code from}/{@code to} are {@link KeyAxis} values; both are 0
 * for the DEFAULT partition.
 *
 * @param name relation name (in the parent's schema unless {@code schema} says otherwise)
 * @param isDefault the DEFAULT partition
 * @param detachPending a {@code DETACH ... CONCURRENTLY} was interrupted (pg_inherits.inhdetachpending)
 * @param estimatedRows pg_class.reltuples, -1 when never analysed
 */
public record PartitionInfo(
        String schema, String name, long from, long to, boolean isDefault, boolean detachPending, long estimatedRows) {

    public boolean overlaps(long a, long b) {
        return !isDefault && from < b && a < to;
    }
}

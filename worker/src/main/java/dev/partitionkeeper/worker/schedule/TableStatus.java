package dev.partitionkeeper.worker.schedule;

import java.util.List;

/**
 * One table as {@code partition-keeper status} shows it: the live catalog and the bookkeeping schema.
 *
 * @param keyColumn the partition key, null when the catalog could not be read
 * @param partitions attached partitions (default last), with bounds in the policy's zone
 * @param runwayPartitions whole future periods covered after the current one
 * @param runwayEnd end of the contiguous runway, "none" without one
 * @param defaultRows exact rows in the default partition
 * @param problems what needs attention (layout check, failed archive steps, unreadable catalog)
 * @param archived partitions the bookkeeping schema knows: detached, exported, verified, dropped
 * @param recentActions the table's last entries in the action log, newest first
 * @param error why the catalog could not be read, null when it could
 * @param retentionAction the policy's {@code retention_action} ({@code detach_only}, {@code archive},
 *     {@code archive_and_drop}): only {@code archive_and_drop} tables ever drop, so only theirs have a drop-after
 */
public record TableStatus(
        String table,
        String keyColumn,
        String keyType,
        List<Partition> partitions,
        int runwayPartitions,
        int premake,
        String runwayEnd,
        long defaultRows,
        List<String> problems,
        List<Archived> archived,
        Counts counts,
        List<Action> recentActions,
        String error,
        String retentionAction) {

    /** Something needs attention. */
    public boolean attention() {
        return error != null || !problems.isEmpty();
    }

    /** Partitions PostgreSQL has never analysed: their row estimate is unknown. */
    public boolean hasUnanalysedPartitions() {
        return partitions.stream().anyMatch(p -> p.estimatedRows() < 0);
    }

    /** @param estimatedRows pg_class.reltuples, -1 when never analysed */
    public record Partition(
            String name, String from, String to, long estimatedRows, boolean isDefault, boolean detachPending) {}

    /**
     * @param state {@code detached}, {@code exported}, {@code verified} or {@code dropped} (the furthest step
     *     done)
     * @param dropAfter when a verified partition may be dropped; null for tables that never drop
     */
    public record Archived(
            String partition,
            String from,
            String to,
            String state,
            String detachedAt,
            String exportedAt,
            String verifiedAt,
            String dropAfter,
            String droppedAt,
            Long rows,
            String archive,
            String lastError,
            String archiveExpiredAt,
            String archiveExpiredBy) {}

    /** {@code expired}: archives deleted by archive_retention. */
    public record Counts(int detached, int exported, int verified, int dropped, int expired) {}

    public record Action(String at, String partition, String action, String outcome, String detail) {}
}

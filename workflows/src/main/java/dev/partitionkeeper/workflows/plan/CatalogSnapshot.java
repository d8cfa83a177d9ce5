package dev.partitionkeeper.workflows.plan;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the live catalog says about one partitioned table, read by an activity and planned on by
 * {@link MaintenancePlanner} without further I/O.
 *
 * @param table the parent
 * @param keyColumn the single partition key column
 * @param keyType its type
 * @param partitions every partition, default included, sorted by lower bound (default last)
 * @param defaultRows exact row count of the default partition (0 when there is none)
 * @param defaultMin lowest key in the default partition (axis value; 0 when empty)
 * @param defaultMax highest key in the default partition (axis value; 0 when empty)
 * @param keyStats key values read for integer keys, retention columns and UUIDv7 keys ({@link KeyStats#NONE}
 *     when none were read)
 */
public record CatalogSnapshot(
        TableName table,
        String keyColumn,
        KeyType keyType,
        List<PartitionInfo> partitions,
        long defaultRows,
        long defaultMin,
        long defaultMax,
        KeyStats keyStats) {

    public CatalogSnapshot {
        keyStats = keyStats == null ? KeyStats.NONE : keyStats;
        partitions = partitions.stream()
                .sorted(Comparator.comparing(PartitionInfo::isDefault).thenComparingLong(PartitionInfo::from))
                .toList();
    }

    /** A snapshot without {@link KeyStats}. */
    public CatalogSnapshot(
            TableName table,
            String keyColumn,
            KeyType keyType,
            List<PartitionInfo> partitions,
            long defaultRows,
            long defaultMin,
            long defaultMax) {
        this(table, keyColumn, keyType, partitions, defaultRows, defaultMin, defaultMax, KeyStats.NONE);
    }

    /** The same catalog with its key planned as {@code type} (a bigint key as an epoch key: same axis values). */
    public CatalogSnapshot withKeyType(KeyType type) {
        return new CatalogSnapshot(table, keyColumn, type, partitions, defaultRows, defaultMin, defaultMax, keyStats);
    }

    public CatalogSnapshot withKeyStats(KeyStats stats) {
        return new CatalogSnapshot(table, keyColumn, keyType, partitions, defaultRows, defaultMin, defaultMax, stats);
    }

    public Optional<PartitionInfo> defaultPartition() {
        return partitions.stream().filter(PartitionInfo::isDefault).findFirst();
    }

    /** Range partitions that are attached and not being detached, by lower bound. */
    public List<PartitionInfo> ranged() {
        return partitions.stream()
                .filter(p -> !p.isDefault() && !p.detachPending())
                .toList();
    }

    public Optional<PartitionInfo> named(String name) {
        return partitions.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}

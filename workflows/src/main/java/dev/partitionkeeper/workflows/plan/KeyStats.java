package dev.partitionkeeper.workflows.plan;

import dev.partitionkeeper.workflows.model.KeyType;
import java.util.Map;

/**
 * What the planner needs to know about a table's key values beyond its bounds, read cheaply (through
 * indexes) and only for the keys that need it.
 *
 * @param maxKey the largest key value (axis) in the attached range partitions, read from the newest non-empty
 *     partition; null when not read or when they hold no rows. Read for integer keys, whose runway counts from it.
 * @param retentionColumnType the type of the policy's retention_column, null without one
 * @param newestRetention per partition name, the newest value of the retention_column (a {@link KeyAxis} value of
 *     {@code retentionColumnType}), or {@link KeyAxis#MIN} for an empty partition; partitions not read are absent
 * @param defaultForeignRows rows in the default partition whose key no partition of this key can take (UUIDs that
 *     are not version 7)
 * @param keyUnindexed an integer key without a btree index on the parent: finding its largest value reads the
 *     newest non-empty partition whole every pass
 */
public record KeyStats(
        Long maxKey,
        KeyType retentionColumnType,
        Map<String, Long> newestRetention,
        long defaultForeignRows,
        boolean keyUnindexed) {
    public static final KeyStats NONE = new KeyStats(null, null, Map.of(), 0, false);

    public KeyStats(Long maxKey, KeyType retentionColumnType, Map<String, Long> newestRetention, long foreign) {
        this(maxKey, retentionColumnType, newestRetention, foreign, false);
    }

    public KeyStats {
        newestRetention = newestRetention == null ? Map.of() : Map.copyOf(newestRetention);
    }
}

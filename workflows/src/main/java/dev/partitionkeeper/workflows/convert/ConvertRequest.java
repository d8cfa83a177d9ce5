package dev.partitionkeeper.workflows.convert;

import dev.partitionkeeper.workflows.model.KeyEncoding;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.TableName;
import java.time.DateTimeException;
import java.time.ZoneId;

/**
 * One conversion of an unpartitioned table into a range-partitioned one (or its rollback / finish).
 *
 * @param table schema-qualified table, as the operator typed it (parsed with {@link TableName#parse})
 * @param column the partition key column (CONVERT only)
 * @param interval daily, weekly, monthly, quarterly or yearly (CONVERT only)
 * @param premake partitions to create ahead of the current period (default {@link #DEFAULT_PREMAKE})
 * @param defaultPartition keep a DEFAULT partition: rows beyond the runway go there instead of widening it
 * @param timezone partition boundaries are midnights in this zone (default UTC)
 * @param rowsPerSecond copy throttle; 0 means as fast as the server goes
 * @param batchRows rows per copy transaction (default {@link #DEFAULT_BATCH_ROWS})
 * @param mode convert, rollback or finish
 * @param keyEncoding for a bigint key holding time since the epoch: {@code epoch_seconds} ... {@code epoch_nanos}
 *     ({@link KeyEncoding}); null otherwise
 */
public record ConvertRequest(
        String table,
        String column,
        String interval,
        int premake,
        boolean defaultPartition,
        String timezone,
        long rowsPerSecond,
        int batchRows,
        ConvertMode mode,
        String keyEncoding) {

    public static final int DEFAULT_PREMAKE = 3;
    public static final int DEFAULT_BATCH_ROWS = 10_000;
    public static final int MAX_BATCH_ROWS = 1_000_000;

    /** A request without a key encoding. */
    public ConvertRequest(
            String table,
            String column,
            String interval,
            int premake,
            boolean defaultPartition,
            String timezone,
            long rowsPerSecond,
            int batchRows,
            ConvertMode mode) {
        this(table, column, interval, premake, defaultPartition, timezone, rowsPerSecond, batchRows, mode, null);
    }

    public static ConvertRequest convert(String table, String column, String interval) {
        return new ConvertRequest(
                table, column, interval, DEFAULT_PREMAKE, false, "UTC", 0, DEFAULT_BATCH_ROWS, ConvertMode.CONVERT);
    }

    public static ConvertRequest of(ConvertMode mode, String table) {
        return new ConvertRequest(table, null, null, DEFAULT_PREMAKE, false, "UTC", 0, DEFAULT_BATCH_ROWS, mode);
    }

    public ConvertRequest withPremake(int n) {
        return new ConvertRequest(
                table, column, interval, n, defaultPartition, timezone, rowsPerSecond, batchRows, mode, keyEncoding);
    }

    public ConvertRequest withDefaultPartition(boolean d) {
        return new ConvertRequest(
                table, column, interval, premake, d, timezone, rowsPerSecond, batchRows, mode, keyEncoding);
    }

    public ConvertRequest withThrottle(long perSecond, int batch) {
        return new ConvertRequest(
                table, column, interval, premake, defaultPartition, timezone, perSecond, batch, mode, keyEncoding);
    }

    public ConvertRequest withTimezone(String zone) {
        return new ConvertRequest(
                table, column, interval, premake, defaultPartition, zone, rowsPerSecond, batchRows, mode, keyEncoding);
    }

    public ConvertRequest withKeyEncoding(String encoding) {
        return new ConvertRequest(
                table, column, interval, premake, defaultPartition, timezone, rowsPerSecond, batchRows, mode, encoding);
    }

    /** The key encoding, null without one. */
    public KeyEncoding encoding() {
        return keyEncoding == null || keyEncoding.isBlank() ? null : KeyEncoding.parse(keyEncoding);
    }

    public ConvertMode modeOrDefault() {
        return mode == null ? ConvertMode.CONVERT : mode;
    }

    public TableName tableName() {
        return TableName.parse(table, "public");
    }

    public PartitionInterval partitionInterval() {
        return PartitionInterval.parse(interval);
    }

    public ZoneId zone() {
        return ZoneId.of(timezone == null || timezone.isBlank() ? "UTC" : timezone);
    }

    /**
     * Checks what can be checked without a database.
     *
     * @throws IllegalArgumentException naming the field, the rule and the value
     */
    public ConvertRequest validated() {
        tableName();
        if (modeOrDefault() != ConvertMode.CONVERT) {
            return this;
        }
        if (column == null || column.isBlank()) {
            throw new IllegalArgumentException("--column is required: the timestamp or date column to partition by");
        }
        partitionInterval();
        if (encoding() != null && partitionInterval().isValueStep()) {
            throw new IllegalArgumentException("--key-encoding " + keyEncoding + " partitions the key by time, but"
                    + " --interval " + interval + " is a step of key values; use a time interval such as daily");
        }
        if (premake < 0 || premake > 1000) {
            throw new IllegalArgumentException("premake must be between 0 and 1000 partitions ahead, got: " + premake);
        }
        if (rowsPerSecond < 0) {
            throw new IllegalArgumentException(
                    "rows per second must be 0 (unthrottled) or more, got: " + rowsPerSecond);
        }
        if (batchRows < 1 || batchRows > MAX_BATCH_ROWS) {
            throw new IllegalArgumentException(
                    "batch rows must be between 1 and " + MAX_BATCH_ROWS + ", got: " + batchRows);
        }
        try {
            zone();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "timezone must be a zone ID such as UTC or Europe/Berlin, got: \"" + timezone + "\"");
        }
        return this;
    }
}

package dev.partitionkeeper.workflows.convert;

import dev.partitionkeeper.workflows.model.KeyEncoding;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** Plans the twin's partitions from the key range of the existing rows. Pure: no I/O, no clock. */
public final class ConvertPlanner {
    /** More partitions than this at once is almost always a stray key (year 1970 or 9999), not a plan. */
    public static final int MAX_PARTITIONS = 5_000;

    private ConvertPlanner() {}

    /**
     * Partitions from the period of the oldest row to {@code premake} periods past the current one, widened to the
     * newest row unless a DEFAULT partition is kept (then rows beyond the runway go there).
     *
     * @throws IllegalArgumentException when that would be more than {@link #MAX_PARTITIONS} partitions
     */
    public static PartitionLayout layout(Inspection table, ConvertRequest request, Instant now) {
        PartitionInterval interval = request.partitionInterval();
        ZoneId zone = request.zone();
        TableName name = TableName.parse(table.table(), "public");
        KeyType type = KeyEncoding.apply(request.encoding(), table.keyType(), name.toString(), request.column());
        if (type.isInteger()) {
            return idLayout(table, request, name, type);
        }
        ZoneId periods = KeyAxis.periodZone(interval, zone, type);
        LocalDateTime current = interval.floor(KeyAxis.wallClock(KeyAxis.now(now, zone, type), periods, type));
        LocalDateTime end = interval.plus(current, (long) request.premake() + 1);
        LocalDateTime start = current;
        if (table.minKey() != null) {
            LocalDateTime oldest = interval.floor(KeyAxis.wallClock(table.minKey(), periods, type));
            if (oldest.isBefore(start)) {
                start = oldest;
            }
            LocalDateTime newest = interval.next(interval.floor(KeyAxis.wallClock(table.maxKey(), periods, type)));
            if (!request.defaultPartition() && newest.isAfter(end)) {
                end = newest;
            }
        }
        List<PlannedAction.CreatePartition> parts = new ArrayList<>();
        for (LocalDateTime s = start; s.isBefore(end); s = interval.next(s)) {
            if (parts.size() >= MAX_PARTITIONS) {
                throw new IllegalArgumentException(
                        "the rows of " + table.table() + " span " + display(table.minKey(), type, zone) + " to "
                                + display(table.maxKey(), type, zone) + ": more than " + MAX_PARTITIONS + " "
                                + interval.label()
                                + " partitions; use a coarser --interval, or --default-partition to send rows past"
                                + " the runway to a DEFAULT partition, or fix the stray keys first");
            }
            long a = KeyAxis.of(s, periods, type);
            long b = KeyAxis.of(interval.next(s), periods, type);
            parts.add(new PlannedAction.CreatePartition(
                    MaintenancePlanner.partitionName(name, interval.suffix(s)),
                    a,
                    b,
                    KeyAxis.display(a, type, zone),
                    KeyAxis.display(b, type, zone)));
        }
        return new PartitionLayout(
                parts, request.defaultPartition() ? MaintenancePlanner.partitionName(name, "default") : null);
    }

    /**
     * Integer keys: steps of key values from the one holding the smallest key to {@code premake} steps past the one
     * holding the largest (from 0 for an empty table).
     */
    private static PartitionLayout idLayout(Inspection table, ConvertRequest request, TableName name, KeyType type) {
        PartitionInterval interval = request.partitionInterval();
        KeyAxis.periodZone(interval, request.zone(), type);
        long step = interval.step();
        long min = table.minKey() == null ? 0 : table.minKey();
        long max = table.maxKey() == null ? min : table.maxKey();
        long start = Math.floorDiv(min, step) * step;
        long last = Math.floorDiv(max, step) * step;
        long count = (last - start) / step + 1 + request.premake();
        if (count > MAX_PARTITIONS) {
            throw new IllegalArgumentException("the rows of " + table.table() + " span " + request.column() + " " + min
                    + " to " + max + ": more than " + MAX_PARTITIONS + " partitions of " + step + " key values; use a"
                    + " larger --interval, or fix the stray keys first");
        }
        List<PlannedAction.CreatePartition> parts = new ArrayList<>();
        for (long a = start, i = 0; i < count; i++) {
            long b = a > MaintenancePlanner.maxKeyValue(type) - step ? KeyAxis.MAX : a + step;
            parts.add(new PlannedAction.CreatePartition(
                    MaintenancePlanner.idPartitionName(name, a),
                    a,
                    b,
                    Long.toString(a),
                    KeyAxis.display(b, type, null)));
            if (b == KeyAxis.MAX) {
                break;
            }
            a = b;
        }
        return new PartitionLayout(
                parts, request.defaultPartition() ? MaintenancePlanner.partitionName(name, "default") : null);
    }

    private static String display(Long axis, KeyType type, ZoneId zone) {
        return axis == null ? "-" : KeyAxis.display(axis, type, zone);
    }
}

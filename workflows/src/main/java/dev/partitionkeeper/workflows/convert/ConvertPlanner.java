package dev.partitionkeeper.workflows.convert;

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
        KeyType type = table.keyType();
        TableName name = TableName.parse(table.table(), "public");
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

    private static String display(Long axis, KeyType type, ZoneId zone) {
        return axis == null ? "-" : KeyAxis.display(axis, type, zone);
    }
}

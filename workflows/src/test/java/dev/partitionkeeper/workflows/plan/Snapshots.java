package dev.partitionkeeper.workflows.plan;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

/** Builders for catalog snapshots, written with literal dates so expectations never reuse planner code. */
final class Snapshots {
    static final TableName TRANSACTIONS = new TableName("public", "transactions");
    static final String KEY = "created_at";

    private Snapshots() {}

    /** Midnight of {@code isoDate} read as UTC: the axis value of that date for every key type in a UTC policy. */
    static long day(String isoDate) {
        return KeyAxis.micros(LocalDate.parse(isoDate).atStartOfDay().toInstant(ZoneOffset.UTC));
    }

    /** The axis value of an instant such as {@code 2026-03-28T23:00:00Z} (timestamptz). */
    static long at(String isoInstant) {
        return KeyAxis.micros(Instant.parse(isoInstant));
    }

    static PartitionInfo range(String name, long from, long to) {
        return new PartitionInfo("public", name, from, to, false, false, -1);
    }

    /** {@code transactions_<suffix>} for [from, to), both UTC dates. */
    static PartitionInfo range(String suffix, String fromDate, String toDate) {
        return range("transactions_" + suffix, day(fromDate), day(toDate));
    }

    static PartitionInfo pendingDetach(String name, long from, long to) {
        return new PartitionInfo("public", name, from, to, false, true, -1);
    }

    static PartitionInfo defaultPartition() {
        return new PartitionInfo("public", "transactions_default", 0, 0, true, false, -1);
    }

    static CatalogSnapshot snapshot(KeyType type, List<PartitionInfo> parts) {
        return new CatalogSnapshot(TRANSACTIONS, KEY, type, parts, 0, 0, 0);
    }

    static CatalogSnapshot snapshot(PartitionInfo... parts) {
        return snapshot(KeyType.TIMESTAMPTZ, List.of(parts));
    }

    static CatalogSnapshot withDefaultRows(CatalogSnapshot s, long rows, long min, long max) {
        return new CatalogSnapshot(s.table(), s.keyColumn(), s.keyType(), s.partitions(), rows, min, max);
    }

    static List<PlannedAction.CreatePartition> creates(MaintenancePlan plan) {
        return only(plan, PlannedAction.CreatePartition.class).toList();
    }

    static List<PlannedAction.DetachPartition> detaches(MaintenancePlan plan) {
        return only(plan, PlannedAction.DetachPartition.class).toList();
    }

    static List<Finding.Kind> kinds(MaintenancePlan plan) {
        return plan.findings().stream().map(Finding::kind).toList();
    }

    static List<Finding> findings(MaintenancePlan plan, Finding.Kind kind) {
        return plan.findings().stream().filter(f -> f.kind() == kind).toList();
    }

    private static <T extends PlannedAction> Stream<T> only(MaintenancePlan plan, Class<T> type) {
        return plan.actions().stream().filter(type::isInstance).map(type::cast);
    }
}

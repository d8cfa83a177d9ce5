package dev.partitionkeeper.workflows.plan;

import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.KeyEncoding;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.PartitionNameTemplate;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns catalog state, a policy and "now" into an ordered list of actions and findings. Pure: no
 * I/O and no clock, so it is unit-tested without a database and runs the same wherever it runs.
 *
 * <p>Order: finalize interrupted detaches, create the default partition if the policy wants one,
 * create missing runway partitions (oldest first, so rows parked in the default move early), then
 * detach partitions past retention (oldest first).
 */
public final class MaintenancePlanner {

    private MaintenancePlanner() {}

    public static MaintenancePlan plan(CatalogSnapshot snap, TablePolicy policy, Instant now) {
        return plan(snap, policy, now, List.of());
    }

    /**
     * As {@link #plan(CatalogSnapshot, TablePolicy, Instant)}, plus the archive chain for partitions
     * detached in this pass and earlier ones ({@code detached}, from the bookkeeping schema): export, then
     * verify, then (retention_action archive_and_drop, grace period over) drop.
     */
    public static MaintenancePlan plan(
            CatalogSnapshot snap, TablePolicy policy, Instant now, List<ArchiveState> detached) {
        snap = keyed(snap, policy);
        if (snap.keyType().isInteger()) {
            return IdPlanner.plan(snap, policy, now, detached);
        }
        ZoneId zone = policy.zone();
        KeyType type = snap.keyType();
        PartitionInterval interval = policy.interval();
        PartitionNameTemplate names = policy.partitionName() == null
                ? null
                : PartitionNameTemplate.of(policy.partitionName(), policy.table(), interval);
        ZoneId periods = KeyAxis.periodZone(interval, zone, type);
        long nowAxis = KeyAxis.now(now, zone, type);
        LocalDateTime nowWall = KeyAxis.wallClock(nowAxis, zone, type);
        LocalDateTime current = interval.floor(KeyAxis.wallClock(nowAxis, periods, type));

        List<PlannedAction> actions = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        prelude(snap, policy, actions, findings);

        List<PartitionInfo> ranged = snap.ranged();
        long currentAxis = KeyAxis.of(current, periods, type);
        int runway = runway(ranged, policy, current, periods, type);
        if (runway < policy.premake()) {
            findings.add(new Finding(
                    Finding.Kind.RUNWAY_SHORT,
                    runway + " future partition" + (runway == 1 ? "" : "s")
                            + " exist after the current one; premake wants " + policy.premake()));
        }

        // Runway: the current period and premake periods after it.
        List<long[]> planned = new ArrayList<>();
        for (int i = 0; i <= policy.premake(); i++) {
            LocalDateTime start = interval.plus(current, i);
            LocalDateTime end = interval.next(start);
            long a = KeyAxis.of(start, periods, type);
            long b = KeyAxis.of(end, periods, type);
            if (!wanted(snap, a, b, interval, findings, zone)) {
                continue;
            }
            String name = names == null
                    ? partitionName(snap.table(), interval.suffix(start))
                    : names.expand(snap.table(), start);
            actions.add(new PlannedAction.CreatePartition(
                    name, a, b, KeyAxis.display(a, type, zone), KeyAxis.display(b, type, zone)));
            planned.add(new long[] {a, b});
        }

        if (policy.retention() != null) {
            long cutoff = KeyAxis.of(policy.retention().subtractFrom(nowWall), zone, type);
            for (PartitionInfo p : ranged) {
                // wholly older than the cutoff, and never the current period or later
                if (p.to() != KeyAxis.MAX && p.to() <= cutoff && p.to() <= currentAxis) {
                    actions.add(new PlannedAction.DetachPartition(
                            p.name(),
                            p.from(),
                            p.to(),
                            KeyAxis.display(p.from(), type, zone),
                            KeyAxis.display(p.to(), type, zone)));
                }
            }
        }

        planArchive(actions, policy, now, detached);
        actions.addAll(ArchiveExpiry.plan(policy, type, now, detached));
        findings.addAll(gaps(ranged, planned, type, zone));
        return new MaintenancePlan(
                snap.table(), snap.keyColumn(), type, nowAxis, List.copyOf(actions), List.copyOf(findings), runway);
    }

    /**
     * The snapshot with its key planned as the policy says: a bigint key with a {@code key_encoding} as an epoch
     * key. Its axis values stay as read (the stored numbers).
     *
     * @throws IllegalArgumentException for a {@code key_encoding} on a key that is not a bigint
     */
    public static CatalogSnapshot keyed(CatalogSnapshot snap, TablePolicy policy) {
        KeyType type = KeyEncoding.apply(
                policy.keyEncoding(), snap.keyType(), snap.table().toString(), snap.keyColumn());
        return type == snap.keyType() ? snap : snap.withKeyType(type);
    }

    /** Interrupted detaches to finalize, the default partition to create, and what the default partition holds. */
    static void prelude(CatalogSnapshot snap, TablePolicy policy, List<PlannedAction> actions, List<Finding> findings) {
        ZoneId zone = policy.zone();
        KeyType type = snap.keyType();
        for (PartitionInfo p : snap.partitions()) {
            if (p.detachPending()) {
                findings.add(new Finding(
                        Finding.Kind.DETACH_PENDING,
                        "detach of " + p.name() + " was left pending by an interrupted run; finalizing it first"));
                actions.add(new PlannedAction.FinalizeDetach(
                        p.name(), KeyAxis.display(p.from(), type, zone), KeyAxis.display(p.to(), type, zone)));
            }
        }

        var def = snap.defaultPartition();
        if (def.isEmpty() && policy.defaultPartition() == DefaultPartitionMode.CREATE) {
            actions.add(new PlannedAction.CreateDefaultPartition(partitionName(snap.table(), "default")));
        }
        if (def.isPresent() && policy.defaultPartition() == DefaultPartitionMode.NONE) {
            findings.add(new Finding(
                    Finding.Kind.DEFAULT_PARTITION,
                    "policy says default_partition: none but " + def.get().name()
                            + " exists; it is left alone (move its rows, then drop it by hand)"));
        }
        if (snap.defaultRows() > 0) {
            findings.add(new Finding(
                    Finding.Kind.DEFAULT_ROWS,
                    "default partition " + def.map(PartitionInfo::name).orElse("?")
                            + " holds " + snap.defaultRows() + " rows with " + snap.keyColumn() + " from "
                            + KeyAxis.display(snap.defaultMin(), type, zone) + " to "
                            + KeyAxis.display(snap.defaultMax(), type, zone)));
        }

        if (snap.keyStats().defaultForeignRows() > 0) {
            findings.add(new Finding(
                    Finding.Kind.DEFAULT_ROWS,
                    snap.keyStats().defaultForeignRows() + " rows of default partition "
                            + def.map(PartitionInfo::name).orElse("?") + " have a " + snap.keyColumn()
                            + " that is not a UUIDv7, so no partition can take them; move them out by hand"));
        }
    }

    /**
     * Whether [a, b) is still to be created: false when a partition has exactly these bounds, or when one of
     * another shape overlaps it (hand-made, or an older interval: never fought, reported when misaligned).
     */
    static boolean wanted(
            CatalogSnapshot snap, long a, long b, PartitionInterval interval, List<Finding> findings, ZoneId zone) {
        KeyType type = snap.keyType();
        PartitionInfo exact = null;
        PartitionInfo overlapping = null;
        for (PartitionInfo p : snap.partitions()) {
            if (p.isDefault()) {
                continue;
            }
            if (p.from() == a && p.to() == b) {
                exact = p;
            } else if (p.overlaps(a, b)) {
                overlapping = p;
            }
        }
        if (exact != null) {
            return false;
        }
        if (overlapping != null) {
            if (!(overlapping.from() <= a && overlapping.to() >= b)) {
                findings.add(new Finding(
                        Finding.Kind.MISALIGNED,
                        "partition " + overlapping.name() + " [" + KeyAxis.display(overlapping.from(), type, zone)
                                + ", " + KeyAxis.display(overlapping.to(), type, zone) + ") overlaps the planned "
                                + interval.label() + " range [" + KeyAxis.display(a, type, zone) + ", "
                                + KeyAxis.display(b, type, zone) + "); not creating it"));
            }
            return false;
        }
        return true;
    }

    static void planArchive(List<PlannedAction> actions, TablePolicy policy, Instant now, List<ArchiveState> detached) {
        if (policy.retentionAction() == RetentionAction.DETACH_ONLY) {
            return;
        }
        boolean drop = policy.retentionAction() == RetentionAction.ARCHIVE_AND_DROP;
        boolean dropAtOnce = drop && policy.dropGraceDays() == 0;
        List<PlannedAction> chain = new ArrayList<>();
        Set<String> handled = new HashSet<>();
        for (PlannedAction a : actions) {
            if (a instanceof PlannedAction.DetachPartition d) {
                handled.add(d.partition());
                chain.add(new PlannedAction.ExportPartition(d.partition(), d.fromText(), d.toText()));
                chain.add(new PlannedAction.VerifyArchive(d.partition()));
                if (dropAtOnce) {
                    chain.add(new PlannedAction.DropPartition(d.partition()));
                }
            }
        }
        for (ArchiveState s : detached) {
            if (s.dropped() || !handled.add(s.partition())) {
                continue;
            }
            if (!s.exported()) {
                chain.add(new PlannedAction.ExportPartition(s.partition(), s.fromText(), s.toText()));
            }
            if (!s.verified()) {
                chain.add(new PlannedAction.VerifyArchive(s.partition()));
                if (dropAtOnce) {
                    chain.add(new PlannedAction.DropPartition(s.partition()));
                }
            } else if (drop && s.dropAfterMillis() != 0 && s.dropAfterMillis() <= now.toEpochMilli()) {
                chain.add(new PlannedAction.DropPartition(s.partition()));
            }
        }
        actions.addAll(chain);
    }

    /**
     * How many whole periods after the current one are covered, contiguously, by attached partitions
     * (whatever their shape). {@code current} and {@code zone} are in the period zone ({@link KeyAxis#periodZone}).
     */
    static int runway(
            List<PartitionInfo> ranged, TablePolicy policy, LocalDateTime current, ZoneId zone, KeyType type) {
        PartitionInterval interval = policy.interval();
        int n = 0;
        LocalDateTime start = interval.next(current);
        // bounded: nobody keeps more than a few thousand periods ahead
        for (int i = 0; i < 10_000; i++) {
            long a = KeyAxis.of(start, zone, type);
            LocalDateTime endWall = interval.next(start);
            long b = KeyAxis.of(endWall, zone, type);
            if (!covered(ranged, a, b)) {
                break;
            }
            n++;
            start = endWall;
        }
        return n;
    }

    /** Whether [a, b) is covered without holes by the given partitions. */
    static boolean covered(List<PartitionInfo> ranged, long a, long b) {
        long at = a;
        for (PartitionInfo p : ranged) {
            if (p.from() <= at && p.to() > at) {
                at = p.to();
                if (at >= b) {
                    return true;
                }
            }
        }
        return at >= b;
    }

    /** Holes between consecutive partitions that the plan does not fill. */
    static List<Finding> gaps(List<PartitionInfo> ranged, List<long[]> planned, KeyType type, ZoneId zone) {
        List<long[]> all = new ArrayList<>();
        for (PartitionInfo p : ranged) {
            all.add(new long[] {p.from(), p.to()});
        }
        all.addAll(planned);
        all.sort((x, y) -> Long.compare(x[0], y[0]));
        List<Finding> out = new ArrayList<>();
        for (int i = 1; i < all.size(); i++) {
            long prevEnd = all.get(i - 1)[1];
            long nextStart = all.get(i)[0];
            if (prevEnd < nextStart) {
                out.add(new Finding(
                        Finding.Kind.GAP,
                        "no partition covers [" + KeyAxis.display(prevEnd, type, zone) + ", "
                                + KeyAxis.display(nextStart, type, zone)
                                + "); rows there go to the default partition or fail"));
            }
        }
        return out;
    }

    /**
     * Whether a partition whose upper bound is {@code toAxis} (on the axis of {@code type}, the key as the policy
     * reads it) is past the policy's {@code archive_retention} at {@code now}; false without one, for a key not
     * partitioned by time, and for {@link KeyAxis#MAX}.
     */
    public static boolean pastArchiveRetention(TablePolicy policy, KeyType type, long toAxis, Instant now) {
        return policy.archiveRetention() != null
                && type.isTimed()
                && toAxis != KeyAxis.MAX
                && toAxis <= ArchiveExpiry.cutoff(policy, type, now);
    }

    /** The name of an integer key's partition starting at {@code from}: {@code <table>_p1000000}. */
    public static String idPartitionName(TableName table, long from) {
        return partitionName(table, IdPlanner.suffix(from));
    }

    /** The largest value of an integer key's type ({@link KeyAxis#MAX} - 1 for bigint and numeric). */
    public static long maxKeyValue(KeyType type) {
        return IdPlanner.maxValue(type);
    }

    /**
     * {@code <table>_<suffix>}, the table part cut (on a character boundary) so that the whole stays
     * within PostgreSQL's 63-byte identifier limit.
     */
    public static String partitionName(TableName table, String suffix) {
        String base = table.table();
        String tail = "_" + suffix;
        int budget = TableName.MAX_IDENTIFIER_BYTES - tail.getBytes(StandardCharsets.UTF_8).length;
        while (base.getBytes(StandardCharsets.UTF_8).length > budget) {
            base = base.substring(0, base.offsetByCodePoints(base.length(), -1));
        }
        return base + tail;
    }
}

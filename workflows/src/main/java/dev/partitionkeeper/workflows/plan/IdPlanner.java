package dev.partitionkeeper.workflows.plan;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionNameTemplate;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link MaintenancePlanner} for integer keys partitioned by a step of key values ({@code interval: 1000000}).
 * Pure, like the time planner.
 *
 * <p>The current partition is the one holding the table's largest key ({@link KeyStats#maxKey}, read from the
 * newest non-empty partition through its index): premake partitions are kept after it, so the runway follows
 * the ids, not the clock. A table that stops growing keeps its runway; one without rows counts from the
 * lowest key parked in its default partition, else from its lowest partition, else from 0.
 *
 * <p>Retention either keeps the newest N key values (a partition is detached when all its keys are below the
 * largest key minus N, as pg_partman does), or, with a {@code retention_column}, detaches a partition once the
 * newest value of that column in it is older than the window. Never the current partition or a later one.
 */
final class IdPlanner {

    private static final long DAY_MICROS = 86_400_000_000L;

    private IdPlanner() {}

    static MaintenancePlan plan(CatalogSnapshot snap, TablePolicy policy, Instant now, List<ArchiveState> detached) {
        KeyType type = snap.keyType();
        ZoneId zone = policy.zone();
        // refuses a time interval on an integer key, with the fix
        KeyAxis.periodZone(policy.interval(), zone, type);
        long step = policy.interval().step();
        List<PlannedAction> actions = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        MaintenancePlanner.prelude(snap, policy, actions, findings);

        if (snap.keyStats().keyUnindexed()) {
            findings.add(new Finding(
                    Finding.Kind.KEY_UNINDEXED,
                    "no index on " + snap.keyColumn() + ": each pass reads the newest partition with rows whole to"
                            + " find the largest key; create one (CREATE INDEX ON "
                            + snap.table().quoted() + " ("
                            + TableName.quoteIdent(snap.keyColumn()) + "))"));
        }
        List<PartitionInfo> ranged = snap.ranged();
        long position = position(snap, ranged);
        long current = Math.floorDiv(position, step) * step;
        int runway = runway(ranged, current, step, type);
        if (runway < policy.premake()) {
            findings.add(new Finding(
                    Finding.Kind.RUNWAY_SHORT,
                    runway + " partition" + (runway == 1 ? "" : "s") + " exist after the one holding "
                            + snap.keyColumn() + " " + position + "; premake wants " + policy.premake()));
        }

        List<long[]> planned = new ArrayList<>();
        PartitionNameTemplate names = policy.partitionName() == null
                ? null
                : PartitionNameTemplate.ofValues(policy.partitionName(), policy.table());
        long a = current;
        for (int i = 0; i <= policy.premake() && a <= maxValue(type); i++) {
            long b = a > maxValue(type) - step ? KeyAxis.MAX : a + step;
            if (MaintenancePlanner.wanted(snap, a, b, policy.interval(), findings, zone)) {
                actions.add(new PlannedAction.CreatePartition(
                        names == null
                                ? MaintenancePlanner.partitionName(snap.table(), suffix(a))
                                : names.expandValues(snap.table(), a),
                        a,
                        b,
                        KeyAxis.display(a, type, zone),
                        KeyAxis.display(b, type, zone)));
                planned.add(new long[] {a, b});
            }
            if (b == KeyAxis.MAX) {
                break;
            }
            a = b;
        }

        Retention retention = policy.retention();
        if (retention != null && retention.isValues()) {
            Long max = snap.keyStats().maxKey();
            if (max != null) {
                long cutoff;
                try {
                    cutoff = Math.subtractExact(max, retention.amount());
                } catch (ArithmeticException e) {
                    cutoff = KeyAxis.MIN + 1;
                }
                for (PartitionInfo p : ranged) {
                    if (p.to() != KeyAxis.MAX && p.to() <= cutoff && p.to() <= current) {
                        actions.add(detach(p, type, zone));
                    }
                }
            }
        } else if (retention != null) {
            detachAged(snap, policy, now, ranged, current, actions);
        }

        MaintenancePlanner.planArchive(actions, policy, now, detached);
        findings.addAll(MaintenancePlanner.gaps(ranged, planned, type, zone));
        return new MaintenancePlan(
                snap.table(), snap.keyColumn(), type, position, List.copyOf(actions), List.copyOf(findings), runway);
    }

    /**
     * Partitions wholly below the current one whose newest retention_column value is older than the window,
     * and the empty ones below the newest of those (an empty partition has no age of its own; one between aged
     * partitions will not fill up again).
     */
    private static void detachAged(
            CatalogSnapshot snap,
            TablePolicy policy,
            Instant now,
            List<PartitionInfo> ranged,
            long current,
            List<PlannedAction> actions) {
        KeyStats stats = snap.keyStats();
        KeyType colType = stats.retentionColumnType();
        if (colType == null) {
            // the activity reads the column before planning; without it nothing can be judged aged
            return;
        }
        ZoneId zone = policy.zone();
        LocalDateTime nowWall = KeyAxis.wallClock(KeyAxis.now(now, zone, colType), zone, colType);
        long cutoff = KeyAxis.of(policy.retention().subtractFrom(nowWall), zone, colType);
        if (colType == KeyType.DATE) {
            // a date is its whole day: a row of 2025-12-01 may be from 23:59 that day, so that day ages only once
            // it ends before the cutoff (n + 1 day <= cutoff), as a date key's partition [d, d + 1) would
            cutoff = cutoff - DAY_MICROS + 1;
        }
        Map<String, Long> newest = stats.newestRetention();
        int last = -1;
        for (int i = 0; i < ranged.size(); i++) {
            PartitionInfo p = ranged.get(i);
            Long n = newest.get(p.name());
            if (below(p, current) && n != null && n != KeyAxis.MIN && n < cutoff) {
                last = i;
            }
        }
        for (int i = 0; i <= last; i++) {
            PartitionInfo p = ranged.get(i);
            Long n = newest.get(p.name());
            if (below(p, current) && n != null && (n == KeyAxis.MIN || n < cutoff)) {
                actions.add(detach(p, snap.keyType(), zone));
            }
        }
    }

    private static boolean below(PartitionInfo p, long current) {
        return p.to() != KeyAxis.MAX && p.to() <= current;
    }

    private static PlannedAction.DetachPartition detach(PartitionInfo p, KeyType type, ZoneId zone) {
        return new PlannedAction.DetachPartition(
                p.name(), p.from(), p.to(), KeyAxis.display(p.from(), type, zone), KeyAxis.display(p.to(), type, zone));
    }

    /** The key value the runway counts from: the largest key in the partitions, else the lowest one parked. */
    static long position(CatalogSnapshot snap, List<PartitionInfo> ranged) {
        Long max = snap.keyStats().maxKey();
        if (max != null) {
            return max;
        }
        if (snap.defaultRows() > 0) {
            return snap.defaultMin();
        }
        for (PartitionInfo p : ranged) {
            if (p.from() != KeyAxis.MIN) {
                return p.from();
            }
        }
        return 0;
    }

    /** How many whole steps after the current one are covered, contiguously, by attached partitions. */
    static int runway(List<PartitionInfo> ranged, long current, long step, KeyType type) {
        int n = 0;
        long a = current;
        for (int i = 0; i < 10_000; i++) {
            if (a > maxValue(type) - step) {
                break;
            }
            a += step;
            long b = a > maxValue(type) - step ? KeyAxis.MAX : a + step;
            if (!MaintenancePlanner.covered(ranged, a, b)) {
                break;
            }
            n++;
        }
        return n;
    }

    /** The largest value of the key's type (a bigint's is also {@link KeyAxis#MAX}, written MAXVALUE). */
    static long maxValue(KeyType type) {
        return switch (type) {
            case SMALLINT -> Short.MAX_VALUE;
            case INTEGER -> Integer.MAX_VALUE;
            default -> Long.MAX_VALUE - 1;
        };
    }

    /** {@code p1000000}, {@code pm1000} for a negative lower bound. */
    static String suffix(long from) {
        return from < 0 ? "pm" + (from == Long.MIN_VALUE ? "inf" : Long.toString(-from)) : "p" + from;
    }
}

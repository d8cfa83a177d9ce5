package dev.partitionkeeper.workflows.plan;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** Checks a table's layout against its policy. Pure, like the planner. */
public final class LayoutVerifier {

    private LayoutVerifier() {}

    public static LayoutReport verify(CatalogSnapshot snap, TablePolicy policy, Instant now) {
        snap = MaintenancePlanner.keyed(snap, policy);
        ZoneId zone = policy.zone();
        KeyType type = snap.keyType();
        List<PartitionInfo> ranged = snap.ranged();
        List<String> problems = new ArrayList<>();
        long currentStart;
        long currentEnd;
        int runway;
        String runwayEnd;
        if (type.isInteger()) {
            // integer keys: the current partition is the one holding the largest key
            KeyAxis.periodZone(policy.interval(), zone, type);
            long step = policy.interval().step();
            currentStart = Math.floorDiv(IdPlanner.position(snap, ranged), step) * step;
            currentEnd = currentStart > IdPlanner.maxValue(type) - step ? KeyAxis.MAX : currentStart + step;
            runway = IdPlanner.runway(ranged, currentStart, step, type);
            runwayEnd = runway == 0 ? "none" : Long.toString(currentStart + (runway + 1L) * step);
        } else {
            ZoneId periods = KeyAxis.periodZone(policy.interval(), zone, type);
            long nowAxis = KeyAxis.now(now, zone, type);
            LocalDateTime current = policy.interval().floor(KeyAxis.wallClock(nowAxis, periods, type));
            currentStart = KeyAxis.of(current, periods, type);
            currentEnd = KeyAxis.of(policy.interval().next(current), periods, type);
            runway = MaintenancePlanner.runway(ranged, policy, current, periods, type);
            runwayEnd = runway == 0
                    ? "none"
                    : KeyAxis.display(
                            KeyAxis.of(policy.interval().plus(current, runway + 1L), periods, type), type, zone);
        }
        if (!MaintenancePlanner.covered(ranged, currentStart, currentEnd)) {
            problems.add(
                    "the current " + policy.interval().label() + " period [" + KeyAxis.display(currentStart, type, zone)
                            + ", " + KeyAxis.display(currentEnd, type, zone) + ") is not covered by a partition");
        }
        if (runway < policy.premake()) {
            problems.add("runway is " + runway + " partition" + (runway == 1 ? "" : "s") + ", premake wants "
                    + policy.premake());
        }
        for (Finding f : MaintenancePlanner.gaps(ranged, List.of(), type, zone)) {
            problems.add(f.message());
        }
        for (PartitionInfo p : snap.partitions()) {
            if (p.detachPending()) {
                problems.add("detach of " + p.name() + " is still pending");
            }
        }
        if (snap.defaultRows() > 0) {
            problems.add("default partition holds " + snap.defaultRows() + " rows (" + snap.keyColumn() + " from "
                    + KeyAxis.display(snap.defaultMin(), type, zone) + " to "
                    + KeyAxis.display(snap.defaultMax(), type, zone)
                    + ")");
        }
        return new LayoutReport(
                problems.isEmpty(), runway, runwayEnd, ranged.size(), snap.defaultRows(), List.copyOf(problems));
    }
}

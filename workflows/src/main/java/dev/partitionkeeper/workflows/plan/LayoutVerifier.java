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
        ZoneId zone = policy.zone();
        KeyType type = snap.keyType();
        ZoneId periods = KeyAxis.periodZone(policy.interval(), zone, type);
        long nowAxis = KeyAxis.now(now, zone, type);
        LocalDateTime current = policy.interval().floor(KeyAxis.wallClock(nowAxis, periods, type));
        List<PartitionInfo> ranged = snap.ranged();
        List<String> problems = new ArrayList<>();

        long currentStart = KeyAxis.of(current, periods, type);
        long currentEnd = KeyAxis.of(policy.interval().next(current), periods, type);
        if (!MaintenancePlanner.covered(ranged, currentStart, currentEnd)) {
            problems.add(
                    "the current " + policy.interval().label() + " period [" + KeyAxis.display(currentStart, type, zone)
                            + ", " + KeyAxis.display(currentEnd, type, zone) + ") is not covered by a partition");
        }
        int runway = MaintenancePlanner.runway(ranged, policy, current, periods, type);
        if (runway < policy.premake()) {
            problems.add("runway is " + runway + " partition" + (runway == 1 ? "" : "s") + ", premake wants "
                    + policy.premake());
        }
        String runwayEnd = runway == 0
                ? "none"
                : KeyAxis.display(KeyAxis.of(policy.interval().plus(current, runway + 1L), periods, type), type, zone);
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

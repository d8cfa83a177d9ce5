package dev.partitionkeeper.workflows.plan;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code archive_retention}: which archives to delete. Only a partition whose archive was verified and whose
 * detached table was then dropped is a candidate, and only when its upper bound is at or before now minus
 * {@code archive_retention}, counted in the policy's zone as retention is. Pure, like the planner.
 */
final class ArchiveExpiry {

    private ArchiveExpiry() {}

    static List<PlannedAction> plan(TablePolicy policy, KeyType type, Instant now, List<ArchiveState> detached) {
        List<PlannedAction> out = new ArrayList<>();
        if (policy.archiveRetention() == null || !type.isTimed()) {
            return out;
        }
        long cutoff = cutoff(policy, type, now);
        for (ArchiveState s : detached) {
            if (!s.exported() || !s.verified() || !s.dropped() || s.expired()) {
                continue;
            }
            if (s.toAxis() != KeyAxis.MAX && s.toAxis() <= cutoff) {
                out.add(new PlannedAction.ExpireArchive(s.partition(), s.fromText(), s.toText()));
            }
        }
        return out;
    }

    /** The axis value at or before which an upper bound is past {@code archive_retention} at {@code now}. */
    static long cutoff(TablePolicy policy, KeyType type, Instant now) {
        ZoneId zone = policy.zone();
        LocalDateTime nowWall = KeyAxis.wallClock(KeyAxis.now(now, zone, type), zone, type);
        return KeyAxis.of(policy.archiveRetention().subtractFrom(nowWall), zone, type);
    }
}

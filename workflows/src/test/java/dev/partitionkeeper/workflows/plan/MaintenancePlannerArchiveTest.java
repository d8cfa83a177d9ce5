package dev.partitionkeeper.workflows.plan;

import static dev.partitionkeeper.workflows.plan.Snapshots.TRANSACTIONS;
import static dev.partitionkeeper.workflows.plan.Snapshots.range;
import static dev.partitionkeeper.workflows.plan.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The archive half of the plan: export, verify, drop, and what each retention_action allows. */
class MaintenancePlannerArchiveTest {
    static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
    static final long DAY = 86_400_000L;

    static final CatalogSnapshot SNAP = snapshot(
            range("p2025_02", "2025-02-01", "2025-03-01"),
            range("p2025_03", "2025-03-01", "2025-04-01"),
            range("p2026_03", "2026-03-01", "2026-04-01"),
            range("p2026_04", "2026-04-01", "2026-05-01"));

    static TablePolicy policy(RetentionAction action, int graceDays) {
        return new TablePolicy(
                TRANSACTIONS,
                PartitionInterval.MONTHLY,
                1,
                Retention.parse("12 months"),
                "UTC",
                null,
                action,
                graceDays);
    }

    static List<String> summaries(MaintenancePlan plan) {
        return plan.actions().stream().map(PlannedAction::summary).toList();
    }

    @Test
    void detachOnlyNeverPlansArchiveSteps() {
        var plan = MaintenancePlanner.plan(
                SNAP,
                policy(RetentionAction.DETACH_ONLY, 7),
                NOW,
                List.of(new ArchiveState("transactions_p2024_12", "2024-12-01", "2025-01-01", false, false, 0, false)));
        assertEquals(List.of("detach transactions_p2025_02 [2025-02-01, 2025-03-01)"), summaries(plan));
    }

    @Test
    void archivePlansExportAndVerifyRightAfterTheDetachButNoDrop() {
        var plan = MaintenancePlanner.plan(SNAP, policy(RetentionAction.ARCHIVE, 0), NOW, List.of());
        assertEquals(
                List.of(
                        "detach transactions_p2025_02 [2025-02-01, 2025-03-01)",
                        "export transactions_p2025_02 [2025-02-01, 2025-03-01)",
                        "verify archive of transactions_p2025_02"),
                summaries(plan));
    }

    @Test
    void archiveAndDropWithoutGraceDropsInTheSamePassAfterVerify() {
        var plan = MaintenancePlanner.plan(SNAP, policy(RetentionAction.ARCHIVE_AND_DROP, 0), NOW, List.of());
        assertEquals(
                List.of(
                        "detach transactions_p2025_02 [2025-02-01, 2025-03-01)",
                        "export transactions_p2025_02 [2025-02-01, 2025-03-01)",
                        "verify archive of transactions_p2025_02",
                        "drop detached transactions_p2025_02"),
                summaries(plan));
    }

    @Test
    void earlierDetachedPartitionsResumeWhereTheyStopped() {
        var states = List.of(
                new ArchiveState("t_not_exported", "a", "b", false, false, 0, false),
                new ArchiveState("t_exported", "a", "b", true, false, 0, false),
                new ArchiveState("t_grace_running", "a", "b", true, true, NOW.toEpochMilli() + DAY, false),
                new ArchiveState("t_grace_over", "a", "b", true, true, NOW.toEpochMilli() - 1, false),
                new ArchiveState("t_grace_exact", "a", "b", true, true, NOW.toEpochMilli(), false),
                new ArchiveState("t_dropped", "a", "b", true, true, NOW.toEpochMilli() - DAY, true));
        var plan = MaintenancePlanner.plan(
                snapshot(range("p2026_03", "2026-03-01", "2026-04-01"), range("p2026_04", "2026-04-01", "2026-05-01")),
                policy(RetentionAction.ARCHIVE_AND_DROP, 7),
                NOW,
                states);
        assertEquals(
                List.of(
                        "export t_not_exported [a, b)",
                        "verify archive of t_not_exported",
                        "verify archive of t_exported",
                        "drop detached t_grace_over",
                        "drop detached t_grace_exact"),
                summaries(plan));
    }

    @Test
    void archiveWithoutDropNeverDropsEvenPastTheDropTime() {
        var states = List.of(new ArchiveState("t_verified", "a", "b", true, true, NOW.toEpochMilli() - DAY, false));
        var plan = MaintenancePlanner.plan(
                snapshot(range("p2026_03", "2026-03-01", "2026-04-01"), range("p2026_04", "2026-04-01", "2026-05-01")),
                policy(RetentionAction.ARCHIVE, 7),
                NOW,
                states);
        assertEquals(List.of(), summaries(plan));
    }

    @Test
    void aPartitionDetachedThisPassIsNotPlannedTwiceWhenBookkeepingAlreadyHasIt() {
        var states =
                List.of(new ArchiveState("transactions_p2025_02", "2025-02-01", "2025-03-01", false, false, 0, false));
        var plan = MaintenancePlanner.plan(SNAP, policy(RetentionAction.ARCHIVE, 7), NOW, states);
        assertEquals(3, plan.actions().size(), () -> summaries(plan).toString());
    }
}

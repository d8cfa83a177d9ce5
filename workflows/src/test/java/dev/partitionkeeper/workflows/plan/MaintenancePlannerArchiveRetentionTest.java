package dev.partitionkeeper.workflows.plan;

import static dev.partitionkeeper.workflows.plan.Snapshots.TRANSACTIONS;
import static dev.partitionkeeper.workflows.plan.Snapshots.range;
import static dev.partitionkeeper.workflows.plan.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.activity.TableDdl;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** archive_retention (issue 17): which archives the plan deletes, and which policies are refused. */
class MaintenancePlannerArchiveRetentionTest {
    static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
    static final long DAY = 86_400_000L;

    static final CatalogSnapshot SNAP =
            snapshot(range("p2026_03", "2026-03-01", "2026-04-01"), range("p2026_04", "2026-04-01", "2026-05-01"));

    static TablePolicy policy(String archiveRetention) {
        return new TablePolicy(
                        TRANSACTIONS,
                        PartitionInterval.MONTHLY,
                        1,
                        Retention.parse("12 months"),
                        "UTC",
                        null,
                        RetentionAction.ARCHIVE_AND_DROP,
                        7)
                .withArchiveRetention(Retention.parse(archiveRetention));
    }

    /** A partition as the survey hands it over: the bound as PostgreSQL prints it, read on the key's axis. */
    static ArchiveState state(
            String name, String to, boolean exported, boolean verified, boolean dropped, boolean expired) {
        String bound = "'" + to + " 00:00:00+00'";
        return new ArchiveState(
                name,
                "'2000-01-01 00:00:00+00'",
                bound,
                exported,
                verified,
                verified ? NOW.toEpochMilli() + DAY : 0,
                dropped,
                expired,
                KeyAxis.parseBound(bound, KeyType.TIMESTAMPTZ));
    }

    static List<String> expired(MaintenancePlan plan) {
        return plan.actions().stream()
                .filter(a -> a instanceof PlannedAction.ExpireArchive)
                .map(PlannedAction::partition)
                .toList();
    }

    @Test
    void expiresOnlyDroppedVerifiedArchivesWhoseUpperBoundIsPastTheWindow() {
        // 3 years before 2026-03-15 10:00 UTC is 2023-03-15 10:00 UTC
        var states = List.of(
                state("t_2023_02", "2023-03-01", true, true, true, false),
                state("t_2023_03_half", "2023-03-15", true, true, true, false),
                state("t_2023_03", "2023-04-01", true, true, true, false),
                state("t_young", "2025-01-01", true, true, true, false),
                state("t_old_not_dropped", "2020-01-01", true, true, false, false),
                state("t_old_not_verified", "2020-02-01", true, false, false, false),
                state("t_old_not_exported", "2020-03-01", false, false, false, false),
                state("t_old_already_expired", "2020-04-01", true, true, true, true),
                new ArchiveState("t_old_unknown_bound", "a", "b", true, true, 1, true, false, KeyAxis.MAX));

        var plan = MaintenancePlanner.plan(SNAP, policy("3 years"), NOW, states);

        assertEquals(List.of("t_2023_02", "t_2023_03_half"), expired(plan));
        assertEquals(
                List.of(
                        "verify archive of t_old_not_verified",
                        "export t_old_not_exported ['2000-01-01 00:00:00+00', '2020-03-01 00:00:00+00')",
                        "verify archive of t_old_not_exported",
                        "expire archive of t_2023_02 ['2000-01-01 00:00:00+00', '2023-03-01 00:00:00+00')",
                        "expire archive of t_2023_03_half ['2000-01-01 00:00:00+00', '2023-03-15 00:00:00+00')"),
                plan.actions().stream().map(PlannedAction::summary).toList(),
                "the expiry comes after the archive chain; nothing younger, nothing still in PostgreSQL");
    }

    @Test
    void withoutArchiveRetentionNothingExpires() {
        TablePolicy p = policy("3 years").withArchiveRetention(null);
        var plan =
                MaintenancePlanner.plan(SNAP, p, NOW, List.of(state("t_1990", "1990-01-01", true, true, true, false)));
        assertEquals(List.of(), expired(plan));
    }

    @Test
    void theWindowCountsInThePolicysZoneLikeRetention() {
        TablePolicy berlin = new TablePolicy(
                        TRANSACTIONS,
                        PartitionInterval.parse("daily"),
                        1,
                        Retention.parse("1 day"),
                        "Europe/Berlin",
                        null,
                        RetentionAction.ARCHIVE_AND_DROP,
                        0)
                .withArchiveRetention(Retention.parse("2 days"));
        Instant now = Instant.parse("2026-03-15T00:30:00Z"); // 01:30 in Berlin: the cutoff is 2026-03-13 01:30
        // upper bound 2026-03-13 00:00 Berlin = 2026-03-12 23:00 UTC: past the window; 2026-03-14 Berlin is not
        var past = new ArchiveState(
                "t_past", "a", "b", true, true, 1, true, false, KeyAxis.micros(Instant.parse("2026-03-12T23:00:00Z")));
        var young = new ArchiveState(
                "t_young", "a", "b", true, true, 1, true, false, KeyAxis.micros(Instant.parse("2026-03-13T23:00:00Z")));
        var plan = MaintenancePlanner.plan(SNAP, berlin, now, List.of(past, young));
        assertEquals(List.of("t_past"), expired(plan));
    }

    @Test
    void anExpiryIsAnArchiveStepNotACatalogChange() {
        var a = new PlannedAction.ExpireArchive("t", "a", "b");
        assertFalse(TableDdl.isCatalogOnly(a));
        assertEquals("expire archive of t [a, b)", a.summary());
        assertTrue(MaintenancePlanner.pastArchiveRetention(
                policy("3 years"), KeyType.TIMESTAMPTZ, KeyAxis.micros(Instant.parse("2023-03-15T10:00:00Z")), NOW));
        assertFalse(MaintenancePlanner.pastArchiveRetention(
                policy("3 years"), KeyType.TIMESTAMPTZ, KeyAxis.micros(Instant.parse("2023-03-15T10:00:01Z")), NOW));
        assertFalse(MaintenancePlanner.pastArchiveRetention(policy("3 years"), KeyType.TIMESTAMPTZ, KeyAxis.MAX, NOW));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "12 months|12 months|archive_and_drop|archive_retention 12 months for public.transactions must be"
                        + " longer than retention 12 months",
                "12 months|1 year|archive|archive_retention 1 year for public.transactions must be longer than"
                        + " retention 12 months",
                "12 months|360 days|archive|archive_retention 360 days for public.transactions must be longer than"
                        + " retention 12 months",
                "90 days|7 years|detach_only|archive_retention 7 years for public.transactions deletes old partitions"
                        + " from the archive, but retention_action detach_only archives nothing",
                "90 days|5000|archive|archive_retention 5000 for public.transactions must be a time",
            })
    void refusedPoliciesNameTheTable(String retention, String archiveRetention, String action, String message) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new TablePolicy(
                                TRANSACTIONS,
                                PartitionInterval.MONTHLY,
                                1,
                                Retention.parse(retention),
                                "UTC",
                                null,
                                RetentionAction.parse(action),
                                7)
                        .withArchiveRetention(Retention.parse(archiveRetention)));
        assertTrue(e.getMessage().startsWith(message), e::getMessage);
    }

    @Test
    void anIntegerKeyIsRefusedEvenWithARetentionColumn() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new TablePolicy(
                        new TableName("public", "orders"),
                        PartitionInterval.parse("1000000"),
                        1,
                        Retention.parse("90 days"),
                        "UTC",
                        null,
                        RetentionAction.ARCHIVE_AND_DROP,
                        0,
                        null,
                        null,
                        "created_at",
                        null,
                        Retention.parse("7 years")));
        assertTrue(
                e.getMessage()
                        .startsWith("archive_retention 7 years for public.orders ages archives by the time of their"
                                + " key's upper bound, but the key is partitioned by a step of key values"),
                e::getMessage);
    }

    @Test
    void longerThanComparesWhateverTheCalendar() {
        assertTrue(Retention.parse("13 months").longerThan(Retention.parse("1 year")));
        assertTrue(Retention.parse("7 years").longerThan(Retention.parse("90 days")));
        assertTrue(Retention.parse("32 days").longerThan(Retention.parse("1 month")));
        assertFalse(Retention.parse("31 days").longerThan(Retention.parse("1 month")));
        assertFalse(Retention.parse("4 weeks").longerThan(Retention.parse("28 days")));
        assertTrue(Retention.parse("2 months").longerThan(Retention.parse("7 weeks")));
    }
}

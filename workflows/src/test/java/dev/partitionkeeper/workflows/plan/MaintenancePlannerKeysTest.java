package dev.partitionkeeper.workflows.plan;

import static dev.partitionkeeper.workflows.plan.Snapshots.TRANSACTIONS;
import static dev.partitionkeeper.workflows.plan.Snapshots.creates;
import static dev.partitionkeeper.workflows.plan.Snapshots.detaches;
import static dev.partitionkeeper.workflows.plan.Snapshots.kinds;
import static dev.partitionkeeper.workflows.plan.Snapshots.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.KeyEncoding;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Integer ids, epoch numbers and UUIDv7 keys: premake from the largest key, retention by key and by column. */
class MaintenancePlannerKeysTest {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final long M = 1_000_000;

    static TablePolicy ids(int premake) {
        return TablePolicy.of(TRANSACTIONS, PartitionInterval.steps(M)).withPremake(premake);
    }

    /** Partitions [i * M, (i + 1) * M) for i in [from, to), named as the planner names them. */
    static List<PartitionInfo> millions(int from, int to) {
        List<PartitionInfo> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(range("transactions_p" + i * M, i * M, (i + 1) * M));
        }
        return out;
    }

    static CatalogSnapshot idSnapshot(KeyType type, List<PartitionInfo> parts, KeyStats stats) {
        return new CatalogSnapshot(TRANSACTIONS, "id", type, parts, 0, 0, 0, stats);
    }

    static KeyStats max(long maxKey) {
        return new KeyStats(maxKey, null, Map.of(), 0);
    }

    static List<Long> froms(MaintenancePlan plan) {
        return creates(plan).stream().map(PlannedAction.CreatePartition::from).toList();
    }

    @Test
    void premakeCountsPartitionsAheadOfTheLargestKeyNotOfTheClock() {
        MaintenancePlan plan =
                MaintenancePlanner.plan(idSnapshot(KeyType.BIGINT, millions(0, 4), max(2_500_000)), ids(4), NOW);

        // the current partition holds 2500000: [2M, 3M); one exists after it, premake wants 4
        assertEquals(1, plan.runwayPartitions());
        assertEquals(List.of(4 * M, 5 * M, 6 * M), froms(plan));
        PlannedAction.CreatePartition first = creates(plan).get(0);
        assertEquals("transactions_p4000000", first.partition());
        assertEquals(5 * M, first.to());
        assertEquals("create transactions_p4000000 [4000000, 5000000)", first.summary());
        assertEquals(List.of(Finding.Kind.RUNWAY_SHORT), kinds(plan));
        assertEquals(2_500_000, plan.nowAxis());
        assertEquals(KeyType.BIGINT, plan.keyType());
    }

    @Test
    void newIdPartitionsFollowThePartitionNameTemplate() {
        MaintenancePlan plan = MaintenancePlanner.plan(
                idSnapshot(KeyType.BIGINT, millions(0, 4), max(2_500_000)), ids(4).withPartitionName("%t_ids_%k"), NOW);

        assertEquals(
                List.of("transactions_ids_4000000", "transactions_ids_5000000", "transactions_ids_6000000"),
                creates(plan).stream()
                        .map(PlannedAction.CreatePartition::partition)
                        .toList());
    }

    @Test
    void anUnindexedIntegerKeyIsReported() {
        MaintenancePlan plan = MaintenancePlanner.plan(
                idSnapshot(KeyType.BIGINT, millions(0, 7), new KeyStats(2_500_000L, null, Map.of(), 0, true)),
                ids(4),
                NOW);

        assertEquals(List.of(Finding.Kind.KEY_UNINDEXED), kinds(plan));
        assertEquals(
                "no index on id: each pass reads the newest partition with rows whole to find the largest key; create"
                        + " one (CREATE INDEX ON \"public\".\"transactions\" (\"id\"))",
                plan.findings().get(0).message());
    }

    @Test
    void anIdleTableKeepsItsRunwayAndNeedsNothingMore() {
        // the clock moves on, the ids do not: premake stays satisfied, nothing to do, a year later too
        for (Instant now : List.of(NOW, NOW.plusSeconds(365L * 86_400))) {
            MaintenancePlan plan =
                    MaintenancePlanner.plan(idSnapshot(KeyType.BIGINT, millions(0, 7), max(2_500_000)), ids(4), now);
            assertEquals(4, plan.runwayPartitions());
            assertEquals(List.of(), plan.actions());
            assertEquals(List.of(), plan.findings());
        }
    }

    @Test
    void aTableWithoutRowsStartsAtItsLowestPartitionOrAtZero() {
        assertEquals(
                List.of(0L, M, 2 * M, 3 * M),
                froms(MaintenancePlanner.plan(idSnapshot(KeyType.INTEGER, List.of(), KeyStats.NONE), ids(3), NOW)));
        assertEquals(
                List.of(8 * M, 9 * M),
                froms(MaintenancePlanner.plan(
                        idSnapshot(KeyType.INTEGER, millions(5, 8), KeyStats.NONE), ids(4), NOW)));
    }

    @Test
    void rowsParkedInTheDefaultPartitionAreCoveredFromTheLowest() {
        CatalogSnapshot snap = new CatalogSnapshot(
                TRANSACTIONS,
                "id",
                KeyType.BIGINT,
                List.of(Snapshots.defaultPartition()),
                10,
                3_200_000,
                4_900_000,
                KeyStats.NONE);

        MaintenancePlan plan = MaintenancePlanner.plan(snap, ids(2), NOW);

        assertEquals(List.of(3 * M, 4 * M, 5 * M), froms(plan));
        assertTrue(plan.findings().stream()
                .anyMatch(f -> f.message().contains("holds 10 rows with id from 3200000 to 4900000")));
    }

    @Test
    void theTypesLargestValueEndsTheRunwayAtMaxvalue() {
        TablePolicy policy =
                TablePolicy.of(TRANSACTIONS, PartitionInterval.steps(10_000)).withPremake(4);
        MaintenancePlan plan =
                MaintenancePlanner.plan(idSnapshot(KeyType.SMALLINT, List.of(), max(25_000)), policy, NOW);

        List<PlannedAction.CreatePartition> made = creates(plan);
        assertEquals(2, made.size());
        assertEquals(20_000, made.get(0).from());
        assertEquals(30_000, made.get(1).from());
        assertEquals(KeyAxis.MAX, made.get(1).to());
    }

    @Test
    void retentionByKeyKeepsTheNewestKeyValues() {
        TablePolicy policy = ids(2).withRetention(Retention.parse("2000000"));

        MaintenancePlan plan =
                MaintenancePlanner.plan(idSnapshot(KeyType.BIGINT, millions(0, 8), max(5_500_000)), policy, NOW);

        // keys below 5500000 - 2000000 = 3500000 are past retention: partitions wholly below it go
        assertEquals(
                List.of("transactions_p0", "transactions_p1000000", "transactions_p2000000"),
                detaches(plan).stream()
                        .map(PlannedAction.DetachPartition::partition)
                        .toList());
        assertEquals(
                "detach transactions_p0 [0, 1000000)", detaches(plan).get(0).summary());
    }

    @Test
    void retentionByKeyKeepsAPartitionThatStillHoldsKeptKeys() {
        TablePolicy policy = ids(1).withRetention(Retention.parse("1000000"));

        MaintenancePlan plan =
                MaintenancePlanner.plan(idSnapshot(KeyType.BIGINT, millions(0, 4), max(2_000_000)), policy, NOW);

        // keys above 1000000 are kept: [1M, 2M) holds them, only [0, 1M) is wholly past retention
        assertEquals(
                List.of("transactions_p0"),
                detaches(plan).stream()
                        .map(PlannedAction.DetachPartition::partition)
                        .toList());
    }

    static TablePolicy byColumn(String retention) {
        return new TablePolicy(
                TRANSACTIONS,
                PartitionInterval.steps(M),
                2,
                Retention.parse(retention),
                "UTC",
                DefaultPartitionMode.KEEP,
                RetentionAction.ARCHIVE,
                7,
                null,
                null,
                "created_at");
    }

    @Test
    void retentionByColumnDetachesPartitionsWhoseNewestRowIsOlderThanTheWindow() {
        Map<String, Long> newest = Map.of(
                "transactions_p0", Snapshots.at("2025-10-01T00:00:00Z"),
                "transactions_p1000000", KeyAxis.MIN, // empty, between aged ones
                "transactions_p2000000", Snapshots.at("2025-11-30T23:59:59Z"),
                "transactions_p3000000", Snapshots.at("2026-02-01T00:00:00Z"));
        CatalogSnapshot snap =
                idSnapshot(KeyType.BIGINT, millions(0, 7), new KeyStats(4_200_000L, KeyType.TIMESTAMPTZ, newest, 0));

        MaintenancePlan plan = MaintenancePlanner.plan(snap, byColumn("90 days"), NOW);

        // 90 days before 2026-03-01 12:00 is 2025-12-01 12:00
        assertEquals(
                List.of("transactions_p0", "transactions_p1000000", "transactions_p2000000"),
                detaches(plan).stream()
                        .map(PlannedAction.DetachPartition::partition)
                        .toList());
        // and each is exported and verified (retention_action archive)
        assertEquals(
                3,
                plan.actions().stream()
                        .filter(a -> a instanceof PlannedAction.ExportPartition)
                        .count());
    }

    @Test
    void retentionByColumnLeavesEmptyPartitionsWithNothingAgedAboveThem() {
        Map<String, Long> newest =
                Map.of("transactions_p0", Snapshots.at("2026-02-01T00:00:00Z"), "transactions_p1000000", KeyAxis.MIN);
        CatalogSnapshot snap =
                idSnapshot(KeyType.BIGINT, millions(0, 5), new KeyStats(2_200_000L, KeyType.TIMESTAMPTZ, newest, 0));

        assertEquals(List.of(), detaches(MaintenancePlanner.plan(snap, byColumn("90 days"), NOW)));
    }

    @Test
    void retentionByATimestampWithoutZoneColumnCountsInThePolicysZone() {
        // a timestamp column holds wall-clock times: "2025-12-01 12:30" in Berlin is 11:30 UTC
        Map<String, Long> newest = Map.of("transactions_p0", Snapshots.at("2025-12-01T12:30:00Z"));
        CatalogSnapshot snap =
                idSnapshot(KeyType.BIGINT, millions(0, 3), new KeyStats(1_500_000L, KeyType.TIMESTAMP, newest, 0));
        TablePolicy berlin = byColumn("90 days").withTimezone("Europe/Berlin");

        // now is 13:00 in Berlin: the cutoff is 2025-12-01 13:00 wall clock, the newest row is before it
        assertEquals(1, detaches(MaintenancePlanner.plan(snap, berlin, NOW)).size());
        assertEquals(
                0,
                detaches(MaintenancePlanner.plan(snap, berlin, NOW.minusSeconds(3_600)))
                        .size());
    }

    @Test
    void retentionByADateColumnAgesAPartitionOnlyOnceItsNewestDayIsWhollyPast() {
        // a date column's 2025-12-01 is that whole day: a row of 23:00 that day is still inside 90 days at
        // 2026-03-01 12:00 (the cutoff is 2025-12-01 12:00)
        Map<String, Long> newest = Map.of("transactions_p0", Snapshots.at("2025-12-01T00:00:00Z"));
        CatalogSnapshot snap =
                idSnapshot(KeyType.BIGINT, millions(0, 3), new KeyStats(1_500_000L, KeyType.DATE, newest, 0));

        assertEquals(List.of(), detaches(MaintenancePlanner.plan(snap, byColumn("90 days"), NOW)));
        // a day later 2025-12-01 is wholly older than the window
        assertEquals(
                1,
                detaches(MaintenancePlanner.plan(snap, byColumn("90 days"), NOW.plusSeconds(86_400)))
                        .size());
        // the day 2025-11-30 ends at the cutoff exactly (2026-03-01 00:00 minus 90 days): wholly older
        Map<String, Long> older = Map.of("transactions_p0", Snapshots.at("2025-11-30T00:00:00Z"));
        CatalogSnapshot olderSnap =
                idSnapshot(KeyType.BIGINT, millions(0, 3), new KeyStats(1_500_000L, KeyType.DATE, older, 0));
        assertEquals(
                1,
                detaches(MaintenancePlanner.plan(olderSnap, byColumn("90 days"), Instant.parse("2026-03-01T00:00:00Z")))
                        .size());
    }

    static TablePolicy epoch(String interval, KeyEncoding encoding, int premake) {
        return TablePolicy.of(TRANSACTIONS, PartitionInterval.parse(interval))
                .withPremake(premake)
                .withKeyEncoding(encoding);
    }

    @Test
    void epochMillisAcrossALeapDay() {
        MaintenancePlan plan = MaintenancePlanner.plan(
                idSnapshot(KeyType.BIGINT, List.of(), KeyStats.NONE),
                epoch("daily", KeyEncoding.EPOCH_MILLIS, 2),
                Instant.parse("2024-02-28T12:00:00Z"));

        List<PlannedAction.CreatePartition> made = creates(plan);
        assertEquals(
                List.of("transactions_p2024_02_28", "transactions_p2024_02_29", "transactions_p2024_03_01"),
                made.stream().map(PlannedAction.CreatePartition::partition).toList());
        assertEquals(1_709_078_400_000L, made.get(0).from());
        assertEquals(1_709_164_800_000L, made.get(1).from()); // 2024-02-29 00:00 UTC
        assertEquals(1_709_251_200_000L, made.get(1).to()); // 2024-03-01 00:00 UTC
        assertEquals("1709164800000", KeyAxis.literal(made.get(1).from(), KeyType.BIGINT));
        assertEquals(
                "create transactions_p2024_02_29 [2024-02-29, 2024-03-01)",
                made.get(1).summary());
        assertEquals(KeyType.EPOCH_MILLIS, plan.keyType());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // February of a leap year is 29 days, of a common year 28; a leap century (2000) too, not 2100
        "EPOCH_SECONDS, 2024-02-10T00:00:00Z, 1706745600, 1709251200",
        "EPOCH_MILLIS, 2023-02-10T00:00:00Z, 1675209600000, 1677628800000",
        "EPOCH_MICROS, 2000-02-10T00:00:00Z, 949363200000000, 951868800000000",
        "EPOCH_NANOS, 2100-02-10T00:00:00Z, 4105123200000000000, 4107542400000000000",
    })
    void monthlyEpochBoundsInEachUnit(KeyEncoding encoding, String now, long feb, long march) {
        MaintenancePlan plan = MaintenancePlanner.plan(
                idSnapshot(KeyType.BIGINT, List.of(), KeyStats.NONE),
                epoch("monthly", encoding, 1),
                Instant.parse(now));

        PlannedAction.CreatePartition first = creates(plan).get(0);
        assertEquals(feb, first.from());
        assertEquals(march, first.to());
        assertEquals(Long.toString(march), KeyAxis.literal(first.to(), KeyType.BIGINT));
    }

    @Test
    void epochRetentionDetachesByTime() {
        long day = 86_400L;
        List<PartitionInfo> parts = new ArrayList<>();
        long jan1 = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 70; i++) {
            parts.add(range("d" + i, jan1 + i * day, jan1 + (i + 1) * day));
        }
        MaintenancePlan plan = MaintenancePlanner.plan(
                idSnapshot(KeyType.BIGINT, parts, KeyStats.NONE),
                epoch("daily", KeyEncoding.EPOCH_SECONDS, 1).withRetention(Retention.parse("30 days")),
                NOW);

        // 30 days before 2026-03-01 12:00 is 2026-01-30 12:00: partitions ending by then go, d0 to d28
        assertEquals(29, detaches(plan).size());
        assertEquals(
                "detach d28 [2026-01-29, 2026-01-30)", detaches(plan).get(28).summary());
    }

    @Test
    void uuidv7BoundsAreTheSmallestUuidOfTheirMillisecond() {
        MaintenancePlan plan = MaintenancePlanner.plan(
                idSnapshot(KeyType.UUID, List.of(), KeyStats.NONE),
                TablePolicy.of(TRANSACTIONS, PartitionInterval.parse("1 hour")).withPremake(1),
                NOW);

        PlannedAction.CreatePartition first = creates(plan).get(0);
        long ms = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
        assertEquals(ms * 1000, first.from());
        assertEquals(
                String.format("%08x-%04x-0000-0000-000000000000", ms >>> 16, ms & 0xffff),
                KeyAxis.literal(first.from(), KeyType.UUID));
        assertEquals("transactions_p2026_03_01_1200", first.partition());
        assertEquals(
                first.from(),
                KeyAxis.parseBound("'" + KeyAxis.literal(first.from(), KeyType.UUID) + "'", KeyType.UUID));
        assertEquals("create transactions_p2026_03_01_1200 [2026-03-01 12:00, 2026-03-01 13:00)", first.summary());
    }

    @Test
    void nonV7UuidsInTheDefaultPartitionAreReported() {
        CatalogSnapshot snap = new CatalogSnapshot(
                TRANSACTIONS,
                "id",
                KeyType.UUID,
                List.of(Snapshots.defaultPartition()),
                5,
                0,
                0,
                new KeyStats(null, null, Map.of(), 3));

        MaintenancePlan plan =
                MaintenancePlanner.plan(snap, TablePolicy.of(TRANSACTIONS, PartitionInterval.DAILY), NOW);

        assertTrue(
                plan.findings().stream()
                        .anyMatch(f -> f.message()
                                .startsWith("3 rows of default partition transactions_default have a id that is not a"
                                        + " UUIDv7")),
                plan.findings().toString());
    }

    @Test
    void aKeyThatDoesNotFitTheIntervalIsRefused() {
        TablePolicy daily = TablePolicy.of(TRANSACTIONS, PartitionInterval.DAILY);
        IllegalArgumentException onInteger = assertThrows(
                IllegalArgumentException.class,
                () -> MaintenancePlanner.plan(idSnapshot(KeyType.BIGINT, List.of(), KeyStats.NONE), daily, NOW));
        assertTrue(
                onInteger.getMessage().contains("partition it by a step of key values such as interval: 1000000"),
                onInteger.getMessage());

        IllegalArgumentException onTime = assertThrows(
                IllegalArgumentException.class, () -> MaintenancePlanner.plan(Snapshots.snapshot(), ids(2), NOW));
        assertTrue(
                onTime.getMessage()
                        .startsWith("interval 1000000 is a step of key values, for an integer key, but"
                                + " the key is timestamp with time zone"),
                onTime.getMessage());

        IllegalArgumentException encoded = assertThrows(
                IllegalArgumentException.class,
                () -> MaintenancePlanner.plan(
                        Snapshots.snapshot(), daily.withKeyEncoding(KeyEncoding.EPOCH_MILLIS), NOW));
        assertEquals(
                "key_encoding epoch_millis is for a bigint key holding time since the epoch, but the key created_at"
                        + " of public.transactions is timestamp with time zone; remove key_encoding: the key is"
                        + " partitioned by its own time",
                encoded.getMessage());
    }

    @Test
    void epochAndUuidKeysDisplayAsTimesInThePolicysZone() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        long ms = Instant.parse("2026-03-01T23:00:00Z").toEpochMilli();
        assertEquals("2026-03-02", KeyAxis.display(ms, KeyType.EPOCH_MILLIS, berlin));
        assertEquals("2026-03-02", KeyAxis.display(ms * 1000, KeyType.UUID, berlin));
        assertEquals("1000000", KeyAxis.display(M, KeyType.NUMERIC, berlin));
        assertEquals(M, KeyAxis.parseBound("'1000000'", KeyType.BIGINT));
        assertEquals(-5, KeyAxis.parseBound("'-5'", KeyType.INTEGER));
        assertEquals(M, KeyAxis.parseBound("1000000", KeyType.NUMERIC));
        assertThrows(IllegalArgumentException.class, () -> KeyAxis.parseBound("'1.5'", KeyType.NUMERIC));
    }

    /** Policies, plans and layouts of the new keys go through workflow histories: they must read back. */
    @Test
    void keyPoliciesAndPlansRoundTripThroughTheDataConverter() {
        DataConverter c = DefaultDataConverter.STANDARD_INSTANCE;
        TablePolicy byColumn = byColumn("90 days");
        TablePolicy byKey = ids(3).withRetention(Retention.parse("50000000"));
        TablePolicy epoch = epoch("1 hour", KeyEncoding.EPOCH_NANOS, 5);
        for (TablePolicy p : List.of(byColumn, byKey, epoch)) {
            String json = c.toPayload(p).orElseThrow().getData().toString(StandardCharsets.UTF_8);
            assertEquals(p, c.fromPayload(c.toPayload(p).orElseThrow(), TablePolicy.class, TablePolicy.class), json);
        }
        String json = c.toPayload(byColumn).orElseThrow().getData().toString(StandardCharsets.UTF_8);
        assertTrue(json.contains("\"interval\":\"1000000\""), json);
        assertTrue(json.contains("\"retentionColumn\":\"created_at\""), json);
        assertTrue(c.toPayload(epoch)
                .orElseThrow()
                .getData()
                .toString(StandardCharsets.UTF_8)
                .contains("\"keyEncoding\":\"epoch_nanos\""));
        MaintenancePlan plan =
                MaintenancePlanner.plan(idSnapshot(KeyType.BIGINT, millions(0, 4), max(2_500_000)), byKey, NOW);
        assertEquals(
                plan, c.fromPayload(c.toPayload(plan).orElseThrow(), MaintenancePlan.class, MaintenancePlan.class));
    }

    @Test
    void theLayoutOfAnIntegerKeyCountsItsRunwayFromTheLargestKey() {
        LayoutReport ok =
                LayoutVerifier.verify(idSnapshot(KeyType.BIGINT, millions(0, 7), max(2_500_000)), ids(4), NOW);
        assertTrue(ok.ok(), ok.problems()::toString);
        assertEquals(4, ok.runwayPartitions());
        assertEquals("7000000", ok.runwayEnd());

        LayoutReport shortRunway =
                LayoutVerifier.verify(idSnapshot(KeyType.BIGINT, millions(0, 4), max(3_100_000)), ids(4), NOW);
        assertEquals(List.of("runway is 0 partitions, premake wants 4"), shortRunway.problems());
    }
}

package dev.partitionkeeper.workflows.plan;

import static dev.partitionkeeper.workflows.model.PartitionInterval.DAILY;
import static dev.partitionkeeper.workflows.model.PartitionInterval.MONTHLY;
import static dev.partitionkeeper.workflows.model.PartitionInterval.QUARTERLY;
import static dev.partitionkeeper.workflows.model.PartitionInterval.WEEKLY;
import static dev.partitionkeeper.workflows.model.PartitionInterval.YEARLY;
import static dev.partitionkeeper.workflows.plan.Snapshots.TRANSACTIONS;
import static dev.partitionkeeper.workflows.plan.Snapshots.at;
import static dev.partitionkeeper.workflows.plan.Snapshots.creates;
import static dev.partitionkeeper.workflows.plan.Snapshots.day;
import static dev.partitionkeeper.workflows.plan.Snapshots.defaultPartition;
import static dev.partitionkeeper.workflows.plan.Snapshots.detaches;
import static dev.partitionkeeper.workflows.plan.Snapshots.findings;
import static dev.partitionkeeper.workflows.plan.Snapshots.kinds;
import static dev.partitionkeeper.workflows.plan.Snapshots.pendingDetach;
import static dev.partitionkeeper.workflows.plan.Snapshots.range;
import static dev.partitionkeeper.workflows.plan.Snapshots.snapshot;
import static dev.partitionkeeper.workflows.plan.Snapshots.withDefaultRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The planner's cases, one {@code @Nested} group per concern (runway, retention cutoff, time zones, leap years,
 * default partition, layout, partition names), each small. Longer than 500 lines on purpose: the groups share the
 * fixtures above and read as one specification of {@link MaintenancePlanner}.
 */
class MaintenancePlannerTest {
    /** A Sunday: ISO week 11 of 2026, first quarter. */
    static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

    static final String BERLIN = "Europe/Berlin";
    static final long DAY_MICROS = Duration.ofDays(1).toNanos() / 1_000;

    static TablePolicy policy(PartitionInterval interval, int premake) {
        return TablePolicy.of(TRANSACTIONS, interval).withPremake(premake);
    }

    /** One expected partition: {@code "<suffix> <from date> <to date>"}, UTC midnights. */
    record Expected(String name, long from, long to, String fromText, String toText) {
        static Expected parse(String row) {
            String[] f = row.split(" ");
            return new Expected("transactions_" + f[0], day(f[1]), day(f[2]), f[1], f[2]);
        }

        PlannedAction.CreatePartition create() {
            return new PlannedAction.CreatePartition(name, from, to, fromText, toText);
        }

        PartitionInfo partition() {
            return range(name, from, to);
        }
    }

    static Stream<Arguments> currentAndPremakePerInterval() {
        return Stream.of(
                arguments(
                        DAILY,
                        List.of(
                                "p2026_03_15 2026-03-15 2026-03-16",
                                "p2026_03_16 2026-03-16 2026-03-17",
                                "p2026_03_17 2026-03-17 2026-03-18")),
                arguments(
                        WEEKLY,
                        List.of(
                                "p2026_w11 2026-03-09 2026-03-16",
                                "p2026_w12 2026-03-16 2026-03-23",
                                "p2026_w13 2026-03-23 2026-03-30")),
                arguments(
                        MONTHLY,
                        List.of(
                                "p2026_03 2026-03-01 2026-04-01",
                                "p2026_04 2026-04-01 2026-05-01",
                                "p2026_05 2026-05-01 2026-06-01")),
                arguments(
                        QUARTERLY,
                        List.of(
                                "p2026_q1 2026-01-01 2026-04-01",
                                "p2026_q2 2026-04-01 2026-07-01",
                                "p2026_q3 2026-07-01 2026-10-01")),
                arguments(
                        YEARLY,
                        List.of(
                                "p2026 2026-01-01 2027-01-01",
                                "p2027 2027-01-01 2028-01-01",
                                "p2028 2028-01-01 2029-01-01")));
    }

    @Nested
    class Runway {

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.partitionkeeper.workflows.plan.MaintenancePlannerTest#currentAndPremakePerInterval")
        void emptyTableGetsCurrentAndPremakePartitions(PartitionInterval interval, List<String> rows) {
            MaintenancePlan plan = MaintenancePlanner.plan(snapshot(), policy(interval, 2), NOW);

            List<PlannedAction> expected = rows.stream()
                    .map(r -> (PlannedAction) Expected.parse(r).create())
                    .toList();
            assertEquals(expected, plan.actions());
            assertEquals(List.of(Finding.Kind.RUNWAY_SHORT), kinds(plan));
            assertEquals(0, plan.runwayPartitions());
            assertEquals(KeyAxis.micros(NOW), plan.nowAxis());
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.partitionkeeper.workflows.plan.MaintenancePlannerTest#currentAndPremakePerInterval")
        void tableWithEveryPartitionNeedsNothing(PartitionInterval interval, List<String> rows) {
            List<PartitionInfo> parts =
                    rows.stream().map(r -> Expected.parse(r).partition()).toList();

            MaintenancePlan plan =
                    MaintenancePlanner.plan(snapshot(KeyType.TIMESTAMPTZ, parts), policy(interval, 2), NOW);

            assertTrue(plan.nothingToDo(), () -> "unexpected actions " + plan.actions());
            assertEquals(List.of(), plan.findings());
            assertEquals(2, plan.runwayPartitions());
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
            "2024-12-30T12:00:00Z, transactions_p2025_w01", // Monday of ISO week 1 of 2025, still in 2024
            "2026-01-01T12:00:00Z, transactions_p2026_w01", // Thursday: week 1 of 2026 started 2025-12-29
            "2026-12-31T12:00:00Z, transactions_p2026_w53", // 2026 has 53 ISO weeks
            "2027-01-03T12:00:00Z, transactions_p2026_w53", // a Sunday in January, still week 53 of 2026
            "2027-01-04T00:00:00Z, transactions_p2027_w01",
        })
        void weeklyNamesUseTheIsoWeekBasedYear(Instant now, String currentName) {
            MaintenancePlan plan = MaintenancePlanner.plan(snapshot(), policy(WEEKLY, 1), now);

            assertEquals(currentName, creates(plan).get(0).partition());
        }

        /** Premake 4, monthly; the table has the current partition and {@code runway} after it. */
        @ParameterizedTest(name = "runway {0}")
        @CsvSource({
            "5, 0, ",
            "4, 0, ",
            "3, 1, transactions_p2026_07",
            "1, 3, transactions_p2026_05",
            "0, 4, transactions_p2026_04",
        })
        void createsOnlyWhatPremakeStillNeeds(int runway, int expectedCreates, String firstCreate) {
            String[] months = {
                "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"
            };
            List<PartitionInfo> parts = new ArrayList<>();
            for (int i = 0; i <= runway; i++) {
                parts.add(range("m" + i, months[i], months[i + 1]));
            }

            MaintenancePlan plan =
                    MaintenancePlanner.plan(snapshot(KeyType.TIMESTAMPTZ, parts), policy(MONTHLY, 4), NOW);

            assertEquals(expectedCreates, creates(plan).size());
            assertEquals(runway, plan.runwayPartitions());
            List<Finding> short_ = findings(plan, Finding.Kind.RUNWAY_SHORT);
            if (runway < 4) {
                assertEquals(firstCreate, creates(plan).get(0).partition());
                assertEquals(1, short_.size());
                assertTrue(
                        short_.get(0).message().startsWith(runway + " future partition"),
                        short_.get(0).message());
                assertTrue(
                        short_.get(0).message().endsWith("premake wants 4"),
                        short_.get(0).message());
            } else {
                assertEquals(List.of(), short_);
            }
        }
    }

    @Nested
    class RetentionCutoff {
        /** Daily, 30 days, at midnight: the cutoff is 2026-02-13 00:00 UTC. */
        final Instant midnight = Instant.parse("2026-03-15T00:00:00Z");

        final TablePolicy thirtyDays = policy(DAILY, 1).withRetention(Retention.parse("30 days"));

        @ParameterizedTest(name = "ends {0}: detached={1}")
        @CsvSource({
            "2026-02-12T00:00:00Z, true",
            "2026-02-12T23:59:59.999999Z, true",
            "2026-02-13T00:00:00Z, true", // ends exactly at the cutoff: every row is older
            "2026-02-13T00:00:00.000001Z, false", // one microsecond of it is still inside retention
            "2026-02-14T00:00:00Z, false",
        })
        void detachesPartitionsEndingAtOrBeforeTheCutoff(Instant end, boolean detached) {
            long to = KeyAxis.micros(end);
            CatalogSnapshot snap = snapshot(range("transactions_old", to - DAY_MICROS, to));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, thirtyDays, midnight);

            assertEquals(
                    detached ? List.of("transactions_old") : List.of(),
                    detaches(plan).stream().map(PlannedAction::partition).toList());
        }

        @Test
        void detachesOldestFirstWithReadableBounds() {
            CatalogSnapshot snap = snapshot(
                    range("p2025_11", "2025-11-01", "2025-12-01"),
                    range("p2025_10", "2025-10-01", "2025-11-01"),
                    range("p2025_12", "2025-12-01", "2026-01-01"),
                    range("p2026_01", "2026-01-01", "2026-02-01"));

            MaintenancePlan plan =
                    MaintenancePlanner.plan(snap, policy(MONTHLY, 1).withRetention(Retention.parse("3 months")), NOW);

            // cutoff 2025-12-15 10:00: December still holds rows inside retention
            assertEquals(
                    List.of(
                            new PlannedAction.DetachPartition(
                                    "transactions_p2025_10",
                                    day("2025-10-01"),
                                    day("2025-11-01"),
                                    "2025-10-01",
                                    "2025-11-01"),
                            new PlannedAction.DetachPartition(
                                    "transactions_p2025_11",
                                    day("2025-11-01"),
                                    day("2025-12-01"),
                                    "2025-11-01",
                                    "2025-12-01")),
                    detaches(plan));
        }

        @Test
        void withoutRetentionNothingIsEverDetached() {
            CatalogSnapshot snap = snapshot(
                    range("p2001", "2001-01-01", "2002-01-01"),
                    range(TRANSACTIONS.table() + "_ancient", KeyAxis.MIN, day("2001-01-01")),
                    range("p2026_03", "2026-03-01", "2026-04-01"));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy(MONTHLY, 2), NOW);

            assertEquals(List.of(), detaches(plan));
        }

        @Test
        void theCurrentPeriodIsNeverDetachedEvenWhenTheCutoffFallsInsideIt() {
            // 28 days on the 31st: the cutoff (2026-03-03 12:00) lies inside the current month
            TablePolicy policy = policy(MONTHLY, 1).withRetention(Retention.parse("28 days"));
            Instant endOfMonth = Instant.parse("2026-03-31T12:00:00Z");
            CatalogSnapshot snap = snapshot(
                    range("p2026_02", "2026-02-01", "2026-03-01"),
                    range("march_first_day", "2026-03-01", "2026-03-02"),
                    range("march_rest", "2026-03-02", "2026-04-01"),
                    range("p2026_04", "2026-04-01", "2026-05-01"));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy, endOfMonth);

            assertEquals(
                    List.of("transactions_p2026_02"),
                    detaches(plan).stream().map(PlannedAction::partition).toList());
        }

        @Test
        void minvaluePartitionOlderThanTheCutoffIsDetached() {
            CatalogSnapshot snap = snapshot(
                    range("transactions_before_2025", KeyAxis.MIN, day("2025-01-01")),
                    range("p2026_03", "2026-03-01", "2026-04-01"),
                    range("p2026_04", "2026-04-01", "2026-05-01"));

            MaintenancePlan plan =
                    MaintenancePlanner.plan(snap, policy(MONTHLY, 1).withRetention(Retention.parse("3 months")), NOW);

            assertEquals(
                    List.of(new PlannedAction.DetachPartition(
                            "transactions_before_2025", KeyAxis.MIN, day("2025-01-01"), "MINVALUE", "2025-01-01")),
                    detaches(plan));
        }

        @Test
        void maxvaluePartitionIsNeverDetached() {
            CatalogSnapshot snap = snapshot(range("transactions_rest", day("2020-01-01"), KeyAxis.MAX));

            MaintenancePlan plan =
                    MaintenancePlanner.plan(snap, policy(MONTHLY, 1).withRetention(Retention.parse("3 months")), NOW);

            assertEquals(List.of(), detaches(plan));
            assertEquals(List.of(), creates(plan), "the MAXVALUE partition already covers the runway");
        }

        @Test
        void leapDayRetentionCountsCalendarYears() {
            // one year before 2028-02-29 12:00 is 2027-02-28 12:00
            TablePolicy policy = policy(DAILY, 1).withRetention(Retention.parse("1 year"));
            CatalogSnapshot snap = snapshot(
                    range("p2027_02_27", "2027-02-27", "2027-02-28"), range("p2027_02_28", "2027-02-28", "2027-03-01"));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy, Instant.parse("2028-02-29T12:00:00Z"));

            assertEquals(
                    List.of("transactions_p2027_02_27"),
                    detaches(plan).stream().map(PlannedAction::partition).toList());
        }

        @Test
        void cutoffOfATimestamptzTableIsTakenInThePolicyZone() {
            // Berlin, 3 months before 2026-03-15 11:00 local: 2025-12-15 11:00 local
            TablePolicy policy = policy(MONTHLY, 1)
                    .withRetention(Retention.parse("3 months"))
                    .withTimezone(BERLIN);
            CatalogSnapshot snap = snapshot(
                    range("transactions_p2025_11", at("2025-10-31T23:00:00Z"), at("2025-11-30T23:00:00Z")),
                    range("transactions_p2025_12", at("2025-11-30T23:00:00Z"), at("2025-12-31T23:00:00Z")));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy, NOW);

            assertEquals(
                    List.of(new PlannedAction.DetachPartition(
                            "transactions_p2025_11",
                            at("2025-10-31T23:00:00Z"),
                            at("2025-11-30T23:00:00Z"),
                            "2025-11-01",
                            "2025-12-01")),
                    detaches(plan));
        }
    }

    @Nested
    class TimeZones {

        /** Each row: {@code name fromInstant toInstant fromText toText hours}. */
        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "spring forward, 2026-03-28T12:00:00Z, "
                    + "p2026_03_28 2026-03-27T23:00:00Z 2026-03-28T23:00:00Z 2026-03-28 2026-03-29 24;"
                    + "p2026_03_29 2026-03-28T23:00:00Z 2026-03-29T22:00:00Z 2026-03-29 2026-03-30 23;"
                    + "p2026_03_30 2026-03-29T22:00:00Z 2026-03-30T22:00:00Z 2026-03-30 2026-03-31 24",
            "fall back, 2026-10-24T12:00:00Z, "
                    + "p2026_10_24 2026-10-23T22:00:00Z 2026-10-24T22:00:00Z 2026-10-24 2026-10-25 24;"
                    + "p2026_10_25 2026-10-24T22:00:00Z 2026-10-25T23:00:00Z 2026-10-25 2026-10-26 25;"
                    + "p2026_10_26 2026-10-25T23:00:00Z 2026-10-26T23:00:00Z 2026-10-26 2026-10-27 24",
        })
        void berlinDailyTimestamptzPartitionsStartAtLocalMidnight(String label, Instant now, String rows) {
            TablePolicy policy = policy(DAILY, 2).withTimezone(BERLIN);

            MaintenancePlan plan = MaintenancePlanner.plan(snapshot(), policy, now);

            List<PlannedAction.CreatePartition> expected = new ArrayList<>();
            for (String row : rows.split(";")) {
                String[] f = row.trim().split(" ");
                long from = at(f[1]);
                long to = at(f[2]);
                assertEquals(Duration.ofHours(Long.parseLong(f[5])).toNanos() / 1_000, to - from, f[0] + " width");
                expected.add(new PlannedAction.CreatePartition("transactions_" + f[0], from, to, f[3], f[4]));
            }
            assertEquals(expected, creates(plan));
        }

        @Test
        void berlinPartitionsPlannedAgainstThemselvesNeedNothing() {
            TablePolicy policy = policy(DAILY, 2).withTimezone(BERLIN);
            Instant now = Instant.parse("2026-10-24T12:00:00Z");
            List<PartitionInfo> parts = creates(MaintenancePlanner.plan(snapshot(), policy, now)).stream()
                    .map(c -> range(c.partition(), c.from(), c.to()))
                    .toList();

            MaintenancePlan again = MaintenancePlanner.plan(snapshot(KeyType.TIMESTAMPTZ, parts), policy, now);

            assertTrue(again.nothingToDo(), () -> "second pass wants " + again.actions());
            assertEquals(List.of(), again.findings());
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
            "UTC, transactions_p2026_03_28",
            "Europe/Berlin, transactions_p2026_03_29", // 00:30 local
            "America/New_York, transactions_p2026_03_28",
        })
        void currentPeriodIsTheOneContainingNowInThePolicyZone(String zone, String currentName) {
            Instant now = Instant.parse("2026-03-28T23:30:00Z");

            MaintenancePlan plan =
                    MaintenancePlanner.plan(snapshot(), policy(DAILY, 1).withTimezone(zone), now);

            assertEquals(currentName, creates(plan).get(0).partition());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(
                value = KeyType.class,
                names = {"TIMESTAMP", "DATE"})
        void zonelessKeysUseBerlinWallClockReadAsUtc(KeyType type) {
            TablePolicy policy = policy(DAILY, 2).withTimezone(BERLIN);
            // 2026-03-29 00:30 in Berlin; the DST day is 24 hours long on a zoneless axis
            Instant now = Instant.parse("2026-03-28T23:30:00Z");

            MaintenancePlan plan = MaintenancePlanner.plan(snapshot(type, List.of()), policy, now);

            assertEquals(
                    List.of(
                            Expected.parse("p2026_03_29 2026-03-29 2026-03-30").create(),
                            Expected.parse("p2026_03_30 2026-03-30 2026-03-31").create(),
                            Expected.parse("p2026_03_31 2026-03-31 2026-04-01").create()),
                    creates(plan));
            assertEquals(at("2026-03-29T00:30:00Z"), plan.nowAxis());
        }

        @Test
        void zonelessKeyDuringTheRepeatedAutumnHour() {
            // 01:30 UTC on 2026-10-25 is 02:30 CET, the second 02:30 of that night in Berlin
            Instant now = Instant.parse("2026-10-25T01:30:00Z");

            MaintenancePlan plan = MaintenancePlanner.plan(
                    snapshot(KeyType.TIMESTAMP, List.of()), policy(DAILY, 1).withTimezone(BERLIN), now);

            assertEquals(at("2026-10-25T02:30:00Z"), plan.nowAxis());
            assertEquals(
                    Expected.parse("p2026_10_25 2026-10-25 2026-10-26").create(),
                    creates(plan).get(0));
        }
    }

    @Nested
    class LeapYears {

        @Test
        void dailyAroundTheLeapDay() {
            MaintenancePlan plan =
                    MaintenancePlanner.plan(snapshot(), policy(DAILY, 2), Instant.parse("2028-02-28T12:00:00Z"));

            assertEquals(
                    List.of(
                            Expected.parse("p2028_02_28 2028-02-28 2028-02-29").create(),
                            Expected.parse("p2028_02_29 2028-02-29 2028-03-01").create(),
                            Expected.parse("p2028_03_01 2028-03-01 2028-03-02").create()),
                    creates(plan));
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "YEARLY, p2028 2028-01-01 2029-01-01, 366",
            "MONTHLY, p2028_02 2028-02-01 2028-03-01, 29",
            "QUARTERLY, p2028_q1 2028-01-01 2028-04-01, 91",
        })
        void periodsContainingTheLeapDay(PartitionInterval interval, String current, long days) {
            MaintenancePlan plan =
                    MaintenancePlanner.plan(snapshot(), policy(interval, 1), Instant.parse("2028-02-29T12:00:00Z"));

            PlannedAction.CreatePartition first = creates(plan).get(0);
            assertEquals(Expected.parse(current).create(), first);
            assertEquals(days * DAY_MICROS, first.to() - first.from());
        }
    }

    @Nested
    class Layout {

        @Test
        void holeBetweenPastPartitionsIsReportedAsAGap() {
            CatalogSnapshot snap = snapshot(
                    range("p2026_01", "2026-01-01", "2026-02-01"),
                    range("p2026_03", "2026-03-01", "2026-04-01"),
                    range("p2026_04", "2026-04-01", "2026-05-01"),
                    range("p2026_05", "2026-05-01", "2026-06-01"));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy(MONTHLY, 2), NOW);

            assertTrue(plan.nothingToDo(), "a past hole is reported, never filled");
            assertEquals(
                    List.of(new Finding(
                            Finding.Kind.GAP,
                            "no partition covers [2026-02-01, 2026-03-01); rows there go"
                                    + " to the default partition or fail")),
                    plan.findings());
        }

        @Test
        void holeThePlanFillsIsNotAGap() {
            CatalogSnapshot snap = snapshot(
                    range("p2026_03", "2026-03-01", "2026-04-01"), range("p2026_05", "2026-05-01", "2026-06-01"));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy(MONTHLY, 2), NOW);

            assertEquals(
                    List.of("transactions_p2026_04"),
                    creates(plan).stream().map(PlannedAction::partition).toList());
            assertEquals(List.of(Finding.Kind.RUNWAY_SHORT), kinds(plan));
        }

        @Test
        void holeAfterTheRunwayIsAGap() {
            CatalogSnapshot snap = snapshot(
                    range("p2026_03", "2026-03-01", "2026-04-01"),
                    range("p2026_04", "2026-04-01", "2026-05-01"),
                    range("p2026_05", "2026-05-01", "2026-06-01"),
                    range("p2026_07", "2026-07-01", "2026-08-01"));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy(MONTHLY, 2), NOW);

            assertTrue(plan.nothingToDo());
            assertEquals(1, findings(plan, Finding.Kind.GAP).size());
            assertTrue(findings(plan, Finding.Kind.GAP).get(0).message().contains("[2026-06-01, 2026-07-01)"));
        }

        @Test
        void partitionsAreRecognisedByBoundsNotNames() {
            CatalogSnapshot snap = snapshot(
                    range("Old Stuff 2025", day("2026-03-01"), day("2026-04-01")),
                    range("april", day("2026-04-01"), day("2026-05-01")),
                    range("transactions_p2099", day("2026-05-01"), day("2026-06-01")));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy(MONTHLY, 2), NOW);

            assertTrue(plan.nothingToDo(), () -> "unexpected actions " + plan.actions());
            assertEquals(List.of(), plan.findings());
        }

        @Test
        void oddlyNamedOldPartitionIsDetachedUnderItsOwnName() {
            CatalogSnapshot snap = snapshot(
                    range("Old Stuff 2025", day("2025-01-01"), day("2025-02-01")),
                    range("p2026_03", "2026-03-01", "2026-04-01"));

            MaintenancePlan plan =
                    MaintenancePlanner.plan(snap, policy(MONTHLY, 1).withRetention(Retention.parse("3 months")), NOW);

            assertEquals(
                    List.of("Old Stuff 2025"),
                    detaches(plan).stream().map(PlannedAction::partition).toList());
        }

        @Test
        void misalignedPartitionIsReportedAndNeverFought() {
            CatalogSnapshot snap = snapshot(range("transactions_shifted", day("2026-03-10"), day("2026-04-10")));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy(MONTHLY, 2), NOW);

            assertEquals(
                    List.of("transactions_p2026_05"),
                    creates(plan).stream().map(PlannedAction::partition).toList());
            List<Finding> misaligned = findings(plan, Finding.Kind.MISALIGNED);
            assertEquals(2, misaligned.size(), plan.findings()::toString);
            assertEquals(
                    "partition transactions_shifted [2026-03-10, 2026-04-10) overlaps the planned monthly range"
                            + " [2026-03-01, 2026-04-01); not creating it",
                    misaligned.get(0).message());
            assertTrue(
                    misaligned.get(1).message().contains("[2026-04-01, 2026-05-01)"),
                    misaligned.get(1).message());
        }

        @Test
        void widerPartitionCoveringThePeriodsIsAcceptedSilently() {
            // e.g. left from when the table was yearly
            CatalogSnapshot snap = snapshot(range("transactions_2026", day("2026-01-01"), day("2027-01-01")));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy(MONTHLY, 2), NOW);

            assertTrue(plan.nothingToDo(), () -> "unexpected actions " + plan.actions());
            assertEquals(List.of(), plan.findings());
            assertEquals(9, plan.runwayPartitions(), "April to December");
        }

        @Test
        void rowsInTheDefaultPartitionAreReported() {
            CatalogSnapshot snap = withDefaultRows(
                    snapshot(
                            defaultPartition(),
                            range("p2026_03", "2026-03-01", "2026-04-01"),
                            range("p2026_04", "2026-04-01", "2026-05-01"),
                            range("p2026_05", "2026-05-01", "2026-06-01")),
                    42,
                    day("2026-07-02"),
                    day("2026-07-09"));

            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy(MONTHLY, 2), NOW);

            assertEquals(
                    List.of(new Finding(
                            Finding.Kind.DEFAULT_ROWS,
                            "default partition transactions_default holds 42"
                                    + " rows with created_at from 2026-07-02 to 2026-07-09")),
                    plan.findings());
        }
    }

    @Nested
    class DefaultPartition {

        @ParameterizedTest(name = "{0}, default exists={1}")
        @CsvSource({
            "CREATE, false, true, false",
            "CREATE, true, false, false",
            "KEEP, false, false, false",
            "KEEP, true, false, false",
            "NONE, false, false, false",
            "NONE, true, false, true",
        })
        void policyModeAgainstTheCatalog(
                DefaultPartitionMode mode, boolean exists, boolean createsOne, boolean reportsOne) {
            List<PartitionInfo> parts = new ArrayList<>(List.of(
                    range("p2026_03", "2026-03-01", "2026-04-01"), range("p2026_04", "2026-04-01", "2026-05-01")));
            if (exists) {
                parts.add(defaultPartition());
            }

            MaintenancePlan plan = MaintenancePlanner.plan(
                    snapshot(KeyType.TIMESTAMPTZ, parts), policy(MONTHLY, 1).withDefaultPartition(mode), NOW);

            assertEquals(
                    createsOne ? List.of(new PlannedAction.CreateDefaultPartition("transactions_default")) : List.of(),
                    plan.actions());
            assertEquals(reportsOne ? List.of(Finding.Kind.DEFAULT_PARTITION) : List.of(), kinds(plan));
            if (reportsOne) {
                assertTrue(plan.findings().get(0).message().contains("transactions_default exists"));
            }
        }
    }

    @Test
    void actionsComeInOrderFinalizeDefaultCreatesDetaches() {
        CatalogSnapshot snap = snapshot(
                range("p2025_11", "2025-11-01", "2025-12-01"),
                pendingDetach("transactions_p2025_10", day("2025-10-01"), day("2025-11-01")),
                range("p2025_12", "2025-12-01", "2026-01-01"),
                range("p2026_03", "2026-03-01", "2026-04-01"));
        TablePolicy policy = policy(MONTHLY, 2)
                .withRetention(Retention.parse("3 months"))
                .withDefaultPartition(DefaultPartitionMode.CREATE);

        MaintenancePlan plan = MaintenancePlanner.plan(snap, policy, NOW);

        assertEquals(
                List.of(
                        new PlannedAction.FinalizeDetach("transactions_p2025_10", "2025-10-01", "2025-11-01"),
                        new PlannedAction.CreateDefaultPartition("transactions_default"),
                        Expected.parse("p2026_04 2026-04-01 2026-05-01").create(),
                        Expected.parse("p2026_05 2026-05-01 2026-06-01").create(),
                        new PlannedAction.DetachPartition(
                                "transactions_p2025_11",
                                day("2025-11-01"),
                                day("2025-12-01"),
                                "2025-11-01",
                                "2025-12-01")),
                plan.actions());
        assertEquals(Finding.Kind.DETACH_PENDING, plan.findings().get(0).kind());
        assertTrue(plan.findings().get(0).message().contains("transactions_p2025_10"));
        // the pending partition is on its way out: it is neither detached again nor part of the layout
        assertEquals(1, detaches(plan).size());
    }

    @Nested
    class PartitionNames {

        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "short, transactions, p2026_03, transactions_p2026_03",
            "63 ascii, " + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + ", p2026_03_15, "
                    + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_p2026_03_15",
        })
        void asciiNames(String label, String table, String suffix, String expected) {
            String name = MaintenancePlanner.partitionName(new TableName("public", table), suffix);

            assertEquals(expected, name);
            assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= TableName.MAX_IDENTIFIER_BYTES);
        }

        /** The table part is cut on a character boundary so the name stays within 63 bytes. */
        @ParameterizedTest(name = "{0} x{1} + {2}")
        @CsvSource({
            "ü, 40, p2026_03_15, 25, 62", // 2 bytes each; 51 bytes of budget
            "日, 30, p2026_03, 18, 63", // 3 bytes each; 54 bytes of budget
            "😀, 20, default, 13, 60", // 4 bytes, two UTF-16 chars each; 55 bytes of budget
        })
        void multiByteNamesAreCutOnCharacterBoundaries(String ch, int repeat, String suffix, int kept, int bytes) {
            String name = MaintenancePlanner.partitionName(new TableName("public", ch.repeat(repeat)), suffix);

            assertEquals(ch.repeat(kept) + "_" + suffix, name);
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            assertEquals(bytes, utf8.length);
            assertEquals(name, new String(utf8, StandardCharsets.UTF_8), "no broken character");
        }

        @Test
        void plannerUsesTheCutNames() {
            TableName longName = new TableName("public", "ü".repeat(40));
            CatalogSnapshot snap = new CatalogSnapshot(longName, "created_at", KeyType.TIMESTAMPTZ, List.of(), 0, 0, 0);

            MaintenancePlan plan = MaintenancePlanner.plan(
                    snap, TablePolicy.of(longName, DAILY).withPremake(1), NOW);

            for (PlannedAction a : plan.actions()) {
                assertInstanceOf(PlannedAction.CreatePartition.class, a);
                assertTrue(
                        a.partition().getBytes(StandardCharsets.UTF_8).length <= TableName.MAX_IDENTIFIER_BYTES,
                        a.partition());
            }
            assertEquals("ü".repeat(25) + "_p2026_03_15", plan.actions().get(0).partition());
        }
    }

    @Test
    void planIsTheSameWhateverOrderTheCatalogListsPartitionsIn() {
        List<PartitionInfo> parts = new ArrayList<>(Arrays.asList(
                range("p2026_01", "2026-01-01", "2026-02-01"),
                range("p2026_03", "2026-03-01", "2026-04-01"),
                range("p2025_06", "2025-06-01", "2025-07-01"),
                defaultPartition()));
        TablePolicy policy = policy(MONTHLY, 3).withRetention(Retention.parse("6 months"));
        MaintenancePlan forward = MaintenancePlanner.plan(snapshot(KeyType.TIMESTAMPTZ, parts), policy, NOW);
        Collections.reverse(parts);

        MaintenancePlan backward = MaintenancePlanner.plan(snapshot(KeyType.TIMESTAMPTZ, parts), policy, NOW);

        assertEquals(forward, backward);
        assertFalse(forward.nothingToDo());
    }
}

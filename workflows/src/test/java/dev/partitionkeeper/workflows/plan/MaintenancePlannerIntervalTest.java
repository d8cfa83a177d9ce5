package dev.partitionkeeper.workflows.plan;

import static dev.partitionkeeper.workflows.plan.Snapshots.TRANSACTIONS;
import static dev.partitionkeeper.workflows.plan.Snapshots.at;
import static dev.partitionkeeper.workflows.plan.Snapshots.creates;
import static dev.partitionkeeper.workflows.plan.Snapshots.detaches;
import static dev.partitionkeeper.workflows.plan.Snapshots.range;
import static dev.partitionkeeper.workflows.plan.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Intervals other than the five named ones: sub-day periods in absolute time, multi-day and multi-week ones. */
class MaintenancePlannerIntervalTest {
    static final long HOUR_MICROS = Duration.ofHours(1).toNanos() / 1_000;

    static TablePolicy policy(String interval, int premake, String zone) {
        return TablePolicy.of(TRANSACTIONS, PartitionInterval.parse(interval))
                .withPremake(premake)
                .withTimezone(zone);
    }

    static List<PlannedAction.CreatePartition> plan(TablePolicy policy, String now) {
        return creates(MaintenancePlanner.plan(snapshot(), policy, Instant.parse(now)));
    }

    /**
     * A Berlin hourly table over the whole local day of each 2026 clock change: 23 hours in March, 25 in October, each
     * partition one real hour, each starting where the last ended, every name its own (pg_partman #334).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "spring forward, 2026-03-28T23:00:00Z, 2026-03-29T22:00:00Z, 23, transactions_p2026_03_29_0100",
        "fall back, 2026-10-24T22:00:00Z, 2026-10-25T23:00:00Z, 25, transactions_p2026_10_25_0100",
    })
    void hourlyInBerlinAcrossAClockChangeHasNoGapNoOverlapAndUniqueNames(
            String change, String localMidnight, String nextLocalMidnight, int hours, String afterTheChange) {
        List<PlannedAction.CreatePartition> made = plan(policy("1 hour", 30, "Europe/Berlin"), localMidnight);

        long dayStart = at(localMidnight);
        long dayEnd = at(nextLocalMidnight);
        Set<String> names = new HashSet<>();
        int inTheDay = 0;
        for (int i = 0; i < made.size(); i++) {
            PlannedAction.CreatePartition p = made.get(i);
            assertEquals(HOUR_MICROS, p.to() - p.from(), p.toString());
            if (i > 0) {
                assertEquals(made.get(i - 1).to(), p.from(), "no gap, no overlap before " + p.partition());
            }
            assertEquals(true, names.add(p.partition()), "unique name " + p.partition());
            if (p.from() >= dayStart && p.to() <= dayEnd) {
                inTheDay++;
            }
        }
        assertEquals(31, made.size());
        assertEquals(dayStart, made.get(0).from());
        assertEquals(hours, inTheDay, change);
        // named by UTC: the hour that starts at 01:00 UTC, the first one on the new offset
        PlannedAction.CreatePartition after = made.stream()
                .filter(p -> p.partition().equals(afterTheChange))
                .findFirst()
                .orElseThrow();
        assertEquals(
                at(
                        localMidnight.substring(0, 10).equals("2026-03-28")
                                ? "2026-03-29T01:00:00Z"
                                : "2026-10-25T01:00:00Z"),
                after.from());
    }

    /** What the planner made across the autumn change is what the layout check wants: no gap, the whole runway. */
    @Test
    void theLayoutCheckAgreesWithThePlannerAcrossTheAutumnChange() {
        TablePolicy p = policy("1 hour", 5, "Europe/Berlin");
        Instant now = Instant.parse("2026-10-24T23:30:00Z");
        List<PartitionInfo> made = plan(p, now.toString()).stream()
                .map(c -> range(c.partition(), c.from(), c.to()))
                .toList();

        LayoutReport r = LayoutVerifier.verify(
                snapshot(made.toArray(PartitionInfo[]::new)), p, Instant.parse("2026-10-25T00:10:00Z"));

        assertEquals(List.of("runway is 4 partitions, premake wants 5"), r.problems(), "one hour later, one hour less");
        assertEquals(4, r.runwayPartitions());
    }

    @Test
    void hourlyReportsBoundsOnTheLocalClock() {
        List<PlannedAction.CreatePartition> made = plan(policy("1 hour", 1, "Europe/Berlin"), "2026-03-29T00:30:00Z");

        assertEquals(
                List.of(
                        "transactions_p2026_03_29_0000 2026-03-29 01:00 2026-03-29 03:00",
                        "transactions_p2026_03_29_0100 2026-03-29 03:00 2026-03-29 04:00"),
                made.stream()
                        .map(p -> p.partition() + " " + p.fromText() + " " + p.toText())
                        .toList());
    }

    @Test
    void theRepeatedHourIsReportedWithItsOffset() {
        List<PlannedAction.CreatePartition> made = plan(policy("1 hour", 2, "Europe/Berlin"), "2026-10-24T23:30:00Z");

        assertEquals(
                List.of(
                        "transactions_p2026_10_24_2300 2026-10-25 01:00 2026-10-25 02:00 +02:00",
                        "transactions_p2026_10_25_0000 2026-10-25 02:00 +02:00 2026-10-25 02:00 +01:00",
                        "transactions_p2026_10_25_0100 2026-10-25 02:00 +01:00 2026-10-25 03:00"),
                made.stream()
                        .map(p -> p.partition() + " " + p.fromText() + " " + p.toText())
                        .toList());
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "6 hours    | 2026-03-15T10:00:00Z | p2026_03_15_0600 2026-03-15T06:00:00Z, p2026_03_15_1200 2026-03-15T12:00:00Z",
                "6 hours    | 2026-03-15T23:59:59Z | p2026_03_15_1800 2026-03-15T18:00:00Z, p2026_03_16_0000 2026-03-16T00:00:00Z",
                "15 minutes | 2026-03-15T10:07:00Z | p2026_03_15_1000 2026-03-15T10:00:00Z, p2026_03_15_1015 2026-03-15T10:15:00Z",
                "15 minutes | 2026-03-15T23:50:00Z | p2026_03_15_2345 2026-03-15T23:45:00Z, p2026_03_16_0000 2026-03-16T00:00:00Z",
                "2 weeks    | 2026-03-15T10:00:00Z | p2026_03_09 2026-03-09T00:00:00Z, p2026_03_23 2026-03-23T00:00:00Z",
                "2 weeks    | 2026-03-23T00:00:00Z | p2026_03_23 2026-03-23T00:00:00Z, p2026_04_06 2026-04-06T00:00:00Z",
                "3 days     | 2026-03-15T10:00:00Z | p2026_03_14 2026-03-14T00:00:00Z, p2026_03_17 2026-03-17T00:00:00Z",
                "1 day      | 2026-03-15T10:00:00Z | p2026_03_15 2026-03-15T00:00:00Z, p2026_03_16 2026-03-16T00:00:00Z",
            })
    void currentAndNextPeriod(String interval, String now, String expected) {
        List<PlannedAction.CreatePartition> made = plan(policy(interval, 1, "UTC"), now);

        List<String> want = List.of(expected.split(", "));
        assertEquals(2, made.size());
        for (int i = 0; i < 2; i++) {
            String[] w = want.get(i).split(" ");
            assertEquals("transactions_" + w[0], made.get(i).partition());
            assertEquals(at(w[1]), made.get(i).from());
        }
        assertEquals(made.get(0).to(), made.get(1).from());
    }

    @Test
    void sixHoursInBerlinFollowUtcSoAClockChangeShiftsNothing() {
        List<PlannedAction.CreatePartition> made = plan(policy("6 hours", 8, "Europe/Berlin"), "2026-03-28T20:00:00Z");

        for (PlannedAction.CreatePartition p : made) {
            assertEquals(6 * HOUR_MICROS, p.to() - p.from());
            assertEquals(0, Math.floorMod(p.from(), 6 * HOUR_MICROS), "epoch-aligned " + p.partition());
        }
    }

    @Test
    void timestampWithoutZoneCountsHoursOnItsOwnClock() {
        TablePolicy p = policy("1 hour", 1, "Europe/Berlin");
        List<PlannedAction.CreatePartition> made = creates(MaintenancePlanner.plan(
                snapshot(KeyType.TIMESTAMP, List.of()), p, Instant.parse("2026-03-15T10:30:00Z")));

        // 11:30 in Berlin, stored as wall-clock time
        assertEquals("transactions_p2026_03_15_1100", made.get(0).partition());
        assertEquals("2026-03-15 11:00", made.get(0).fromText());
    }

    @Test
    void hourlyRetentionDetachesWholeHoursPastTheCutoff() {
        TablePolicy p = policy("1 hour", 1, "UTC").withRetention(Retention.parse("1 day"));
        CatalogSnapshot snap = snapshot(
                range("transactions_p2026_03_14_0900", at("2026-03-14T09:00:00Z"), at("2026-03-14T10:00:00Z")),
                range("transactions_p2026_03_14_1000", at("2026-03-14T10:00:00Z"), at("2026-03-14T11:00:00Z")),
                range("transactions_p2026_03_15_1000", at("2026-03-15T10:00:00Z"), at("2026-03-15T11:00:00Z")));

        assertEquals(
                List.of("transactions_p2026_03_14_0900"),
                detaches(MaintenancePlanner.plan(snap, p, Instant.parse("2026-03-15T10:30:00Z"))).stream()
                        .map(PlannedAction.DetachPartition::partition)
                        .toList());
    }

    @Test
    void aSubDayIntervalOnADateKeyIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> MaintenancePlanner.plan(
                        snapshot(KeyType.DATE, List.of()),
                        policy("1 hour", 1, "UTC"),
                        Instant.parse("2026-03-15T10:30:00Z")));

        assertEquals(
                "interval 1 hour needs a timestamp key, but the key is a date; use an interval of a day or more"
                        + " (e.g. daily)",
                e.getMessage());
    }

    /** Workflow histories hold policies with {@code "interval":"MONTHLY"}: they must read back, and new ones too. */
    @Test
    void intervalsSerializeAsBeforeAndNewOnesRoundTrip() {
        DataConverter c = DefaultDataConverter.STANDARD_INSTANCE;
        TablePolicy monthly = TablePolicy.of(TRANSACTIONS, PartitionInterval.MONTHLY);
        String json = c.toPayload(monthly).orElseThrow().getData().toString(StandardCharsets.UTF_8);

        assertEquals(true, json.contains("\"interval\":\"MONTHLY\""), json);
        assertEquals(monthly, c.fromPayload(c.toPayload(monthly).orElseThrow(), TablePolicy.class, TablePolicy.class));
        TablePolicy hourly = policy("6 hours", 2, "Europe/Berlin");
        String hourlyJson = c.toPayload(hourly).orElseThrow().getData().toString(StandardCharsets.UTF_8);
        assertEquals(true, hourlyJson.contains("\"interval\":\"6 hours\""), hourlyJson);
        assertEquals(hourly, c.fromPayload(c.toPayload(hourly).orElseThrow(), TablePolicy.class, TablePolicy.class));
    }
}

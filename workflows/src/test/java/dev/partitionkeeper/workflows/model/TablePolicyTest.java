package dev.partitionkeeper.workflows.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TablePolicyTest {
    static final TableName EVENTS = new TableName("public", "events");

    static TablePolicy policy(
            PartitionInterval interval, int premake, String retention, String timezone, int dropGraceDays) {
        return new TablePolicy(
                EVENTS,
                interval,
                premake,
                retention == null ? null : Retention.parse(retention),
                timezone,
                DefaultPartitionMode.KEEP,
                RetentionAction.DETACH_ONLY,
                dropGraceDays);
    }

    static String rejection(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void ofFillsTheDefaults() {
        TablePolicy p = TablePolicy.of(EVENTS, PartitionInterval.MONTHLY);

        assertEquals(TablePolicy.DEFAULT_PREMAKE, p.premake());
        assertEquals(4, p.premake());
        assertNull(p.retention(), "no retention keeps partitions forever");
        assertEquals(ZoneId.of("UTC"), p.zone());
        assertEquals(DefaultPartitionMode.KEEP, p.defaultPartition());
        assertEquals(RetentionAction.DETACH_ONLY, p.retentionAction());
        assertEquals(7, p.dropGraceDays());
    }

    @Test
    void nullsMeanTheDefaults() {
        TablePolicy p = new TablePolicy(EVENTS, PartitionInterval.DAILY, 1, null, null, null, null, 0);

        assertEquals("UTC", p.timezone());
        assertEquals(DefaultPartitionMode.KEEP, p.defaultPartition());
        assertEquals(RetentionAction.DETACH_ONLY, p.retentionAction());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 1001, Integer.MAX_VALUE})
    void premakeOutsideOneToAThousandIsRejected(int premake) {
        assertEquals(
                "premake must be between 1 and 1000 for public.events, got: " + premake,
                rejection(() -> policy(PartitionInterval.DAILY, premake, null, "UTC", 7)));
    }

    @Test
    void premakeOfOneIsEnough() {
        assertEquals(1, policy(PartitionInterval.DAILY, 1, null, "UTC", 7).premake());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Mars/Olympus", "Europe/Berlln", "CEST+2", ""})
    void unknownTimezoneIsRejectedNamingTheTableAndValue(String zone) {
        assertEquals(
                "timezone must be an IANA time zone such as \"Europe/Berlin\" for public.events, got: \"" + zone + "\"",
                rejection(() -> policy(PartitionInterval.DAILY, 4, null, zone, 7)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"})
    void knownTimezones(String zone) {
        assertEquals(
                ZoneId.of(zone),
                policy(PartitionInterval.DAILY, 4, null, zone, 7).zone());
    }

    @Test
    void requiredFields() {
        assertEquals(
                "table is required",
                rejection(() -> new TablePolicy(null, PartitionInterval.DAILY, 4, null, "UTC", null, null, 7)));
        assertEquals(
                "interval is required for public.events",
                rejection(() -> new TablePolicy(EVENTS, null, 4, null, "UTC", null, null, 7)));
    }

    @Test
    void negativeDropGraceIsRejected() {
        assertEquals(
                "drop_grace must be 0 days or more for public.events, got: -1",
                rejection(() -> policy(PartitionInterval.DAILY, 4, null, "UTC", -1)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "WEEKLY, 6 days",
        "MONTHLY, 3 weeks",
        "MONTHLY, 27 days",
        "QUARTERLY, 2 months",
        "QUARTERLY, 60 days",
        "YEARLY, 11 months",
        "YEARLY, 52 weeks",
        "YEARLY, 364 days",
    })
    void retentionShorterThanOneIntervalIsRejected(PartitionInterval interval, String retention) {
        assertEquals(
                "retention " + Retention.parse(retention) + " for public.events is shorter than one " + interval.label()
                        + " partition; use at least one interval",
                rejection(() -> policy(interval, 4, retention, "UTC", 7)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "DAILY, 1 day",
        "WEEKLY, 1 week",
        "WEEKLY, 7 days",
        "MONTHLY, 1 month",
        "MONTHLY, 31 days",
        "QUARTERLY, 3 months", // one quarter is three months, however many days they have
        "QUARTERLY, 13 weeks",
        "QUARTERLY, 1 year",
        "YEARLY, 12 months",
        "YEARLY, 1 year",
        "YEARLY, 365 days",
    })
    void retentionOfAtLeastOneIntervalIsAccepted(PartitionInterval interval, String retention) {
        assertDoesNotThrow(() -> policy(interval, 4, retention, "UTC", 7));
    }

    @Test
    void withersKeepEverythingElse() {
        TablePolicy base = TablePolicy.of(EVENTS, PartitionInterval.MONTHLY);

        TablePolicy changed = base.withPremake(2)
                .withRetention(Retention.parse("12 months"))
                .withTimezone("Europe/Berlin")
                .withDefaultPartition(DefaultPartitionMode.CREATE)
                .withRetentionAction(RetentionAction.ARCHIVE);

        assertEquals(
                new TablePolicy(
                        EVENTS,
                        PartitionInterval.MONTHLY,
                        2,
                        new Retention(12, Retention.Unit.MONTHS),
                        "Europe/Berlin",
                        DefaultPartitionMode.CREATE,
                        RetentionAction.ARCHIVE,
                        7),
                changed);
    }

    @Test
    void withersValidateToo() {
        TablePolicy base = TablePolicy.of(EVENTS, PartitionInterval.MONTHLY);

        assertThrows(IllegalArgumentException.class, () -> base.withPremake(0));
        assertThrows(IllegalArgumentException.class, () -> base.withRetention(Retention.parse("1 week")));
    }
}

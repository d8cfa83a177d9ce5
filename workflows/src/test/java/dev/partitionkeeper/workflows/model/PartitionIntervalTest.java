package dev.partitionkeeper.workflows.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PartitionIntervalTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "DAILY, 2026-03-15T10:00, 2026-03-15T00:00, 2026-03-16T00:00, p2026_03_15",
        "WEEKLY, 2026-03-15T10:00, 2026-03-09T00:00, 2026-03-16T00:00, p2026_w11",
        "WEEKLY, 2026-03-16T00:00, 2026-03-16T00:00, 2026-03-23T00:00, p2026_w12",
        "MONTHLY, 2026-03-15T10:00, 2026-03-01T00:00, 2026-04-01T00:00, p2026_03",
        "MONTHLY, 2026-01-31T23:59, 2026-01-01T00:00, 2026-02-01T00:00, p2026_01",
        "QUARTERLY, 2026-03-31T23:59, 2026-01-01T00:00, 2026-04-01T00:00, p2026_q1",
        "QUARTERLY, 2026-11-15T10:00, 2026-10-01T00:00, 2027-01-01T00:00, p2026_q4",
        "YEARLY, 2026-12-31T23:59, 2026-01-01T00:00, 2027-01-01T00:00, p2026",
        "WEEKLY, 2021-01-01T12:00, 2020-12-28T00:00, 2021-01-04T00:00, p2020_w53",
    })
    void floorNextAndSuffix(
            PartitionInterval interval, LocalDateTime t, LocalDateTime start, LocalDateTime next, String suffix) {
        assertEquals(start, interval.floor(t));
        assertEquals(next, interval.next(start));
        assertEquals(suffix, interval.suffix(start));
    }

    @Test
    void monthlyPlusStaysOnTheFirst() {
        LocalDateTime jan = LocalDateTime.parse("2026-01-01T00:00");

        assertEquals(LocalDateTime.parse("2027-03-01T00:00"), PartitionInterval.MONTHLY.plus(jan, 14));
        assertEquals(LocalDateTime.parse("2026-10-01T00:00"), PartitionInterval.QUARTERLY.plus(jan, 3));
    }

    @Test
    void parsing() {
        assertEquals(PartitionInterval.MONTHLY, PartitionInterval.parse(" Monthly "));
        assertEquals(
                "interval must be daily, weekly, monthly, quarterly, yearly or a whole number of minutes, hours, days,"
                        + " weeks, months or years such as \"1 hour\", \"15 minutes\" or \"2 weeks\", got: \"fortnightly\"",
                assertThrows(IllegalArgumentException.class, () -> PartitionInterval.parse("fortnightly"))
                        .getMessage());

        assertEquals(DefaultPartitionMode.CREATE, DefaultPartitionMode.parse("create"));
        assertEquals(
                "default_partition must be one of keep, create, none, got: \"drop\"",
                assertThrows(IllegalArgumentException.class, () -> DefaultPartitionMode.parse("drop"))
                        .getMessage());

        assertEquals(RetentionAction.ARCHIVE_AND_DROP, RetentionAction.parse("archive_and_drop"));
        assertEquals(
                "retention_action must be one of detach_only, archive, archive_and_drop, got: \"null\"",
                assertThrows(IllegalArgumentException.class, () -> RetentionAction.parse(null))
                        .getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1 hour     | 1 hour     | 1 hour",
                "6 Hours    | 6 hours    | 6 hours",
                "15 minutes | 15 minutes | 15 minutes",
                "2 weeks    | 2 weeks    | 2 weeks",
                "3 days     | 3 days     | 3 days",
                "1 day      | DAILY      | daily",
                "1 week     | WEEKLY     | weekly",
                "3 months   | QUARTERLY  | quarterly",
                "1 year     | YEARLY     | yearly",
                "MONTHLY    | MONTHLY    | monthly",
            })
    void wholeNumbersOfAUnitParseAndTheNamedOnesKeepTheirNames(String text, String name, String label) {
        PartitionInterval i = PartitionInterval.parse(text);

        assertEquals(name, i.name());
        assertEquals(label, i.label());
        assertEquals(i, PartitionInterval.parse(i.name()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0 hours      | interval \"0 hours\" must be at least 1 hour (e.g. \"6 hours\")",
                "1.5 hours    | interval \"1.5 hours\" must be a whole number of hours (e.g. \"6 hours\"), got: \"1.5\"",
                "7 fortnights | interval \"7 fortnights\" has an unknown unit \"fortnights\"; the units are minutes, hours, days,"
                        + " weeks, months and years (e.g. \"2 weeks\")",
                "7 hours      | interval 7 hours does not divide a day, so its partitions would not start at midnight; use one"
                        + " that does, such as \"1 hour\", \"6 hours\", \"8 hours\" or \"15 minutes\"",
                "24 hours     | interval 24 hours is a day or more; write it in days (e.g. \"1 day\")",
                "5000 days    | interval must be between 1 and 1000 days, got: 5000",
            })
    void badIntervalsSayWhatIsWrong(String text, String message) {
        assertEquals(
                message,
                assertThrows(IllegalArgumentException.class, () -> PartitionInterval.parse(text))
                        .getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "1 hour, 2026-03-15T10:59, 2026-03-15T10:00, 2026-03-15T11:00, p2026_03_15_1000",
        "6 hours, 2026-03-15T23:59, 2026-03-15T18:00, 2026-03-16T00:00, p2026_03_15_1800",
        "15 minutes, 2026-03-15T10:44, 2026-03-15T10:30, 2026-03-15T10:45, p2026_03_15_1030",
        "2 weeks, 2026-03-22T23:00, 2026-03-09T00:00, 2026-03-23T00:00, p2026_03_09",
        "3 days, 1970-01-03T12:00, 1970-01-01T00:00, 1970-01-04T00:00, p1970_01_01",
        "3 days, 1969-12-31T12:00, 1969-12-29T00:00, 1970-01-01T00:00, p1969_12_29",
        "6 months, 2026-08-15T00:00, 2026-07-01T00:00, 2027-01-01T00:00, p2026_q3",
        "2 months, 2026-04-15T00:00, 2026-03-01T00:00, 2026-05-01T00:00, p2026_03",
    })
    void otherIntervalsFloorFromTheEpoch(
            String interval, LocalDateTime t, LocalDateTime start, LocalDateTime next, String suffix) {
        PartitionInterval i = PartitionInterval.parse(interval);

        assertEquals(start, i.floor(t));
        assertEquals(next, i.next(start));
        assertEquals(suffix, i.suffix(start));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "timestamp with time zone, TIMESTAMPTZ",
        "timestamp(3) with time zone, TIMESTAMPTZ",
        "timestamp without time zone, TIMESTAMP",
        "timestamp(0) without time zone, TIMESTAMP",
        "date, DATE",
        "smallint, SMALLINT",
        "integer, INTEGER",
        "bigint, BIGINT",
        "'numeric(20,0)', NUMERIC",
        "'numeric(10,2)', ",
        "numeric, ",
        "uuid, UUID",
        "text, ",
    })
    void keyTypesFromFormatType(String formatted, KeyType expected) {
        assertEquals(expected, KeyType.fromSqlName(formatted));
    }

    @Test
    void unknownKeyTypeIsNull() {
        assertNull(KeyType.fromSqlName(null));
    }
}

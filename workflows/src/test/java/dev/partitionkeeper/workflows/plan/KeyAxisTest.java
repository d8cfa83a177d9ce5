package dev.partitionkeeper.workflows.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.model.KeyType;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class KeyAxisTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    /** Axis value (as a UTC instant), key type, and the literal PostgreSQL gets and prints back. */
    @ParameterizedTest(name = "{1} {2}")
    @CsvSource({
        "2026-03-01T00:00:00Z, TIMESTAMPTZ, 2026-03-01 00:00:00+00",
        "2026-03-01T00:00:00Z, TIMESTAMP, 2026-03-01 00:00:00",
        "2026-03-01T00:00:00Z, DATE, 2026-03-01",
        "2026-03-01T12:34:56.123456Z, TIMESTAMPTZ, 2026-03-01 12:34:56.123456+00",
        "2026-03-01T12:34:56.5Z, TIMESTAMP, 2026-03-01 12:34:56.500000",
        "2026-03-01T00:00:00.000001Z, TIMESTAMPTZ, 2026-03-01 00:00:00.000001+00",
        "1969-12-31T23:59:59.5Z, TIMESTAMPTZ, 1969-12-31 23:59:59.500000+00", // before the epoch: negative micros
        "1900-01-01T00:00:00Z, DATE, 1900-01-01",
        "2028-02-29T00:00:00Z, DATE, 2028-02-29",
    })
    void literalAndParseBoundRoundTrip(Instant value, KeyType type, String literal) {
        long axis = KeyAxis.micros(value);

        assertEquals(literal, KeyAxis.literal(axis, type));
        assertEquals(axis, KeyAxis.parseBound("'" + literal + "'", type));
        assertEquals(axis, KeyAxis.parseBound(literal, type), "quotes are optional");
        assertEquals("('" + literal + "')", KeyAxis.sqlBound(axis, type));
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void minvalueAndMaxvalue(KeyType type) {
        assertEquals("MINVALUE", KeyAxis.literal(KeyAxis.MIN, type));
        assertEquals("MAXVALUE", KeyAxis.literal(KeyAxis.MAX, type));
        assertEquals("(MINVALUE)", KeyAxis.sqlBound(KeyAxis.MIN, type));
        assertEquals("(MAXVALUE)", KeyAxis.sqlBound(KeyAxis.MAX, type));
        assertEquals(KeyAxis.MIN, KeyAxis.parseBound("MINVALUE", type));
        assertEquals(KeyAxis.MAX, KeyAxis.parseBound(" maxvalue ", type));
        assertEquals("MINVALUE", KeyAxis.display(KeyAxis.MIN, type, BERLIN));
        assertEquals("MAXVALUE", KeyAxis.display(KeyAxis.MAX, type, BERLIN));
    }

    /** As {@code pg_get_expr(relpartbound)} prints timestamptz bounds, in UTC and in other session zones. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "'2026-03-01 00:00:00+00', 2026-03-01T00:00:00Z",
        "'2026-03-01 00:00:00+05:30', 2026-02-28T18:30:00Z",
        "'2026-03-01 00:00:00-08', 2026-03-01T08:00:00Z",
        "'2026-03-01 00:00:00.25+01', 2026-02-28T23:00:00.25Z",
        "'1900-01-01 00:00:00+00:09:21', 1899-12-31T23:50:39Z", // LMT offsets carry seconds
    })
    void parsesTimestamptzBoundsWithAnyOffset(String bound, Instant expected) {
        assertEquals(KeyAxis.micros(expected), KeyAxis.parseBound(bound, KeyType.TIMESTAMPTZ));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource({
        "'infinity', TIMESTAMPTZ",
        "'-infinity', TIMESTAMP",
        "'0044-03-15 00:00:00+00 BC', TIMESTAMPTZ",
        "'2026-13-01', DATE",
        "'2026-03-01', TIMESTAMP",
        "42, TIMESTAMPTZ",
    })
    void rejectsBoundsItCannotRead(String bound, KeyType type) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KeyAxis.parseBound(bound, type));

        assertEquals("cannot read partition bound " + bound + " as " + type.sqlName(), e.getMessage());
    }

    @Test
    void timestamptzAxisIsTheInstantWhileZonelessAxesAreTheWallClockReadAsUtc() {
        LocalDateTime midnight = LocalDateTime.parse("2026-03-29T00:00:00");

        assertEquals(
                KeyAxis.micros(Instant.parse("2026-03-28T23:00:00Z")),
                KeyAxis.of(midnight, BERLIN, KeyType.TIMESTAMPTZ));
        assertEquals(
                KeyAxis.micros(Instant.parse("2026-03-29T00:00:00Z")), KeyAxis.of(midnight, BERLIN, KeyType.TIMESTAMP));
        assertEquals(KeyAxis.micros(Instant.parse("2026-03-29T00:00:00Z")), KeyAxis.of(midnight, BERLIN, KeyType.DATE));
    }

    @ParameterizedTest
    @EnumSource(
            value = KeyType.class,
            names = {"SMALLINT", "INTEGER", "BIGINT", "NUMERIC"},
            mode = EnumSource.Mode.EXCLUDE)
    void nowAndWallClockAgree(KeyType type) {
        Instant now = Instant.parse("2026-10-25T00:30:00Z"); // 02:30 CEST, before the clocks go back

        long axis = KeyAxis.now(now, BERLIN, type);

        assertEquals(LocalDateTime.parse("2026-10-25T02:30:00"), KeyAxis.wallClock(axis, BERLIN, type));
    }

    @Test
    void repeatedAutumnHourStaysDistinctOnTheTimestamptzAxis() {
        Instant first = Instant.parse("2026-10-25T00:30:00Z"); // 02:30 CEST
        Instant second = Instant.parse("2026-10-25T01:30:00Z"); // 02:30 CET

        assertEquals(KeyAxis.micros(first), KeyAxis.now(first, BERLIN, KeyType.TIMESTAMPTZ));
        assertEquals(KeyAxis.micros(second), KeyAxis.now(second, BERLIN, KeyType.TIMESTAMPTZ));
        // a zoneless column cannot tell them apart, and neither can the axis
        assertEquals(KeyAxis.now(first, BERLIN, KeyType.TIMESTAMP), KeyAxis.now(second, BERLIN, KeyType.TIMESTAMP));
    }

    @ParameterizedTest(name = "{1} {0}")
    @CsvSource({
        "2026-03-28T23:00:00Z, TIMESTAMPTZ, 2026-03-29", // local midnight prints as a date
        "2026-03-29T10:15:30.999Z, TIMESTAMPTZ, 2026-03-29 12:15:30",
        "2026-03-29T10:15:30Z, TIMESTAMP, 2026-03-29 10:15:30",
        "2026-03-29T10:15:30Z, DATE, 2026-03-29",
    })
    void displayIsInThePolicyZoneForTimestamptzOnly(Instant value, KeyType type, String expected) {
        assertEquals(expected, KeyAxis.display(KeyAxis.micros(value), type, BERLIN));
    }

    @Test
    void microsAndInstantAreInverse() {
        for (String s : new String[] {
            "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z", "2262-04-11T23:47:16Z", "0001-01-01T00:00:00Z"
        }) {
            Instant i = Instant.parse(s);
            assertEquals(i, KeyAxis.instant(KeyAxis.micros(i)), s);
        }
        assertTrue(KeyAxis.micros(LocalDateTime.parse("1969-12-31T23:59:59").toInstant(ZoneOffset.UTC)) < 0);
    }
}

package dev.partitionkeeper.workflows.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetentionTest {

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource({
        "12 months, 12, MONTHS, 12 months",
        "1 year, 1, YEARS, 1 year",
        "90 days, 90, DAYS, 90 days",
        "6 weeks, 6, WEEKS, 6 weeks",
        "1 week, 1, WEEKS, 1 week",
        "'  3 MONTHS ', 3, MONTHS, 3 months",
        "12months, 12, MONTHS, 12 months",
        "12 mon, 12, MONTHS, 12 months",
        "2 Years, 2, YEARS, 2 years",
        "1y, 1, YEARS, 1 year",
        "2w, 2, WEEKS, 2 weeks",
        "7d, 7, DAYS, 7 days",
    })
    void parses(String text, int amount, Retention.Unit unit, String printed) {
        Retention r = Retention.parse(text);

        assertEquals(new Retention(amount, unit), r);
        assertEquals(printed, r.toString());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @NullSource
    @ValueSource(
            strings = {
                "12 moths",
                "twelve months",
                "",
                "months",
                "12 5",
                "-1 days",
                "1.5 years",
                "1234567 days",
                "12 months ago",
                "12 minutes"
            })
    void rejectsWithAnExampleAndTheValue(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Retention.parse(text));

        assertEquals(
                "retention must be a number of days, weeks, months or years such as \"12 months\", got: \"" + text
                        + "\"",
                e.getMessage());
    }

    @Test
    void rejectsZero() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Retention.parse("0 days"));

        assertTrue(e.getMessage().startsWith("retention must be at least 1 "), e.getMessage());
        assertTrue(e.getMessage().endsWith("got: \"0 days\""), e.getMessage()); // the value as written
    }

    @ParameterizedTest(name = "{1} before {0}")
    @CsvSource({
        "2026-03-31T10:00, 12 months, 2025-03-31T10:00",
        "2026-03-31T10:00, 1 month, 2026-02-28T10:00", // no February 31st
        "2028-02-29T00:00, 1 year, 2027-02-28T00:00",
        "2026-03-15T10:00, 2 weeks, 2026-03-01T10:00",
        "2026-03-15T10:00, 90 days, 2025-12-15T10:00",
    })
    void subtractsInCalendarTerms(LocalDateTime from, String retention, LocalDateTime expected) {
        assertEquals(expected, Retention.parse(retention).subtractFrom(from));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"12 months, 336", "1 year, 365", "6 weeks, 42", "90 days, 90"})
    void minimumDaysCountsShortestMonths(String retention, long days) {
        assertEquals(days, Retention.parse(retention).minimumDays());
    }
}

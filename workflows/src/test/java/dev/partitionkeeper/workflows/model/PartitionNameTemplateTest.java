package dev.partitionkeeper.workflows.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PartitionNameTemplateTest {
    static final TableName BILLING = new TableName("public", "Billing Events");
    static final TableName TX = new TableName("public", "transactions");

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "DAILY     | Billing Events %Y%m%d | 2026-12-04 | Billing Events 20261204",
                "MONTHLY   | %t_y%Ym%m              | 2025-02-01 | transactions_y2025m02",
                "MONTHLY   | visits_%Y%m            | 2025-01-01 | visits_202501",
                "DAILY     | %t_p%Y%m%d             | 2025-02-01 | transactions_p20250201",
                "WEEKLY    | %t_%G_w%V              | 2026-12-28 | transactions_2026_w53",
                "WEEKLY    | %t_%G_w%V              | 2027-01-04 | transactions_2027_w01",
                "QUARTERLY | %t_%Yq%q               | 2026-10-01 | transactions_2026q4",
                "YEARLY    | %t_%Y                  | 2026-01-01 | transactions_2026",
                "DAILY     | %t_%Y_%j               | 2028-12-31 | transactions_2028_366",
                "MONTHLY   | %t_%Y%m_100%%          | 2026-03-01 | transactions_202603_100%"
            })
    void expandsTheFieldsFromThePeriodStart(PartitionInterval interval, String template, String day, String name) {
        TableName table = template.startsWith("Billing") ? BILLING : TX;

        assertEquals(
                name,
                PartitionNameTemplate.of(template, table, interval).expand(table, LocalDateTime.parse(day + "T00:00")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "MONTHLY | %t_%Y      | names two monthly partitions of public.transactions alike",
                "DAILY   | %t_%Y%m    | for example \"%t_p%Y%m%d\"",
                "WEEKLY  | %t_%Y_w%V  | names two weekly partitions",
                "DAILY   | transactions | names two daily partitions"
            })
    void refusesATemplateThatNamesTwoPeriodsAlike(PartitionInterval interval, String template, String message) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PartitionNameTemplate.of(template, TX, interval));

        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains("\"" + template + "\""), e.getMessage());
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1 hour     | %t_%Y%m%d_%H  | 2026-10-25T01:00 | transactions_20261025_01",
                "15 minutes | %t_%Y%m%d%H%M | 2026-03-29T23:45 | transactions_202603292345",
                "6 hours    | %t_%Y_%j_h%H  | 2028-12-31T18:00 | transactions_2028_366_h18"
            })
    void subDayTemplatesAddHoursAndMinutes(String interval, String template, LocalDateTime start, String name) {
        assertEquals(
                name,
                PartitionNameTemplate.of(template, TX, PartitionInterval.parse(interval))
                        .expand(TX, start));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1 hour     | %t_%Y%m%d     | alike (\"transactions_20230101\" for the periods starting 2023-01-01 00:00 UTC and"
                        + " 2023-01-01 01:00 UTC); include the fields that tell them apart, for example \"%t_p%Y%m%d_%H%M\"",
                "15 minutes | %t_%m%d%H%M   | names two 15 minutes partitions of public.transactions alike",
                "6 hours    | %t_%Y%m%d%M   | names two 6 hours partitions"
            })
    void refusesASubDayTemplateThatNamesTwoPeriodsAlike(String interval, String template, String message) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PartitionNameTemplate.of(template, TX, PartitionInterval.parse(interval)));

        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void refusesNamesLongerThanPostgresAllows() {
        String template = "x".repeat(60) + "_%Y%m%d";

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> PartitionNameTemplate.of(template, TX, PartitionInterval.DAILY));

        assertTrue(e.getMessage().contains("gives names of 69 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("PostgreSQL allows 63"), e.getMessage());
    }

    @Test
    void refusesUnknownFieldsAndBlanks() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> PartitionNameTemplate.of("%t_%Y%S", TX, PartitionInterval.MONTHLY))
                .getMessage()
                .contains("unknown field %S"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> PartitionNameTemplate.of("%t_%Y%m%", TX, PartitionInterval.MONTHLY))
                .getMessage()
                .contains("unknown field %;"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> PartitionNameTemplate.of(" ", TX, PartitionInterval.MONTHLY))
                .getMessage()
                .contains("partition_name must be a template"));
    }

    @Test
    void thePolicyValidatesItsTemplate() {
        TablePolicy p = TablePolicy.of(TX, PartitionInterval.MONTHLY);

        assertEquals("%t_y%Ym%m", p.withPartitionName("%t_y%Ym%m").partitionName());
        assertThrows(IllegalArgumentException.class, () -> p.withPartitionName("%t_%Y"));
        assertEquals(null, p.partitionName(), "the default names stay");
    }
}

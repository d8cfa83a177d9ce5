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
  void floorNextAndSuffix(PartitionInterval interval, LocalDateTime t, LocalDateTime start, LocalDateTime next,
      String suffix) {
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
    assertEquals("interval must be one of daily, weekly, monthly, quarterly, yearly, got: \"fortnightly\"",
        assertThrows(IllegalArgumentException.class, () -> PartitionInterval.parse("fortnightly")).getMessage());

    assertEquals(DefaultPartitionMode.CREATE, DefaultPartitionMode.parse("create"));
    assertEquals("default_partition must be one of keep, create, none, got: \"drop\"",
        assertThrows(IllegalArgumentException.class, () -> DefaultPartitionMode.parse("drop")).getMessage());

    assertEquals(RetentionAction.ARCHIVE_AND_DROP, RetentionAction.parse("archive_and_drop"));
    assertEquals("retention_action must be one of detach_only, archive, archive_and_drop, got: \"null\"",
        assertThrows(IllegalArgumentException.class, () -> RetentionAction.parse(null)).getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "timestamp with time zone, TIMESTAMPTZ",
    "timestamp(3) with time zone, TIMESTAMPTZ",
    "timestamp without time zone, TIMESTAMP",
    "timestamp(0) without time zone, TIMESTAMP",
    "date, DATE",
    "integer, ",
    "bigint, ",
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

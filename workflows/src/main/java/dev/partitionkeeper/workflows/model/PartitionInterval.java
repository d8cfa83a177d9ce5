package dev.partitionkeeper.workflows.model;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/** The width of one partition. Boundaries are wall-clock midnights in the policy's time zone. */
public enum PartitionInterval {
  DAILY,
  WEEKLY,
  MONTHLY,
  QUARTERLY,
  YEARLY;

  /** The start of the period that contains {@code t}. */
  public LocalDateTime floor(LocalDateTime t) {
    LocalDate d = t.toLocalDate();
    LocalDate start = switch (this) {
      case DAILY -> d;
      case WEEKLY -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTHLY -> d.withDayOfMonth(1);
      case QUARTERLY -> d.withDayOfMonth(1).withMonth(((d.getMonthValue() - 1) / 3) * 3 + 1);
      case YEARLY -> d.withDayOfYear(1);
    };
    return start.atStartOfDay();
  }

  /** The start of the period after the one starting at {@code start}. */
  public LocalDateTime next(LocalDateTime start) {
    return plus(start, 1);
  }

  public LocalDateTime plus(LocalDateTime start, long n) {
    return switch (this) {
      case DAILY -> start.plusDays(n);
      case WEEKLY -> start.plusWeeks(n);
      case MONTHLY -> start.plusMonths(n);
      case QUARTERLY -> start.plusMonths(3 * n);
      case YEARLY -> start.plusYears(n);
    };
  }

  /** Partition name suffix for the period starting at {@code start}, e.g. {@code p2026_03}. */
  public String suffix(LocalDateTime start) {
    LocalDate d = start.toLocalDate();
    return switch (this) {
      case DAILY -> String.format(Locale.ROOT, "p%04d_%02d_%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
      case WEEKLY -> String.format(Locale.ROOT, "p%04d_w%02d",
          d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
      case MONTHLY -> String.format(Locale.ROOT, "p%04d_%02d", d.getYear(), d.getMonthValue());
      case QUARTERLY -> String.format(Locale.ROOT, "p%04d_q%d", d.getYear(), (d.getMonthValue() - 1) / 3 + 1);
      case YEARLY -> String.format(Locale.ROOT, "p%04d", d.getYear());
    };
  }

  /** Approximate length in days, used only to compare a retention with one interval. */
  public int approximateDays() {
    return switch (this) {
      case DAILY -> 1;
      case WEEKLY -> 7;
      case MONTHLY -> 28;
      case QUARTERLY -> 89;
      case YEARLY -> 365;
    };
  }

  public static PartitionInterval parse(String text) {
    if (text != null) {
      for (PartitionInterval i : values()) {
        if (i.name().equalsIgnoreCase(text.trim())) {
          return i;
        }
      }
    }
    throw new IllegalArgumentException("interval must be one of daily, weekly, monthly, quarterly, yearly, got: \""
        + text + "\"");
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package dev.partitionkeeper.workflows.model;

import java.time.LocalDateTime;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How long partitions are kept attached: a whole number of days, weeks, months or years. */
public record Retention(int amount, Unit unit) {

    public enum Unit {
        DAYS(1),
        WEEKS(7),
        MONTHS(28),
        YEARS(365);

        private final int minDays;

        Unit(int minDays) {
            this.minDays = minDays;
        }
    }

    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,6})\\s*([a-zA-Z]+)\\s*");

    public Retention {
        if (amount < 1) {
            throw new IllegalArgumentException(
                    "retention must be at least 1 " + unit.name().toLowerCase(Locale.ROOT) + ", got: " + amount);
        }
    }

    /** Parses {@code "12 months"}, {@code "90 days"}, {@code "1 year"}, {@code "6 weeks"}. */
    public static Retention parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(
                    "retention must be a number of days, weeks, months or years such as \"12 months\", got: \"" + text
                            + "\"");
        }
        String u = m.group(2).toLowerCase(Locale.ROOT);
        Unit unit = switch (u) {
            case "d", "day", "days" -> Unit.DAYS;
            case "w", "week", "weeks" -> Unit.WEEKS;
            case "mon", "month", "months" -> Unit.MONTHS;
            case "y", "year", "years" -> Unit.YEARS;
            default ->
                throw new IllegalArgumentException(
                        "retention must be a number of days, weeks, months or years such as \"12 months\", got: \""
                                + text + "\"");
        };
        int amount = Integer.parseInt(m.group(1));
        if (amount < 1) {
            throw new IllegalArgumentException("retention must be at least 1 "
                    + unit.name().toLowerCase(Locale.ROOT).replaceFirst("s$", "") + " (e.g. \"12 months\"), got: \""
                    + text + "\"");
        }
        return new Retention(amount, unit);
    }

    /** {@code t} minus this retention, in calendar terms (12 months before March 31 is March 31). */
    public LocalDateTime subtractFrom(LocalDateTime t) {
        return switch (unit) {
            case DAYS -> t.minusDays(amount);
            case WEEKS -> t.minusWeeks(amount);
            case MONTHS -> t.minusMonths(amount);
            case YEARS -> t.minusYears(amount);
        };
    }

    /** The shortest this retention can be, in days (a month counts 28). */
    public long minimumDays() {
        return (long) amount * unit.minDays;
    }

    @Override
    public String toString() {
        String u = unit.name().toLowerCase(Locale.ROOT);
        return amount + " " + (amount == 1 ? u.substring(0, u.length() - 1) : u);
    }
}

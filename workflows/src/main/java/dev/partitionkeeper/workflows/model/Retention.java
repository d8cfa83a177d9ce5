package dev.partitionkeeper.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.LocalDateTime;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long partitions are kept attached: a whole number of days, weeks, months or years, or, for an integer
 * key, a number of key values ({@link Unit#VALUES}, {@code retention: 50000000}: the newest 50000000 ids).
 */
public record Retention(long amount, Unit unit) {

    public enum Unit {
        DAYS(1),
        WEEKS(7),
        MONTHS(28),
        YEARS(365),
        /** Key values of an integer key, counted back from its newest value. */
        VALUES(0);

        private final int minDays;

        Unit(int minDays) {
            this.minDays = minDays;
        }
    }

    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,6})\\s*([a-zA-Z]+)\\s*");
    private static final Pattern VALUES_FORM = Pattern.compile("\\s*[-+]?\\d{1,19}\\s*");

    public Retention {
        if (amount < 1) {
            throw new IllegalArgumentException(
                    "retention must be at least 1 " + unit.name().toLowerCase(Locale.ROOT) + ", got: " + amount);
        }
    }

    /** Parses {@code "12 months"}, {@code "90 days"}, {@code "1 year"}, {@code "6 weeks"}. */
    public static Retention parse(String text) {
        if (text != null && VALUES_FORM.matcher(text).matches()) {
            long n;
            try {
                n = Long.parseLong(text.trim().replace("+", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "retention " + text.trim() + " is more key values than a bigint" + " holds; use at most "
                                + Long.MAX_VALUE,
                        e);
            }
            if (n < 1) {
                throw new IllegalArgumentException("retention in key values must be at least 1 (the newest key values"
                        + " kept, e.g. retention: 50000000), got: " + n);
            }
            return new Retention(n, Unit.VALUES);
        }
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
            case VALUES -> throw new IllegalStateException("retention " + amount + " counts key values, not time");
            case DAYS -> t.minusDays(amount);
            case WEEKS -> t.minusWeeks(amount);
            case MONTHS -> t.minusMonths(amount);
            case YEARS -> t.minusYears(amount);
        };
    }

    /** The shortest this retention can be, in days (a month counts 28). */
    public long minimumDays() {
        if (unit == Unit.VALUES) {
            throw new IllegalStateException("retention " + amount + " counts key values, not time");
        }
        return amount * unit.minDays;
    }

    /**
     * Whether this time is longer than {@code other} whatever the calendar: months and years compare in months,
     * days and weeks in days, and a mix compares this one's shortest length against the other's longest (a month
     * is 28 to 31 days, a year 365 or 366).
     */
    public boolean longerThan(Retention other) {
        if (isValues() || other.isValues()) {
            throw new IllegalStateException("retention " + this + " or " + other + " counts key values, not time");
        }
        if (monthBased() && other.monthBased()) {
            return months() > other.months();
        }
        if (!monthBased() && !other.monthBased()) {
            return minimumDays() > other.minimumDays();
        }
        return minimumDays() > other.maximumDays();
    }

    private boolean monthBased() {
        return unit == Unit.MONTHS || unit == Unit.YEARS;
    }

    private long months() {
        return unit == Unit.YEARS ? 12 * amount : amount;
    }

    private long maximumDays() {
        return switch (unit) {
            case MONTHS -> 31 * amount;
            case YEARS -> 366 * amount;
            default -> minimumDays();
        };
    }

    /** Whether this counts key values of an integer key rather than time. Not a JSON property. */
    @JsonIgnore
    public boolean isValues() {
        return unit == Unit.VALUES;
    }

    @Override
    public String toString() {
        if (unit == Unit.VALUES) {
            return Long.toString(amount);
        }
        String u = unit.name().toLowerCase(Locale.ROOT);
        return amount + " " + (amount == 1 ? u.substring(0, u.length() - 1) : u);
    }
}

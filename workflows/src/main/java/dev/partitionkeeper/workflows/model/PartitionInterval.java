package dev.partitionkeeper.workflows.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The width of one partition: a whole number of minutes, hours, days, weeks, months or years. The five
 * named intervals ({@link #DAILY} ... {@link #YEARLY}) are the ones {@code "1 day"}, {@code "1 week"},
 * {@code "1 month"}, {@code "3 months"} and {@code "1 year"} parse to.
 *
 * <p>Day-based and longer periods start at wall-clock midnights of the policy's zone, counted from
 * 1970-01-01 (days), Monday 1969-12-29 (weeks) or January 1970 (months and years), so {@code "2 weeks"} is
 * the same fortnights everywhere. Sub-day periods ({@link #isSubDay()}) are counted in absolute time from the
 * epoch and must divide a day, so they start at every UTC midnight: a clock change never makes an hour
 * vanish or repeat (pg_partman #334).
 *
 * <p>For integer keys the width is a step of key values instead ({@link #steps}, {@code interval: 1000000});
 * such an interval has no periods in time, and the time methods ({@link #floor}, {@link #plus}) refuse it.
 *
 * <p>Serialized (JSON, in workflow histories) as {@link #name()}: {@code "MONTHLY"} for the named intervals,
 * as it always was, {@code "6 hours"} for the others, {@code "1000000"} for a step of key values.
 */
public final class PartitionInterval {

    /** The unit of an interval. */
    public enum Unit {
        MINUTES,
        HOURS,
        DAYS,
        WEEKS,
        MONTHS,
        YEARS,
        /** A step of key values, for integer keys ({@code interval: 1000000}); see {@link #steps}. */
        VALUES
    }

    public static final PartitionInterval DAILY = new PartitionInterval(1, Unit.DAYS, "DAILY");
    public static final PartitionInterval WEEKLY = new PartitionInterval(1, Unit.WEEKS, "WEEKLY");
    public static final PartitionInterval MONTHLY = new PartitionInterval(1, Unit.MONTHS, "MONTHLY");
    public static final PartitionInterval QUARTERLY = new PartitionInterval(3, Unit.MONTHS, "QUARTERLY");
    public static final PartitionInterval YEARLY = new PartitionInterval(1, Unit.YEARS, "YEARLY");
    private static final PartitionInterval[] NAMED = {DAILY, WEEKLY, MONTHLY, QUARTERLY, YEARLY};

    private static final int MINUTES_PER_DAY = 24 * 60;
    /** More than this many units is a typo (about a century of months). */
    private static final int MAX_AMOUNT = 1000;

    private static final Pattern FORM = Pattern.compile("\\s*(\\S+)\\s+([a-zA-Z]+)\\s*");
    private static final String HELP = "interval must be daily, weekly, monthly, quarterly, yearly or a whole number"
            + " of minutes, hours, days, weeks, months or years such as \"1 hour\", \"15 minutes\" or \"2 weeks\"";
    private static final LocalDate MONDAY_BEFORE_EPOCH = LocalDate.of(1969, 12, 29);
    private static final LocalDate EPOCH_DAY = LocalDate.of(1970, 1, 1);

    private static final Pattern STEP = Pattern.compile("\\s*[-+]?\\d+\\s*");

    private final int amount;
    private final Unit unit;
    private final String name;
    /** The step of key values ({@link Unit#VALUES}); 0 for time intervals. */
    private final long step;

    private PartitionInterval(int amount, Unit unit, String name) {
        this(amount, unit, name, 0);
    }

    private PartitionInterval(int amount, Unit unit, String name, long step) {
        this.amount = amount;
        this.unit = unit;
        this.name = name;
        this.step = step;
    }

    /**
     * A step of {@code step} key values for an integer key: partitions [0, step), [step, 2 * step), ...
     *
     * @throws IllegalArgumentException for a step of 0 or less
     */
    public static PartitionInterval steps(long step) {
        if (step < 1) {
            throw new IllegalArgumentException("interval for an integer key must be a step of at least 1 key value"
                    + " such as 1000000 (each partition then holds 1000000 ids), got: " + step);
        }
        return new PartitionInterval(1, Unit.VALUES, null, step);
    }

    /** Whether this is a step of key values ({@link #steps}) rather than a time interval. */
    public boolean isValueStep() {
        return unit == Unit.VALUES;
    }

    /**
     * The step of key values.
     *
     * @throws IllegalStateException for a time interval
     */
    public long step() {
        requireStep();
        return step;
    }

    private void requireTime() {
        if (unit == Unit.VALUES) {
            throw new IllegalStateException("interval " + step + " is a step of key values, not a time interval");
        }
    }

    private void requireStep() {
        if (unit != Unit.VALUES) {
            throw new IllegalStateException("interval " + label() + " is a time interval, not a step of key values");
        }
    }

    /** {@code amount} units, or the named interval it equals ({@code of(3, MONTHS)} is {@link #QUARTERLY}). */
    public static PartitionInterval of(int amount, Unit unit) {
        if (unit == Unit.VALUES) {
            return steps(amount);
        }
        if (amount < 1 || amount > MAX_AMOUNT) {
            throw new IllegalArgumentException("interval must be between 1 and " + MAX_AMOUNT + " "
                    + unit.name().toLowerCase(Locale.ROOT) + ", got: " + amount);
        }
        long minutes = unit == Unit.MINUTES ? amount : unit == Unit.HOURS ? 60L * amount : -1;
        if (minutes >= MINUTES_PER_DAY) {
            throw new IllegalArgumentException("interval " + amount + " "
                    + unit.name().toLowerCase(Locale.ROOT) + " is a day or more; write it in days (e.g. \"1 day\")");
        }
        if (minutes > 0 && MINUTES_PER_DAY % minutes != 0) {
            throw new IllegalArgumentException(
                    "interval " + amount + " " + unit.name().toLowerCase(Locale.ROOT)
                            + " does not divide a day, so its partitions would not start at midnight; use one that does, such as"
                            + " \"1 hour\", \"6 hours\", \"8 hours\" or \"15 minutes\"");
        }
        for (PartitionInterval n : NAMED) {
            if (n.amount == amount && n.unit == unit) {
                return n;
            }
        }
        return new PartitionInterval(amount, unit, null);
    }

    public int amount() {
        return amount;
    }

    public Unit unit() {
        return unit;
    }

    /** Whether one period is shorter than a day (minutes or hours). */
    public boolean isSubDay() {
        return unit == Unit.MINUTES || unit == Unit.HOURS;
    }

    /** The start of the period that contains {@code t}. */
    public LocalDateTime floor(LocalDateTime t) {
        requireTime();
        LocalDate d = t.toLocalDate();
        return switch (unit) {
            case MINUTES, HOURS -> {
                long step = stepMinutes();
                long m = Math.floorDiv(t.toLocalTime().toSecondOfDay() / 60, step) * step;
                yield d.atStartOfDay().plusMinutes(m);
            }
            case DAYS ->
                d.minusDays(Math.floorMod(ChronoUnit.DAYS.between(EPOCH_DAY, d), (long) amount))
                        .atStartOfDay();
            case WEEKS -> {
                LocalDate monday = d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                long weeks = ChronoUnit.WEEKS.between(MONDAY_BEFORE_EPOCH, monday);
                yield monday.minusWeeks(Math.floorMod(weeks, (long) amount)).atStartOfDay();
            }
            case MONTHS -> {
                LocalDate first = d.withDayOfMonth(1);
                long months = (first.getYear() - 1970L) * 12 + first.getMonthValue() - 1;
                yield first.minusMonths(Math.floorMod(months, (long) amount)).atStartOfDay();
            }
            case YEARS ->
                d.withDayOfYear(1)
                        .minusYears(Math.floorMod(d.getYear() - 1970L, (long) amount))
                        .atStartOfDay();
            case VALUES -> throw new IllegalStateException();
        };
    }

    /** The start of the period after the one starting at {@code start}. */
    public LocalDateTime next(LocalDateTime start) {
        return plus(start, 1);
    }

    public LocalDateTime plus(LocalDateTime start, long n) {
        requireTime();
        long k = Math.multiplyExact(n, (long) amount);
        return switch (unit) {
            case MINUTES -> start.plusMinutes(k);
            case HOURS -> start.plusHours(k);
            case DAYS -> start.plusDays(k);
            case WEEKS -> start.plusWeeks(k);
            case MONTHS -> start.plusMonths(k);
            case YEARS -> start.plusYears(k);
            case VALUES -> throw new IllegalStateException();
        };
    }

    /**
     * Partition name suffix for the period starting at {@code start}, e.g. {@code p2026_03}, {@code p2026_03_29_0100}
     * (sub-day: date, hours and minutes). Intervals without a name of their own are named by their first day.
     */
    public String suffix(LocalDateTime start) {
        requireTime();
        LocalDate d = start.toLocalDate();
        if (isSubDay()) {
            return String.format(
                    Locale.ROOT,
                    "p%04d_%02d_%02d_%02d%02d",
                    d.getYear(),
                    d.getMonthValue(),
                    d.getDayOfMonth(),
                    start.getHour(),
                    start.getMinute());
        }
        if (this == WEEKLY) {
            return String.format(
                    Locale.ROOT,
                    "p%04d_w%02d",
                    d.get(IsoFields.WEEK_BASED_YEAR),
                    d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        }
        if (this == MONTHLY || unit == Unit.MONTHS && amount % 3 != 0) {
            return String.format(Locale.ROOT, "p%04d_%02d", d.getYear(), d.getMonthValue());
        }
        if (unit == Unit.MONTHS) {
            return String.format(Locale.ROOT, "p%04d_q%d", d.getYear(), (d.getMonthValue() - 1) / 3 + 1);
        }
        if (unit == Unit.YEARS) {
            return String.format(Locale.ROOT, "p%04d", d.getYear());
        }
        return String.format(Locale.ROOT, "p%04d_%02d_%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    }

    /** The shortest length of one period in minutes (a month counts 28 days, a year 365). */
    public long minimumMinutes() {
        long day = MINUTES_PER_DAY;
        return switch (unit) {
            case MINUTES -> amount;
            case HOURS -> 60L * amount;
            case DAYS -> day * amount;
            case WEEKS -> 7 * day * amount;
            case MONTHS -> amount == 3 ? 89 * day : 28 * day * amount;
            case YEARS -> 365 * day * amount;
            case VALUES -> throw new IllegalStateException("interval " + step + " is a step of key values");
        };
    }

    private long stepMinutes() {
        return unit == Unit.HOURS ? 60L * amount : amount;
    }

    /**
     * Parses {@code daily} ... {@code yearly} (any case, as the names are serialized) and {@code "<n> <unit>"}:
     * {@code "1 hour"}, {@code "6 hours"}, {@code "15 minutes"}, {@code "3 days"}, {@code "2 weeks"}.
     */
    @JsonCreator
    public static PartitionInterval parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException(HELP + ", got: null");
        }
        for (PartitionInterval i : NAMED) {
            if (i.name.equalsIgnoreCase(text.trim())) {
                return i;
            }
        }
        if (STEP.matcher(text).matches()) {
            try {
                return steps(Long.parseLong(text.trim().replace("+", "")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "interval " + text.trim() + " is too large a step of key values; use at most " + Long.MAX_VALUE,
                        e);
            }
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(HELP + ", got: \"" + text + "\"");
        }
        Unit unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "min", "mins", "minute", "minutes" -> Unit.MINUTES;
            case "h", "hour", "hours" -> Unit.HOURS;
            case "d", "day", "days" -> Unit.DAYS;
            case "w", "week", "weeks" -> Unit.WEEKS;
            case "mon", "month", "months" -> Unit.MONTHS;
            case "y", "year", "years" -> Unit.YEARS;
            default ->
                throw new IllegalArgumentException(
                        "interval \"" + text.trim() + "\" has an unknown unit \"" + m.group(2)
                                + "\"; the units are minutes, hours, days, weeks, months and years (e.g. \"2 weeks\")");
        };
        String number = m.group(1);
        if (!number.matches("\\d{1,9}")) {
            throw new IllegalArgumentException("interval \"" + text.trim() + "\" must be a whole number of "
                    + unit.name().toLowerCase(Locale.ROOT) + " (e.g. \"" + example(unit) + "\"), got: \"" + number
                    + "\"");
        }
        int amount = Integer.parseInt(number);
        if (amount < 1) {
            throw new IllegalArgumentException("interval \"" + text.trim() + "\" must be at least 1 "
                    + unit.name().toLowerCase(Locale.ROOT).replaceFirst("s$", "") + " (e.g. \"" + example(unit)
                    + "\")");
        }
        return of(amount, unit);
    }

    private static String example(Unit unit) {
        return switch (unit) {
            case MINUTES -> "15 minutes";
            case HOURS -> "6 hours";
            case DAYS -> "3 days";
            case WEEKS -> "2 weeks";
            case MONTHS -> "6 months";
            case YEARS -> "1 year";
            case VALUES -> "1000000";
        };
    }

    /** {@code "MONTHLY"} for the named intervals, {@code "6 hours"} for the others: the serialized form. */
    @JsonValue
    public String name() {
        if (unit == Unit.VALUES) {
            return Long.toString(step);
        }
        return name != null ? name : amount + " " + unitLabel();
    }

    /** For messages and reports: {@code monthly}, {@code 6 hours}, {@code 1 hour}. */
    public String label() {
        if (unit == Unit.VALUES) {
            return Long.toString(step);
        }
        return name != null ? name.toLowerCase(Locale.ROOT) : amount + " " + unitLabel();
    }

    private String unitLabel() {
        String u = unit.name().toLowerCase(Locale.ROOT);
        return amount == 1 ? u.substring(0, u.length() - 1) : u;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionInterval other
                && other.amount == amount
                && other.unit == unit
                && other.step == step;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * amount + unit.hashCode()) + Long.hashCode(step);
    }

    @Override
    public String toString() {
        return name();
    }
}

package dev.partitionkeeper.workflows.model;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.IsoFields;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How new partitions are named: a per-table template with strftime-like fields, so partitions created by
 * partition-keeper follow a scheme the table already has ({@code transactions_y%Ym%m}, pgslice's
 * {@code visits_%Y%m}, pg_partman's {@code %t_p%Y%m%d}, {@code Billing Events %Y%m%d}).
 *
 * <p>Fields, each expanded from the start of the partition's period in the table's time zone:
 * {@code %t} the table's name, {@code %Y} year (4 digits), {@code %m} month (01-12), {@code %d} day of month
 * (01-31), {@code %G} ISO week-based year, {@code %V} ISO week (01-53), {@code %q} quarter (1-4), {@code %j}
 * day of year (001-366), {@code %H} hour (00-23), {@code %M} minute (00-59), {@code %%} a percent sign. Anything
 * else is copied as it is. For sub-day intervals the start is taken in UTC (see {@link PartitionInterval}), so the
 * hour a clock change repeats still gets names of its own.
 *
 * <p>{@link #of} rejects a template that names two periods alike (e.g. {@code %t_%Y} for a monthly table)
 * or whose names can be longer than PostgreSQL's 63-byte identifier limit: unlike the default names, a
 * template's names are never cut short, so they always read as the template says.
 */
public final class PartitionNameTemplate {
    /** PostgreSQL's identifier limit (NAMEDATALEN - 1). */
    public static final int MAX_NAME_BYTES = TableName.MAX_IDENTIFIER_BYTES;
    /** Periods checked for distinct names: every period of eight years, across week-year and leap-year turns. */
    private static final int PERIODS_CHECKED_YEARS = 8;

    private static final LocalDateTime CHECK_FROM = LocalDateTime.of(2023, 1, 1, 0, 0);

    private final String template;

    private PartitionNameTemplate(String template) {
        this.template = template;
    }

    /**
     * Parses and validates {@code template} for {@code table} partitioned by {@code interval}.
     *
     * @throws IllegalArgumentException naming the problem, the template and an example that works
     */
    public static PartitionNameTemplate of(String template, TableName table, PartitionInterval interval) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("partition_name must be a template such as \"%t_p%Y_%m\" for " + table
                    + ", got: \"" + template + "\"");
        }
        PartitionNameTemplate t = new PartitionNameTemplate(template);
        t.checkFields(table);
        Map<String, LocalDateTime> seen = new HashMap<>();
        LocalDateTime end = CHECK_FROM.plusYears(PERIODS_CHECKED_YEARS);
        // Every field has a fixed width, so a sub-day template names all periods apart when it names the days of
        // eight years apart and the periods of one day apart: checking both spares expanding every quarter hour.
        PartitionInterval days = interval.isSubDay() ? PartitionInterval.DAILY : interval;
        for (LocalDateTime p = days.floor(CHECK_FROM); p.isBefore(end); p = days.next(p)) {
            t.check(table, interval, seen, p);
        }
        if (interval.isSubDay()) {
            seen.clear();
            LocalDateTime dayEnd = CHECK_FROM.plusDays(1);
            for (LocalDateTime p = CHECK_FROM; p.isBefore(dayEnd); p = interval.next(p)) {
                t.check(table, interval, seen, p);
            }
        }
        return t;
    }

    /**
     * Parses and validates {@code template} for {@code table} partitioned by a step of integer key values: its
     * fields are {@code %t} (the table), {@code %k} (the partition's lower bound, {@code m} before the digits of a
     * negative one, which every template must hold: it tells the partitions apart) and {@code %%}.
     *
     * @throws IllegalArgumentException naming the problem, the template and an example that works
     */
    public static PartitionNameTemplate ofValues(String template, TableName table) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("partition_name must be a template such as \"%t_p%k\" for " + table
                    + ", got: \"" + template + "\"");
        }
        boolean bound = false;
        for (int i = 0; i < template.length(); i++) {
            if (template.charAt(i) == '%') {
                char f = i + 1 == template.length() ? 0 : template.charAt(i + 1);
                if ("tk%".indexOf(f) < 0 || f == 0) {
                    throw new IllegalArgumentException("partition_name \"" + template + "\" for " + table
                            + " has the field " + (f == 0 ? "%" : "%" + f) + ", but " + table + " is partitioned by"
                            + " a step of key values: its fields are %t (table), %k (the partition's lower bound)"
                            + " and %% (a percent sign), e.g. \"%t_p%k\"");
                }
                bound |= f == 'k';
                i++;
            }
        }
        if (!bound) {
            throw new IllegalArgumentException("partition_name \"" + template + "\" for " + table + " names every"
                    + " partition alike: include %k (the partition's lower bound), e.g. \"%t_p%k\"");
        }
        PartitionNameTemplate t = new PartitionNameTemplate(template);
        for (long from : new long[] {Long.MIN_VALUE + 1, Long.MAX_VALUE}) {
            String name = t.expandValues(table, from);
            int bytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_NAME_BYTES) {
                throw new IllegalArgumentException("partition_name \"" + template + "\" for " + table
                        + " gives names of up to " + bytes + " bytes (\"" + name + "\"); PostgreSQL allows "
                        + MAX_NAME_BYTES + ": shorten the template");
            }
        }
        return t;
    }

    /** The name of the partition of an integer key whose lower bound is {@code from} ({@link #ofValues}). */
    public String expandValues(TableName table, long from) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            char f = template.charAt(++i);
            switch (f) {
                case 't' -> out.append(table.table());
                case 'k' ->
                    out.append(from >= 0 ? Long.toString(from) : from == Long.MIN_VALUE ? "minf" : "m" + (-from));
                case '%' -> out.append('%');
                default -> throw new IllegalStateException("unchecked field %" + f);
            }
        }
        return out.toString();
    }

    private void check(TableName table, PartitionInterval interval, Map<String, LocalDateTime> seen, LocalDateTime p) {
        String name = expand(table, p);
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(
                    "partition_name \"" + template + "\" for " + table + " gives names of " + bytes + " bytes (\""
                            + name + "\"); PostgreSQL allows " + MAX_NAME_BYTES + ": shorten the template");
        }
        LocalDateTime other = seen.put(name, p);
        if (other != null) {
            throw new IllegalArgumentException("partition_name \"" + template + "\" names two " + interval.label()
                    + " partitions of " + table + " alike (\"" + name + "\" for the periods starting "
                    + shown(other, interval)
                    + " and " + shown(p, interval) + "); include the fields that tell them apart, for example \""
                    + example(interval) + "\"");
        }
    }

    private static String shown(LocalDateTime t, PartitionInterval interval) {
        return interval.isSubDay()
                ? t.toString().replace('T', ' ') + " UTC"
                : t.toLocalDate().toString();
    }

    /** A template that works for {@code interval}, for messages. */
    static String example(PartitionInterval interval) {
        return switch (interval.unit()) {
            case MINUTES, HOURS -> "%t_p%Y%m%d_%H%M";
            case DAYS -> "%t_p%Y%m%d";
            case WEEKS -> interval.amount() == 1 ? "%t_p%G_w%V" : "%t_p%Y%m%d";
            case MONTHS -> interval.amount() == 3 ? "%t_p%Y_q%q" : "%t_p%Y_%m";
            case YEARS -> "%t_p%Y";
            case VALUES -> "(none: integer keys are named <table>_p<lower bound>)";
        };
    }

    private void checkFields(TableName table) {
        for (int i = 0; i < template.length(); i++) {
            if (template.charAt(i) == '%') {
                if (i + 1 == template.length() || "tYmdGVqjHM%".indexOf(template.charAt(i + 1)) < 0) {
                    String field = i + 1 == template.length() ? "%" : "%" + template.charAt(i + 1);
                    throw new IllegalArgumentException(
                            "partition_name \"" + template + "\" for " + table + " has an unknown" + " field " + field
                                    + "; the fields are %t (table), %Y, %m, %d, %G, %V, %q, %j, %H, %M and %% (a percent sign)");
                }
                i++;
            }
        }
    }

    /**
     * The name of the partition whose period starts at {@code start}: wall clock in the table's zone, or UTC for
     * sub-day intervals.
     */
    public String expand(TableName table, LocalDateTime start) {
        LocalDate d = start.toLocalDate();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            char f = template.charAt(++i);
            switch (f) {
                case 't' -> out.append(table.table());
                case 'Y' -> out.append(String.format(Locale.ROOT, "%04d", d.getYear()));
                case 'm' -> out.append(String.format(Locale.ROOT, "%02d", d.getMonthValue()));
                case 'd' -> out.append(String.format(Locale.ROOT, "%02d", d.getDayOfMonth()));
                case 'G' -> out.append(String.format(Locale.ROOT, "%04d", d.get(IsoFields.WEEK_BASED_YEAR)));
                case 'V' -> out.append(String.format(Locale.ROOT, "%02d", d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)));
                case 'q' -> out.append((d.getMonthValue() - 1) / 3 + 1);
                case 'j' -> out.append(String.format(Locale.ROOT, "%03d", d.getDayOfYear()));
                case 'H' -> out.append(String.format(Locale.ROOT, "%02d", start.getHour()));
                case 'M' -> out.append(String.format(Locale.ROOT, "%02d", start.getMinute()));
                case '%' -> out.append('%');
                default -> throw new IllegalStateException("unchecked field %" + f);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return template;
    }
}

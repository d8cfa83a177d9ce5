package dev.partitionkeeper.workflows.plan;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Partition bounds as one comparable number: microseconds on the key's own axis. For
 * {@code timestamptz} that is the instant since the epoch; for {@code timestamp} and {@code date} it is
 * the wall-clock value read as if it were UTC (those types carry no zone). {@link #MIN} and
 * {@link #MAX} stand for {@code MINVALUE} and {@code MAXVALUE}.
 */
public final class KeyAxis {
    public static final long MIN = Long.MIN_VALUE;
    public static final long MAX = Long.MAX_VALUE;

    private static final DateTimeFormatter TS = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart()
            .appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .optionalEnd()
            .toFormatter(Locale.ROOT);
    private static final DateTimeFormatter TSTZ = new DateTimeFormatterBuilder()
            .append(TS)
            .appendPattern("[XXXXX][XXX][X]")
            .toFormatter(Locale.ROOT);

    private KeyAxis() {}

    /**
     * The zone in which {@code interval}'s periods are counted and named: the policy's zone, or UTC for sub-day
     * intervals, whose boundaries are absolute times so that a clock change neither drops nor repeats an hour.
     *
     * @throws IllegalArgumentException for a sub-day interval on a {@code date} key
     */
    public static ZoneId periodZone(PartitionInterval interval, ZoneId zone, KeyType type) {
        if (!interval.isSubDay()) {
            return zone;
        }
        if (type == KeyType.DATE) {
            throw new IllegalArgumentException(
                    "interval " + interval.label() + " needs a timestamp key, but the key is a"
                            + " date; use an interval of a day or more (e.g. daily)");
        }
        return ZoneOffset.UTC;
    }

    /** The axis value of a wall-clock time in {@code zone}. */
    public static long of(LocalDateTime wallClock, ZoneId zone, KeyType type) {
        return switch (type) {
            case TIMESTAMPTZ -> micros(wallClock.atZone(zone).toInstant());
            case TIMESTAMP, DATE -> micros(wallClock.toInstant(ZoneOffset.UTC));
        };
    }

    /** Where "now" sits on the axis. */
    public static long now(Instant now, ZoneId zone, KeyType type) {
        return switch (type) {
            case TIMESTAMPTZ -> micros(now);
            case TIMESTAMP, DATE -> micros(LocalDateTime.ofInstant(now, zone).toInstant(ZoneOffset.UTC));
        };
    }

    /** The wall-clock time in {@code zone} of an axis value. */
    public static LocalDateTime wallClock(long axis, ZoneId zone, KeyType type) {
        Instant i = instant(axis);
        return switch (type) {
            case TIMESTAMPTZ -> LocalDateTime.ofInstant(i, zone);
            case TIMESTAMP, DATE -> LocalDateTime.ofInstant(i, ZoneOffset.UTC);
        };
    }

    /**
     * The SQL text of a bound, without quotes: {@code 2026-03-01 00:00:00+00}, {@code 2026-03-01},
     * {@code MINVALUE}. The caller quotes it as a literal (it never contains a quote).
     */
    public static String literal(long axis, KeyType type) {
        if (axis == MIN) {
            return "MINVALUE";
        }
        if (axis == MAX) {
            return "MAXVALUE";
        }
        LocalDateTime utc = LocalDateTime.ofInstant(instant(axis), ZoneOffset.UTC);
        String ts = utc.getNano() == 0
                ? utc.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT))
                : utc.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT));
        return switch (type) {
            case TIMESTAMPTZ -> ts + "+00";
            case TIMESTAMP -> ts;
            case DATE -> utc.toLocalDate().toString();
        };
    }

    /** {@code ('2026-03-01 00:00:00+00')} or {@code (MINVALUE)}: a bound as it goes after FROM/TO. */
    public static String sqlBound(long axis, KeyType type) {
        String lit = literal(axis, type);
        return (axis == MIN || axis == MAX) ? "(" + lit + ")" : "('" + lit + "')";
    }

    /**
     * Parses one bound as {@code pg_get_expr(relpartbound)} prints it in a session with
     * {@code TimeZone=UTC} and {@code DateStyle=ISO}: {@code '2026-03-01 00:00:00+00'} or {@code MINVALUE}.
     *
     * @throws IllegalArgumentException for anything else (infinity, BC dates)
     */
    public static long parseBound(String text, KeyType type) {
        String t = text.trim();
        if (t.equalsIgnoreCase("MINVALUE")) {
            return MIN;
        }
        if (t.equalsIgnoreCase("MAXVALUE")) {
            return MAX;
        }
        if (t.startsWith("'") && t.endsWith("'") && t.length() >= 2) {
            t = t.substring(1, t.length() - 1);
        }
        try {
            return switch (type) {
                case TIMESTAMPTZ -> micros(OffsetDateTime.parse(t, TSTZ).toInstant());
                case TIMESTAMP -> micros(LocalDateTime.parse(t, TS).toInstant(ZoneOffset.UTC));
                case DATE -> micros(LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC));
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read partition bound " + text + " as " + type.sqlName(), e);
        }
    }

    /**
     * Human-readable form for reports, in the policy's zone for timestamptz; a time in the hour a clock change
     * repeats carries its offset.
     */
    public static String display(long axis, KeyType type, ZoneId zone) {
        if (axis == MIN) {
            return "MINVALUE";
        }
        if (axis == MAX) {
            return "MAXVALUE";
        }
        if (type == KeyType.DATE) {
            return wallClock(axis, zone, type).toLocalDate().toString();
        }
        LocalDateTime w = wallClock(axis, zone, type);
        String s = w.toLocalTime().equals(LocalTime.MIDNIGHT)
                ? w.toLocalDate().toString()
                : w.truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ');
        // the hour a clock change repeats reads twice alike without its offset: 02:00 +02:00, then 02:00 +01:00
        if (type == KeyType.TIMESTAMPTZ && zone.getRules().getValidOffsets(w).size() > 1) {
            s += " " + zone.getRules().getOffset(instant(axis)).getId();
        }
        return s;
    }

    public static long micros(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000L);
    }

    public static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }
}

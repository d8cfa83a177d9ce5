package dev.partitionkeeper.workflows.plan;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import java.math.BigDecimal;
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
import java.util.UUID;

/**
 * Partition bounds as one comparable number on the key's own axis. For {@code timestamptz} that is
 * microseconds since the epoch; for {@code timestamp} and {@code date} the wall-clock value read as if it were
 * UTC, in microseconds (those types carry no zone). Integer keys use the value itself, and so do epoch keys
 * ({@link KeyType#EPOCH_MILLIS}: the axis value is the stored number of milliseconds). A UUIDv7 key uses its
 * 48-bit millisecond prefix, in microseconds; its bounds are the smallest UUID of their millisecond (the
 * prefix, all other bits zero). {@link #MIN} and {@link #MAX} stand for {@code MINVALUE} and {@code MAXVALUE}.
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
     * @throws IllegalArgumentException for a sub-day interval on a {@code date} key, a time interval on an
     *     integer key or a step of key values on a timed key
     */
    public static ZoneId periodZone(PartitionInterval interval, ZoneId zone, KeyType type) {
        if (interval.isValueStep() && type.isTimed()) {
            throw new IllegalArgumentException("interval " + interval.label() + " is a step of key values, for an"
                    + " integer key, but the key is " + type.label() + "; use a time interval such as \"1 day\" or"
                    + " \"1 hour\"");
        }
        if (!interval.isValueStep() && type.isInteger()) {
            throw new IllegalArgumentException("interval " + interval.label() + " is a time interval, but the key is "
                    + type.sqlName() + "; partition it by a step of key values such as interval: 1000000, or, when it"
                    + " holds time since the epoch, say how (key_encoding: epoch_seconds, epoch_millis, epoch_micros"
                    + " or epoch_nanos; bigint keys only)");
        }
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
        return switch (type.kind()) {
            case TIME ->
                type == KeyType.TIMESTAMPTZ
                        ? micros(wallClock.atZone(zone).toInstant())
                        : micros(wallClock.toInstant(ZoneOffset.UTC));
            case EPOCH, UUID -> fromMicros(micros(wallClock.atZone(zone).toInstant()), type);
            case INTEGER -> throw notTimed(type);
        };
    }

    /** Where "now" sits on the axis. */
    public static long now(Instant now, ZoneId zone, KeyType type) {
        return switch (type.kind()) {
            case TIME ->
                type == KeyType.TIMESTAMPTZ
                        ? micros(now)
                        : micros(LocalDateTime.ofInstant(now, zone).toInstant(ZoneOffset.UTC));
            case EPOCH, UUID -> fromMicros(micros(now), type);
            case INTEGER -> throw notTimed(type);
        };
    }

    /** The wall-clock time in {@code zone} of an axis value. */
    public static LocalDateTime wallClock(long axis, ZoneId zone, KeyType type) {
        return switch (type.kind()) {
            case TIME ->
                type == KeyType.TIMESTAMPTZ
                        ? LocalDateTime.ofInstant(instant(axis), zone)
                        : LocalDateTime.ofInstant(instant(axis), ZoneOffset.UTC);
            case EPOCH, UUID -> LocalDateTime.ofInstant(instant(toMicros(axis, type)), zone);
            case INTEGER -> throw notTimed(type);
        };
    }

    /**
     * Microseconds since the epoch of an axis value of a timed key: the value itself for time keys, the stored
     * number converted for epoch keys, the millisecond prefix for UUIDv7 keys. {@link #MIN}/{@link #MAX} stay.
     */
    public static long toMicros(long axis, KeyType type) {
        if (axis == MIN || axis == MAX) {
            return axis;
        }
        return switch (type) {
            case EPOCH_SECONDS -> Math.multiplyExact(axis, 1_000_000L);
            case EPOCH_MILLIS -> Math.multiplyExact(axis, 1_000L);
            case EPOCH_NANOS -> Math.floorDiv(axis, 1_000L);
            default -> axis;
        };
    }

    /** The axis value of {@code micros} since the epoch ({@link #toMicros}'s inverse, rounding down). */
    public static long fromMicros(long micros, KeyType type) {
        return switch (type) {
            case EPOCH_SECONDS -> Math.floorDiv(micros, 1_000_000L);
            case EPOCH_MILLIS -> Math.floorDiv(micros, 1_000L);
            case EPOCH_NANOS -> Math.multiplyExact(micros, 1_000L);
            case UUID -> Math.floorDiv(micros, 1_000L) * 1_000L;
            default -> micros;
        };
    }

    private static IllegalStateException notTimed(KeyType type) {
        return new IllegalStateException("a " + type.sqlName() + " key is partitioned by key values, not by time");
    }

    /**
     * The smallest UUID of the millisecond {@code axis} (a UUIDv7 axis value) starts: its 48-bit timestamp
     * prefix, all other bits zero, e.g. {@code 019c9a4c-5800-0000-0000-000000000000}.
     */
    public static String uuidBound(long axis) {
        long ms = Math.floorDiv(axis, 1_000L);
        if (ms < 0 || ms >= 1L << 48) {
            throw new IllegalArgumentException("a UUIDv7 holds times from 1970 to 10889, not " + instant(axis));
        }
        return new UUID(ms << 16, 0).toString();
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
        if (type.kind() == KeyType.Kind.INTEGER || type.kind() == KeyType.Kind.EPOCH) {
            return Long.toString(axis);
        }
        if (type == KeyType.UUID) {
            return uuidBound(axis);
        }
        LocalDateTime utc = LocalDateTime.ofInstant(instant(axis), ZoneOffset.UTC);
        String ts = utc.getNano() == 0
                ? utc.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT))
                : utc.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT));
        return switch (type) {
            case TIMESTAMPTZ -> ts + "+00";
            case TIMESTAMP -> ts;
            case DATE -> utc.toLocalDate().toString();
            default -> throw new IllegalStateException(type.name());
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
                // numeric(p,0) prints 1000000 or 1000000.0 never; a bigint out of range is refused, not wrapped
                case SMALLINT, INTEGER, BIGINT, NUMERIC, EPOCH_SECONDS, EPOCH_MILLIS, EPOCH_MICROS, EPOCH_NANOS ->
                    new BigDecimal(t).longValueExact();
                // the millisecond prefix: a bound that is not the smallest UUID of its millisecond (made by hand)
                // reads as that millisecond, which every UUIDv7 of it sorts after anyway
                case UUID -> Math.multiplyExact(UUID.fromString(t).getMostSignificantBits() >>> 16, 1_000L);
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot read partition bound " + text + " as " + type.sqlName()
                            + (type.isInteger() || type.kind() == KeyType.Kind.EPOCH
                                    ? ": partition-keeper manages whole key values within a bigint's range"
                                    : ""),
                    e);
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
        if (type.isInteger()) {
            return Long.toString(axis);
        }
        if (type == KeyType.DATE) {
            return wallClock(axis, zone, type).toLocalDate().toString();
        }
        LocalDateTime w = wallClock(axis, zone, type);
        String s = w.toLocalTime().equals(LocalTime.MIDNIGHT)
                ? w.toLocalDate().toString()
                : w.truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ');
        // the hour a clock change repeats reads twice alike without its offset: 02:00 +02:00, then 02:00 +01:00
        if ((type == KeyType.TIMESTAMPTZ || type.kind() != KeyType.Kind.TIME)
                && zone.getRules().getValidOffsets(w).size() > 1) {
            s += " " + zone.getRules().getOffset(instant(toMicros(axis, type))).getId();
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

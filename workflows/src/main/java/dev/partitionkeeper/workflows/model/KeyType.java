package dev.partitionkeeper.workflows.model;

import java.util.Locale;

/**
 * The partition key column types partition-keeper manages, and how their values map onto a
 * {@code KeyAxis} number: time keys ({@link Kind#TIME}) and UUIDv7 keys to microseconds, integer keys to the
 * value itself. The four {@code EPOCH_*} types are not read from the catalog: they are a {@code bigint} key
 * with a policy's {@link KeyEncoding}, partitioned by time, whose axis value is the stored number itself.
 */
public enum KeyType {
    TIMESTAMPTZ("timestamp with time zone", Kind.TIME),
    TIMESTAMP("timestamp without time zone", Kind.TIME),
    DATE("date", Kind.TIME),
    SMALLINT("smallint", Kind.INTEGER),
    INTEGER("integer", Kind.INTEGER),
    BIGINT("bigint", Kind.INTEGER),
    /** {@code numeric(p,0)}: whole numbers only; values must fit a bigint. */
    NUMERIC("numeric", Kind.INTEGER),
    UUID("uuid", Kind.UUID),
    EPOCH_SECONDS("bigint", Kind.EPOCH),
    EPOCH_MILLIS("bigint", Kind.EPOCH),
    EPOCH_MICROS("bigint", Kind.EPOCH),
    EPOCH_NANOS("bigint", Kind.EPOCH);

    /** What kind of values a key holds, which decides how it is partitioned. */
    public enum Kind {
        /** timestamptz, timestamp, date: partitioned by time intervals. */
        TIME,
        /** integer ids: partitioned by a step of key values ({@code interval: 1000000}). */
        INTEGER,
        /** a bigint holding time since the epoch: partitioned by time intervals, bounds written as numbers. */
        EPOCH,
        /** UUIDv7: partitioned by time intervals, bounds the smallest UUIDv7 of each period. */
        UUID
    }

    private final String sqlName;
    private final Kind kind;

    KeyType(String sqlName, Kind kind) {
        this.sqlName = sqlName;
        this.kind = kind;
    }

    /** As {@code format_type()} prints it (without a typmod). */
    public String sqlName() {
        return sqlName;
    }

    public Kind kind() {
        return kind;
    }

    /** Partitioned by a step of key values rather than by time. */
    public boolean isInteger() {
        return kind == Kind.INTEGER;
    }

    /** Partitioned by time intervals (timestamps, dates, epoch numbers, UUIDv7). */
    public boolean isTimed() {
        return kind != Kind.INTEGER;
    }

    /** For messages and reports: {@code bigint (epoch_millis)}, {@code uuid}, {@code timestamp with time zone}. */
    public String label() {
        return kind == Kind.EPOCH ? sqlName + " (" + name().toLowerCase(Locale.ROOT) + ")" : sqlName;
    }

    /**
     * Maps {@code format_type()} output; null for anything unsupported, including a {@code numeric} with a
     * fraction or without a declared scale (see {@link #refusal}).
     */
    public static KeyType fromSqlName(String formatted) {
        if (formatted == null) {
            return null;
        }
        if (formatted.matches("numeric\\(\\d+,0\\)")) {
            return NUMERIC;
        }
        String f = formatted.replaceAll("\\(\\d+\\)", "");
        for (KeyType t : values()) {
            if (t.kind != Kind.EPOCH && t != NUMERIC && t.sqlName.equals(f)) {
                return t;
            }
        }
        return null;
    }

    /** Why a key of type {@code formatted} (as {@code format_type()} prints it) is refused, with the fix. */
    public static String refusal(String formatted) {
        if (formatted != null && formatted.startsWith("numeric")) {
            return "a numeric key must have no fraction: declare it numeric(p,0) (e.g. numeric(20,0)) or bigint,"
                    + " since partitions split whole key values; got " + formatted;
        }
        return "the partition key must be timestamptz, timestamp, date, smallint, integer, bigint,"
                + " numeric(p,0) or uuid; got " + formatted;
    }
}

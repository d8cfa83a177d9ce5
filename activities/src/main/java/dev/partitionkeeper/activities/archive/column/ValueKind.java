package dev.partitionkeeper.activities.archive.column;

import dev.partitionkeeper.activities.archive.copy.TextFormSettings;

/**
 * How one column's values travel from PostgreSQL into Parquet and back. Each kind has one Java form used
 * everywhere in between (decoded from COPY, written to Parquet, read back, checksummed, rendered as text),
 * which is why the checksum computed from the database equals the one computed from the files.
 */
public enum ValueKind {
    /** smallint: Integer; Parquet INT32 annotated INT(16, signed). */
    INT16,
    /** integer: Integer; Parquet INT32. */
    INT32,
    /** bigint: Long; Parquet INT64. */
    INT64,
    /**
     * numeric(p,s): BigDecimal of scale s; Parquet DECIMAL(p,s) in INT32, INT64 or FIXED_LEN_BYTE_ARRAY. NaN
     * and the infinities are a {@link PgTextValue}.
     */
    DECIMAL,
    /** real: Float; Parquet FLOAT. NaN and infinities kept. */
    FLOAT32,
    /** double precision: Double; Parquet DOUBLE. */
    FLOAT64,
    /** boolean: Boolean; Parquet BOOLEAN. */
    BOOLEAN,
    /** text, varchar, char(n) (with its padding), name: UTF-8 byte[]; Parquet BINARY annotated STRING. */
    STRING,
    /** json, jsonb (as their text): UTF-8 byte[]; Parquet BINARY annotated STRING. */
    JSON,
    /**
     * date: Integer days since 1970-01-01; Parquet INT32 annotated DATE. PostgreSQL's {@code infinity} and
     * {@code -infinity} are Integer.MAX_VALUE and Integer.MIN_VALUE.
     */
    DATE,
    /**
     * timestamp: Long microseconds since 1970-01-01 00:00 local; Parquet TIMESTAMP(MICROS, false). A timestamp
     * after year 294246 (beyond a long's microseconds) is a {@link PgTextValue}.
     */
    TIMESTAMP,
    /**
     * timestamptz: Long microseconds since 1970-01-01 00:00 UTC; Parquet TIMESTAMP(MICROS, true). Infinities
     * are Long.MAX_VALUE and Long.MIN_VALUE, as for TIMESTAMP.
     */
    TIMESTAMPTZ,
    /** uuid: 16-byte byte[]; Parquet FIXED_LEN_BYTE_ARRAY(16) annotated UUID. */
    UUID,
    /** bytea: byte[]; Parquet BINARY. */
    BYTES,
    /**
     * Anything else (arrays, unconstrained numeric, interval, enums, domains, ranges, ...): the value's
     * PostgreSQL text form under {@link TextFormSettings}, UTF-8 byte[]; Parquet BINARY annotated STRING.
     * Restore casts the text back to the column's type.
     */
    TEXT_FORM;

    /** Kinds whose Java form is a byte[]. */
    public boolean isBytes() {
        return this == STRING || this == JSON || this == UUID || this == BYTES || this == TEXT_FORM;
    }

    /** Kinds read from COPY as {@code column::text} rather than in the type's binary form. */
    public boolean readAsText() {
        return this == JSON || this == TEXT_FORM;
    }
}

package dev.partitionkeeper.activities.archive.column;

import java.util.Objects;

/**
 * A value its column's {@link ValueKind} has no Java form for, carried as PostgreSQL's text of it: {@code NaN},
 * {@code Infinity} and {@code -Infinity} in a {@code numeric(p,s)} column ({@link ValueKind#DECIMAL}), and a
 * timestamp after year 294246, whose microseconds since 1970 overflow a signed 64-bit integer ({@link
 * ValueKind#TIMESTAMP}, {@link ValueKind#TIMESTAMPTZ}). COPY decoding yields it instead of the kind's own form;
 * the checksum hashes its text (so export, verify and restore agree on it), COPY text writes it as it is.
 *
 * <p>The Parquet format cannot store it in the column's type and exports such a column in its text form
 * instead; the Iceberg format stores it in the column's {@code __pg_text} companion.
 *
 * @param text the value as PostgreSQL prints it (and reads it back), e.g. {@code NaN} or {@code 294247-01-01
 *     00:00:00}
 */
public record PgTextValue(String text) {

    public PgTextValue {
        Objects.requireNonNull(text, "text");
    }

    /** Kinds whose values can be a PgTextValue. */
    public static boolean possibleIn(ValueKind kind) {
        return kind == ValueKind.DECIMAL || kind == ValueKind.TIMESTAMP || kind == ValueKind.TIMESTAMPTZ;
    }

    @Override
    public String toString() {
        return text;
    }
}

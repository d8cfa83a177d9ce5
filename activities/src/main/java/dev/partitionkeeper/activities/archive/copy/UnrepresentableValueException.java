package dev.partitionkeeper.activities.archive.copy;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.PgTextValue;
import dev.partitionkeeper.activities.archive.column.ValueKind;

/**
 * A value its column's Parquet type cannot hold exactly: a {@link PgTextValue} (NaN or an infinity in
 * numeric(p,s), a timestamp beyond the range of microseconds since 1970 in a signed 64-bit integer), or a
 * numeric with more digits than its column's scale. The Parquet exporter starts over with that column in its
 * text form, so nothing is lost.
 */
public final class UnrepresentableValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String column;

    UnrepresentableValueException(String column, String reason) {
        super("column \"" + column + "\": " + reason);
        this.column = column;
    }

    /** For a {@link PgTextValue} met where the Parquet writer needs the column's own type. */
    public static UnrepresentableValueException of(ArchiveColumn column, PgTextValue value) {
        return new UnrepresentableValueException(
                column.name(),
                column.kind() == ValueKind.DECIMAL
                        ? "numeric " + value.text() + " has no Parquet DECIMAL form"
                        : "a timestamp after year 294246 (" + value.text()
                                + ") does not fit Parquet's 64-bit microseconds since 1970");
    }

    public String column() {
        return column;
    }
}

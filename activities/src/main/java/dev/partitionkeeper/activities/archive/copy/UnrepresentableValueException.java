package dev.partitionkeeper.activities.archive.copy;

/**
 * A value its column's Parquet type cannot hold exactly: NaN in numeric(p,s), a timestamp beyond the
 * range of microseconds since 1970 in a signed 64-bit integer. The exporter starts over with that column
 * in its text form, so nothing is lost.
 */
public final class UnrepresentableValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String column;

    UnrepresentableValueException(String column, String reason) {
        super("column \"" + column + "\": " + reason);
        this.column = column;
    }

    public String column() {
        return column;
    }
}

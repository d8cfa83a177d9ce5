package dev.partitionkeeper.activities.archive.export;

/**
 * A column holds a value Parquet cannot hold even in the column's text form. Every attempt reads the same rows
 * and fails the same way, so the activity reports it as a non-retryable failure rather than being retried for
 * its whole 24 hours.
 */
public final class UnexportableValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String column;

    public UnexportableValueException(String column, String message, Throwable cause) {
        super(message, cause);
        this.column = column;
    }

    /** The column whose value could not be exported. */
    public String column() {
        return column;
    }
}

package dev.partitionkeeper.activities.postgres;

/** The catalog is in a state partition-keeper refuses to touch; the message says what to do. */
public class CatalogConflictException extends RuntimeException {
    public CatalogConflictException(String message) {
        super(message);
    }
}

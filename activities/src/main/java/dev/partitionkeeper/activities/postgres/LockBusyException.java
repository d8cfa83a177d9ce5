package dev.partitionkeeper.activities.postgres;

/** A lock could not be taken without making writers queue; retried later. */
public class LockBusyException extends RuntimeException {
    public LockBusyException(String message) {
        super(message);
    }
}

package dev.partitionkeeper.activities.postgres;

/** The policy does not fit the database: no such table, not range-partitioned, unsupported key. */
public class PolicyException extends RuntimeException {
    public PolicyException(String message) {
        super(message);
    }
}

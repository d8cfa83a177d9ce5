package dev.partitionkeeper.activities.postgres;

import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.failure.ApplicationFailure;

/**
 * The Temporal failure for each of our refusals: bad input, a catalog we will not touch and a missing grant are
 * final; a lock we could not take without making writers wait is retried.
 */
public final class Refusals {
    private Refusals() {}

    /** @param refusal a {@link PolicyException}, {@link CatalogConflictException}, {@link LockBusyException} or
     *     {@link PrivilegeException} */
    public static ApplicationFailure failure(RuntimeException refusal) {
        if (refusal instanceof LockBusyException) {
            return ApplicationFailure.newFailure(refusal.getMessage(), Failures.LOCK_BUSY);
        }
        String type;
        if (refusal instanceof PolicyException) {
            type = Failures.INVALID_POLICY;
        } else if (refusal instanceof CatalogConflictException) {
            type = Failures.CATALOG_CONFLICT;
        } else if (refusal instanceof PrivilegeException) {
            type = Failures.INSUFFICIENT_PRIVILEGE;
        } else {
            throw new IllegalArgumentException("not a refusal: " + refusal, refusal);
        }
        return ApplicationFailure.newNonRetryableFailure(refusal.getMessage(), type);
    }
}

package dev.partitionkeeper.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepOptionsTest {

    @Test
    void readsRetryAFewTimesButNeverABadPolicy() {
        ActivityOptions o = StepOptions.read("plan public.transactions");

        assertEquals(Duration.ofMinutes(2), o.getStartToCloseTimeout());
        assertEquals("plan public.transactions", o.getSummary());
        RetryOptions r = o.getRetryOptions();
        assertEquals(8, r.getMaximumAttempts());
        assertEquals(Duration.ofSeconds(1), r.getInitialInterval());
        assertEquals(List.of(Failures.INVALID_POLICY, Failures.INSUFFICIENT_PRIVILEGE), List.of(r.getDoNotRetry()));
    }

    @Test
    void ddlRetriesLockWaitsUntilTheScheduleToCloseTimeout() {
        ActivityOptions o = StepOptions.ddl("create transactions_p2026_04");

        assertEquals(Duration.ofMinutes(15), o.getStartToCloseTimeout());
        assertEquals(Duration.ofHours(2), o.getScheduleToCloseTimeout());
        assertEquals(Duration.ofSeconds(60), o.getHeartbeatTimeout());
        RetryOptions r = o.getRetryOptions();
        assertEquals(0, r.getMaximumAttempts(), "unlimited: the schedule-to-close timeout ends the retries");
        List<String> doNotRetry = List.of(r.getDoNotRetry());
        assertTrue(doNotRetry.containsAll(
                List.of(Failures.INVALID_POLICY, Failures.CATALOG_CONFLICT, Failures.INSUFFICIENT_PRIVILEGE)));
        assertFalse(doNotRetry.contains(Failures.LOCK_BUSY), "lock waits are what the retries are for");
    }
}

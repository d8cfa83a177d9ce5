package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * Timeouts and retry policies per step. Catalog reads retry a few times; DDL retries with backoff
 * until {@link #DDL_SCHEDULE_TO_CLOSE} (a lock held by a long transaction must not fail the pass,
 * and waiting never makes writers queue: the activity waits outside the lock queue).
 */
public final class StepOptions {
    /** A catalog read or plan never takes long; when it does, something is wrong. */
    public static final Duration READ_START_TO_CLOSE = Duration.ofMinutes(2);

    public static final int READ_MAXIMUM_ATTEMPTS = 8;
    /** One DDL attempt, including waiting outside the lock queue (heartbeating). */
    public static final Duration DDL_START_TO_CLOSE = Duration.ofMinutes(15);

    public static final Duration DDL_HEARTBEAT = Duration.ofSeconds(60);
    /** All attempts of one DDL action. */
    public static final Duration DDL_SCHEDULE_TO_CLOSE = Duration.ofHours(2);

    private StepOptions() {}

    public static ActivityOptions read(String summary) {
        return ActivityOptions.newBuilder()
                .setStartToCloseTimeout(READ_START_TO_CLOSE)
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setBackoffCoefficient(2.0)
                        .setMaximumInterval(Duration.ofSeconds(30))
                        .setMaximumAttempts(READ_MAXIMUM_ATTEMPTS)
                        .setDoNotRetry(Failures.INVALID_POLICY, Failures.INSUFFICIENT_PRIVILEGE)
                        .build())
                .setSummary(summary)
                .build();
    }

    /** One export or verify attempt: a big partition takes a while; progress heartbeats every few seconds. */
    public static final Duration ARCHIVE_START_TO_CLOSE = Duration.ofHours(4);

    public static final Duration ARCHIVE_HEARTBEAT = Duration.ofMinutes(2);
    public static final Duration ARCHIVE_SCHEDULE_TO_CLOSE = Duration.ofHours(24);

    /** Export, verify and drop: retried with backoff (a store down for a while), never past a verification failure. */
    public static ActivityOptions archive(String summary) {
        return bulk(summary, ARCHIVE_START_TO_CLOSE, ARCHIVE_SCHEDULE_TO_CLOSE, true);
    }

    /** A conversion's copy, replay and verify of a whole table: hours; copy and replay heartbeat per batch. */
    public static final Duration CONVERT_START_TO_CLOSE = Duration.ofHours(12);

    public static final Duration CONVERT_SCHEDULE_TO_CLOSE = Duration.ofDays(3);

    /** @param heartbeats false for a step that is one long query (a checksum) and cannot heartbeat */
    public static ActivityOptions convertBulk(String summary, boolean heartbeats) {
        return bulk(summary, CONVERT_START_TO_CLOSE, CONVERT_SCHEDULE_TO_CLOSE, heartbeats);
    }

    private static ActivityOptions bulk(
            String summary, Duration startToClose, Duration scheduleToClose, boolean heartbeats) {
        ActivityOptions.Builder b = ActivityOptions.newBuilder()
                .setStartToCloseTimeout(startToClose)
                .setScheduleToCloseTimeout(scheduleToClose)
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(2))
                        .setBackoffCoefficient(2.0)
                        .setMaximumInterval(Duration.ofMinutes(5))
                        .setDoNotRetry(
                                Failures.INVALID_POLICY,
                                Failures.CATALOG_CONFLICT,
                                Failures.VERIFICATION_FAILED,
                                Failures.INSUFFICIENT_PRIVILEGE)
                        .build())
                .setSummary(summary);
        if (heartbeats) {
            b.setHeartbeatTimeout(ARCHIVE_HEARTBEAT);
        }
        return b.build();
    }

    public static ActivityOptions ddl(String summary) {
        return ActivityOptions.newBuilder()
                .setStartToCloseTimeout(DDL_START_TO_CLOSE)
                .setScheduleToCloseTimeout(DDL_SCHEDULE_TO_CLOSE)
                .setHeartbeatTimeout(DDL_HEARTBEAT)
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setBackoffCoefficient(2.0)
                        .setMaximumInterval(Duration.ofMinutes(1))
                        .setDoNotRetry(
                                Failures.INVALID_POLICY, Failures.CATALOG_CONFLICT, Failures.INSUFFICIENT_PRIVILEGE)
                        .build())
                .setSummary(summary)
                .build();
    }
}

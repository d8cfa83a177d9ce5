package dev.partitionkeeper.worker.chaos;

import dev.partitionkeeper.workflows.StepOptions;
import dev.partitionkeeper.workflows.activity.ArchiveActivities;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.activity.PolicyActivities;
import dev.partitionkeeper.workflows.activity.RestoreActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.common.metadata.POJOActivityInterfaceMetadata;
import io.temporal.common.metadata.POJOActivityMethodMetadata;
import io.temporal.worker.WorkflowImplementationOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@link StepOptions} scaled down for the chaos suite. A SIGKILLed worker's step is only retried once its
 * heartbeat timeout (60 s for DDL, 2 min for archive steps) or, for reads, its start-to-close timeout
 * (2 min) expires; at those values 20 passes with kills would take hours. The retry policies keep their
 * shape (which failures are not retried, the read steps' 8 attempts), with shorter intervals.
 *
 * <p>Set per activity type in the workflows' {@link WorkflowImplementationOptions}, which the SDK merges
 * over the options the workflow code passes to its stubs: the workflow code under test is unchanged.
 */
final class FastSteps {
    static final Duration READ_START_TO_CLOSE = Duration.ofSeconds(8);
    static final Duration STEP_START_TO_CLOSE = Duration.ofMinutes(2);
    /** Also how long a killed worker's step waits before it is retried elsewhere. */
    static final Duration STEP_HEARTBEAT = Duration.ofSeconds(5);

    private static final Set<String> READS = Set.of("plan", "survey", "verifyLayout", "load");

    private FastSteps() {}

    static WorkflowImplementationOptions options() {
        Map<String, ActivityOptions> byType = new HashMap<>();
        for (Class<?> api : new Class<?>[] {
            PartitionActivities.class, ArchiveActivities.class, PolicyActivities.class, RestoreActivities.class
        }) {
            for (POJOActivityMethodMetadata m :
                    POJOActivityInterfaceMetadata.newInstance(api).getMethodsMetadata()) {
                byType.put(m.getActivityTypeName(), forMethod(api, m.getMethod().getName()));
            }
        }
        return WorkflowImplementationOptions.newBuilder()
                .setActivityOptions(byType)
                .build();
    }

    private static ActivityOptions forMethod(Class<?> api, String method) {
        if (READS.contains(method)) {
            return ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(READ_START_TO_CLOSE)
                    .setRetryOptions(faster(
                            StepOptions.read("").getRetryOptions(), Duration.ofMillis(500), Duration.ofSeconds(5)))
                    .build();
        }
        boolean archive =
                api == ArchiveActivities.class || (api == RestoreActivities.class && method.equals("restore"));
        RetryOptions production = archive
                ? StepOptions.archive("").getRetryOptions()
                : StepOptions.ddl("").getRetryOptions();
        return ActivityOptions.newBuilder()
                .setStartToCloseTimeout(STEP_START_TO_CLOSE)
                .setHeartbeatTimeout(STEP_HEARTBEAT)
                .setRetryOptions(
                        archive
                                ? faster(production, Duration.ofSeconds(1), Duration.ofSeconds(10))
                                : faster(production, Duration.ofMillis(500), Duration.ofSeconds(5)))
                .build();
    }

    /** The SDK replaces a stub's retry options as a whole, so start from the production ones. */
    private static RetryOptions faster(RetryOptions production, Duration initial, Duration max) {
        return RetryOptions.newBuilder(production)
                .setInitialInterval(initial)
                .setMaximumInterval(max)
                .build();
    }
}

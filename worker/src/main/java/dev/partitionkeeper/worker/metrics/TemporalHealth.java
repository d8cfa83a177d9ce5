package dev.partitionkeeper.worker.metrics;

import io.grpc.health.v1.HealthCheckResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.function.BooleanSupplier;

/** Readiness of the Temporal side: the frontend answers its gRPC health check. */
public final class TemporalHealth {
    private TemporalHealth() {}

    /**
     * True when the frontend reports SERVING. Any error (unreachable, TLS, auth) is false; the check's
     * deadline is the stubs' own health-check timeout, and {@link HealthChecks} bounds it again.
     */
    public static BooleanSupplier of(WorkflowServiceStubs stubs) {
        return () -> {
            try {
                return stubs.healthCheck().getStatus() == HealthCheckResponse.ServingStatus.SERVING;
            } catch (RuntimeException e) {
                return false;
            }
        };
    }
}

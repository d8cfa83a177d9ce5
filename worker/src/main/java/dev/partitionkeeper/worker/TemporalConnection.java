package dev.partitionkeeper.worker;

import com.uber.m3.tally.Scope;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.envconfig.ClientConfigProfile;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the way every Temporal tool does: {@code TEMPORAL_ADDRESS}, {@code TEMPORAL_NAMESPACE},
 * {@code TEMPORAL_API_KEY}, {@code TEMPORAL_TLS_*} and the TOML profile file (temporal-envconfig).
 */
public final class TemporalConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TemporalConnection.class);

    /** {@link #awaitReachable}: the pause after the first failed try; it doubles up to {@link #REACH_MAX_BACKOFF}. */
    public static final Duration REACH_FIRST_BACKOFF = Duration.ofMillis(200);
    /** {@link #awaitReachable}: the longest pause between two tries. */
    public static final Duration REACH_MAX_BACKOFF = Duration.ofSeconds(5);
    /** {@link #awaitReachable}: the deadline of one try. */
    public static final Duration REACH_CALL_TIMEOUT = Duration.ofSeconds(5);
    /** {@link #awaitReachable}: how often the wait is logged (the first failure is logged at once). */
    public static final Duration REACH_LOG_EVERY = Duration.ofSeconds(10);
    /** Answers that waiting will not change: wrong credentials, TLS settings or namespace name are for a person. */
    private static final Set<Status.Code> REFUSALS = Set.of(
            Status.Code.UNAUTHENTICATED,
            Status.Code.PERMISSION_DENIED,
            Status.Code.INVALID_ARGUMENT,
            Status.Code.UNIMPLEMENTED);

    private final WorkflowServiceStubs stubs;
    private final WorkflowClient client;
    private final String description;

    private TemporalConnection(WorkflowServiceStubs stubs, WorkflowClient client, String address, String namespace) {
        this.stubs = stubs;
        this.client = client;
        this.description = address + " namespace " + namespace;
    }

    public static TemporalConnection fromEnvironment() {
        return fromEnvironment(null);
    }

    /** As {@link #fromEnvironment()}, reporting the SDK's metrics to {@code metricsScope} (null for none). */
    public static TemporalConnection fromEnvironment(Scope metricsScope) {
        ClientConfigProfile profile;
        try {
            profile = ClientConfigProfile.load();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the Temporal client profile: " + e.getMessage(), e);
        }
        WorkflowServiceStubsOptions.Builder options =
                WorkflowServiceStubsOptions.newBuilder(profile.toWorkflowServiceStubsOptions());
        if (metricsScope != null) {
            options.setMetricsScope(metricsScope);
        }
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(options.build());
        WorkflowClient client = WorkflowClient.newInstance(stubs, profile.toWorkflowClientOptions());
        String address = profile.getAddress() == null ? "localhost:7233" : profile.getAddress();
        String ns = profile.getNamespace() == null ? "default" : profile.getNamespace();
        return new TemporalConnection(stubs, client, address, ns);
    }

    /** A plain connection to {@code target} (host:port), e.g. the embedded test server. */
    public static TemporalConnection to(String target, String namespace) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
        WorkflowClient client = WorkflowClient.newInstance(
                stubs,
                WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
        return new TemporalConnection(stubs, client, target, namespace);
    }

    /**
     * Waits until the server answers {@code DescribeNamespace} for this connection's namespace, trying again
     * with backoff ({@link #REACH_FIRST_BACKOFF} doubling to {@link #REACH_MAX_BACKOFF}) while it is
     * unreachable, starting, or does not know the namespace yet (a setup job may register it after the server
     * is up). Logs "waiting for Temporal at ...: reason" at once and then every {@link #REACH_LOG_EVERY}. A worker
     * started before its server (a restart of both, a deployment that brings them up together) then connects
     * instead of exiting.
     *
     * @param timeout how long to wait at most; null waits until the thread is interrupted
     * @return how long it waited (zero when the first try succeeded)
     * @throws IllegalStateException at once when the server refuses the connection for a reason waiting does not
     *     fix (credentials, TLS, a malformed namespace), or when {@code timeout} passes
     */
    public Duration awaitReachable(Duration timeout) throws InterruptedException {
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("Invalid timeout: " + timeout);
        }
        String namespace = client.getOptions().getNamespace();
        long start = System.nanoTime();
        long nextLog = start;
        Duration backoff = REACH_FIRST_BACKOFF;
        int tries = 0;
        while (true) {
            tries++;
            String reason;
            try {
                stubs.blockingStub()
                        .withDeadlineAfter(REACH_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .describeNamespace(DescribeNamespaceRequest.newBuilder()
                                .setNamespace(namespace)
                                .build());
                Duration waited = Duration.ofNanos(System.nanoTime() - start);
                if (tries > 1) {
                    log.info("Temporal at {} answers after {} ms ({} tries)", this, waited.toMillis(), tries);
                }
                return waited;
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (REFUSALS.contains(code)) {
                    throw new IllegalStateException(
                            "Temporal at " + this + " refuses the connection: " + code + " "
                                    + e.getStatus().getDescription()
                                    + "; check TEMPORAL_API_KEY, TEMPORAL_TLS_* and TEMPORAL_NAMESPACE",
                            e);
                }
                // "UNAVAILABLE: io exception" alone does not say whether nothing listens or TLS failed: the cause does
                reason = code == Status.Code.NOT_FOUND
                        ? "namespace " + namespace + " not found (yet)"
                        : code
                                + (e.getStatus().getDescription() == null
                                        ? ""
                                        : ": " + e.getStatus().getDescription())
                                + (e.getCause() == null
                                        ? ""
                                        : " (" + e.getCause().getMessage() + ")");
            }
            long now = System.nanoTime();
            if (timeout != null && now - start >= timeout.toNanos()) {
                throw new IllegalStateException("Temporal at " + this + " did not answer within " + timeout + " ("
                        + tries + " tries); last: " + reason);
            }
            if (now >= nextLog) {
                log.warn("waiting for Temporal at {}: {}", this, reason);
                nextLog = now + REACH_LOG_EVERY.toNanos();
            }
            long pause = backoff.toNanos();
            if (timeout != null) {
                pause = Math.max(0, Math.min(pause, start + timeout.toNanos() - now));
            }
            TimeUnit.NANOSECONDS.sleep(pause);
            backoff = backoff.multipliedBy(2).compareTo(REACH_MAX_BACKOFF) > 0
                    ? REACH_MAX_BACKOFF
                    : backoff.multipliedBy(2);
        }
    }

    public WorkflowClient client() {
        return client;
    }

    public WorkflowServiceStubs stubs() {
        return stubs;
    }

    @Override
    public String toString() {
        return description;
    }

    @Override
    public void close() {
        stubs.shutdown();
    }
}

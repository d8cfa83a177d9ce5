package dev.partitionkeeper.worker;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.envconfig.ClientConfigProfile;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;

/**
 * Connects the way every Temporal tool does: {@code TEMPORAL_ADDRESS}, {@code TEMPORAL_NAMESPACE},
 * {@code TEMPORAL_API_KEY}, {@code TEMPORAL_TLS_*} and the TOML profile file (temporal-envconfig).
 */
public final class TemporalConnection implements AutoCloseable {
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final String description;

  private TemporalConnection(WorkflowServiceStubs stubs, WorkflowClient client, String description) {
    this.stubs = stubs;
    this.client = client;
    this.description = description;
  }

  public static TemporalConnection fromEnvironment() {
    return fromEnvironment(null);
  }

  /** As {@link #fromEnvironment()}, reporting the SDK's metrics to {@code metricsScope} (null for none). */
  public static TemporalConnection fromEnvironment(com.uber.m3.tally.Scope metricsScope) {
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
    return new TemporalConnection(stubs, client, address + " namespace " + ns);
  }

  /** A plain connection to {@code target} (host:port), e.g. the embedded test server. */
  public static TemporalConnection to(String target, String namespace) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    WorkflowClient client = WorkflowClient.newInstance(stubs,
        WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
    return new TemporalConnection(stubs, client, target + " namespace " + namespace);
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

package dev.partitionkeeper.worker.testing;

import dev.partitionkeeper.worker.PassRunner;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import io.temporal.client.WorkflowClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link EmbeddedTemporal} (the SDK's test server) for a test class: register it as a static field with
 * {@code @RegisterExtension}. It starts before the class's first test and stops after its last.
 */
public final class EmbeddedTemporalExtension implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedTemporal temporal;

    @Override
    public void beforeAll(ExtensionContext context) {
        temporal = EmbeddedTemporal.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (temporal != null) {
            temporal.close();
        }
    }

    public WorkflowClient client() {
        return temporal.connection().client();
    }

    /** One pass over {@code cfg}'s tables, by a worker started for it on {@code url}'s database (a pool of 4). */
    public MaintenanceReport pass(String url, WorkerConfig cfg) {
        try (WorkerRuntime rt =
                new WorkerRuntime(client(), cfg, new PostgresSettings(url, null, null, 4), cfg::tables, null)) {
            rt.start();
            return PassRunner.run(client(), cfg.taskQueue(), MaintenanceRequest.all("test"));
        }
    }
}

package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import io.temporal.client.WorkflowClient;

/**
 * What the in-process commands ({@code once}, {@code restore}, {@code convert --embedded}) run on: the SDK's
 * embedded Temporal test server and the production worker wiring polling the configured task queue, in this JVM.
 * Closing it drains the worker, then stops the server.
 */
final class InProcessWorker implements AutoCloseable {
    private final EmbeddedTemporal temporal;
    private final WorkerRuntime runtime;
    private final String taskQueue;

    private InProcessWorker(EmbeddedTemporal temporal, WorkerRuntime runtime, String taskQueue) {
        this.temporal = temporal;
        this.runtime = runtime;
        this.taskQueue = taskQueue;
    }

    /** Starts the server and a polling worker for {@code cfg}'s tables on {@code pg}. */
    static InProcessWorker start(WorkerConfig cfg, PostgresSettings pg) {
        EmbeddedTemporal temporal = EmbeddedTemporal.start();
        try {
            WorkerRuntime runtime = new WorkerRuntime(temporal.connection().client(), cfg, pg, cfg::tables, null);
            runtime.start();
            return new InProcessWorker(temporal, runtime, cfg.taskQueue());
        } catch (RuntimeException e) {
            temporal.close();
            throw e;
        }
    }

    WorkflowClient client() {
        return temporal.connection().client();
    }

    String taskQueue() {
        return taskQueue;
    }

    @Override
    public void close() {
        try {
            runtime.close();
        } finally {
            temporal.close();
        }
    }
}

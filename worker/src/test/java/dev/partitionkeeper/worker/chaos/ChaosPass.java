package dev.partitionkeeper.worker.chaos;

import dev.partitionkeeper.worker.PassRunner;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One maintenance pass started by the test as a client would, driven to its end while {@code tick} runs
 * every 50 ms (keeping a worker alive, killing it, injecting a fault). The pass must complete ("every pass
 * eventually completes") within {@code deadline}.
 */
public final class ChaosPass {
    private ChaosPass() {}

    public interface Tick {
        void run() throws Exception;
    }

    public static MaintenanceReport run(
            WorkflowClient client, String taskQueue, String workflowId, Duration deadline, Tick tick) throws Exception {
        MaintenanceWorkflow wf = client.newWorkflowStub(
                MaintenanceWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(workflowId)
                        .setTaskQueue(taskQueue)
                        .setWorkflowExecutionTimeout(deadline.plusMinutes(1))
                        // a workflow task a killed worker held is handed out again after this (children keep the
                        // default 10 s)
                        .setWorkflowTaskTimeout(Duration.ofSeconds(3))
                        .build());
        WorkflowClient.start(wf::run, MaintenanceRequest.all("chaos"), null);
        CompletableFuture<MaintenanceReport> result =
                WorkflowStub.fromTyped(wf).getResultAsync(MaintenanceReport.class);
        long end = System.nanoTime() + deadline.toNanos();
        while (!result.isDone()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("pass " + workflowId + " did not complete within " + deadline);
            }
            tick.run();
            Thread.sleep(50);
        }
        try {
            return result.get();
        } catch (ExecutionException e) {
            String report = e.getCause() instanceof WorkflowFailedException wfe
                    ? PassRunner.reportOf(wfe).map(Object::toString).orElse("no report")
                    : "no report";
            throw new AssertionError("pass " + workflowId + " failed: " + e.getCause() + "\n" + report, e.getCause());
        }
    }
}

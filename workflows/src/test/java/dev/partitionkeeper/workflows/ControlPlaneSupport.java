package dev.partitionkeeper.workflows;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;

import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Helpers for the control-plane workflow tests: blocking steps, signal-with-start, waiting on status. */
final class ControlPlaneSupport {
    private ControlPlaneSupport() {}

    /**
     * A step that blocks until opened: an activity answer calls {@link #pass}, the test waits for
     * {@link #awaitEntered} and lets it go with {@link #open}. Test time stays locked while nobody waits
     * on a workflow result, so a blocked step is never timed out by time skipping.
     */
    static final class Gate {
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch opened = new CountDownLatch(1);

        <T> T pass(Supplier<T> result) throws InterruptedException {
            entered.countDown();
            if (!opened.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gate never opened");
            }
            return result.get();
        }

        void awaitEntered() throws InterruptedException {
            assertTrue(entered.await(30, TimeUnit.SECONDS), "the step never started");
        }

        void open() {
            opened.countDown();
        }

        /** Makes the first create of {@link Fixtures#TRANSACTIONS} wait here; later creates pass at once. */
        void blockFirstCreate(PartitionActivities partitions) {
            doAnswer(inv -> pass(() -> Fixtures.done(inv.<PlannedAction>getArgument(1))))
                    .doAnswer(inv -> Fixtures.done(inv.<PlannedAction>getArgument(1)))
                    .when(partitions)
                    .createPartition(eq(Fixtures.TRANSACTIONS), any());
        }
    }

    /** A stub on a run that exists (queries, signals, updates). */
    static MaintenanceWorkflow attach(WorkflowClient client, String workflowId) {
        return client.newWorkflowStub(MaintenanceWorkflow.class, workflowId);
    }

    /** A stub that starts a run. */
    static MaintenanceWorkflow stub(WorkflowClient client, String workflowId, String taskQueue) {
        return client.newWorkflowStub(
                MaintenanceWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(workflowId)
                        .setTaskQueue(taskQueue)
                        .build());
    }

    /** What {@code partition-keeper maintain} does: start a run when none is running, else join it. */
    static void signalWithStart(WorkflowClient client, String taskQueue, MaintenanceRequest request) {
        MaintenanceWorkflow wf = stub(client, MaintenanceWorkflow.WORKFLOW_ID, taskQueue);
        BatchRequest batch = client.newSignalWithStartRequest();
        batch.add(wf::run, (MaintenanceRequest) null, null);
        batch.add(wf::requestMaintenance, request);
        client.signalWithStart(batch);
    }

    /** The run's report; fails the test instead of hanging when the run does not finish. */
    static MaintenanceReport result(WorkflowClient client, String workflowId) {
        try {
            return client.newUntypedWorkflowStub(workflowId).getResult(90, TimeUnit.SECONDS, MaintenanceReport.class);
        } catch (TimeoutException e) {
            throw new AssertionError(workflowId + " did not finish within 90 s", e);
        }
    }

    /** Polls the {@code status} query (real time) until {@code until} holds. */
    static MaintenanceStatus awaitStatus(MaintenanceWorkflow wf, Predicate<MaintenanceStatus> until)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        MaintenanceStatus last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = wf.status();
                if (until.test(last)) {
                    return last;
                }
            } catch (RuntimeException notYetStarted) {
                // the first workflow task has not run yet
            }
            Thread.sleep(50);
        }
        fail("status never matched; last: " + last);
        return null;
    }

    static MaintenanceStatus.TableState table(MaintenanceStatus s, String table) {
        return s.tables().stream()
                .filter(t -> t.table().equals(table))
                .findFirst()
                .orElseThrow(() -> new AssertionError(table + " not in " + s));
    }

    static List<HistoryEvent> events(WorkflowClient client, String workflowId) {
        return client.fetchHistory(workflowId).getEvents();
    }

    static WorkflowStub untyped(MaintenanceWorkflow wf) {
        return WorkflowStub.fromTyped(wf);
    }
}

package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.Fixtures.NOW;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static dev.partitionkeeper.workflows.Fixtures.partitionActivities;
import static dev.partitionkeeper.workflows.Fixtures.policyActivities;
import static dev.partitionkeeper.workflows.Fixtures.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.verify;

import dev.partitionkeeper.workflows.activity.PartitionActivities;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.ArgumentCaptor;

/** {@code --mode cron}: the same workflow as a Temporal cron workflow, for servers without Schedules. */
class MaintenanceCronTest {

    @RegisterExtension
    static final TestWorkflowExtension testWorkflow = Fixtures.extension();

    final PartitionActivities partitions = partitionActivities();

    @Test
    void threeDailyPassesHappenOnSchedule(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities(TRANSACTIONS));
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow cron = client.newWorkflowStub(
                MaintenanceWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(MaintenanceWorkflow.CRON_WORKFLOW_ID)
                        .setTaskQueue(worker.getTaskQueue())
                        .setCronSchedule("0 2 * * *")
                        .build());

        WorkflowClient.start(cron::run, MaintenanceRequest.all("cron"), null);
        // NOW is 2026-03-15T10:00Z: passes at 02:00 on the 16th, 17th and 18th
        env.sleep(Duration.between(NOW, Instant.parse("2026-03-18T03:00:00Z")));

        ArgumentCaptor<Long> planned = ArgumentCaptor.forClass(Long.class);
        verify(partitions, atLeast(1)).plan(eq(TRANSACTIONS), planned.capture());
        List<Instant> at =
                planned.getAllValues().stream().map(Instant::ofEpochMilli).toList();
        assertEquals(3, at.size(), () -> "passes at " + at);
        List<Instant> expected = List.of(
                Instant.parse("2026-03-16T02:00:00Z"),
                Instant.parse("2026-03-17T02:00:00Z"),
                Instant.parse("2026-03-18T02:00:00Z"));
        for (int i = 0; i < 3; i++) {
            Duration late = Duration.between(expected.get(i), at.get(i));
            assertEquals(0, late.toMinutes(), "pass " + (i + 1) + " at " + at.get(i));
        }
        // each pass is its own run with its own history; the chain goes on
        var current = client.fetchHistory(MaintenanceWorkflow.CRON_WORKFLOW_ID).getEvents();
        assertEquals(
                EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, current.get(0).getEventType());
        assertEquals(
                "0 2 * * *",
                current.get(0).getWorkflowExecutionStartedEventAttributes().getCronSchedule());
        // the current run waits for tomorrow 02:00; the one before it ran the third pass
        String third =
                current.get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
        var thirdRun =
                client.fetchHistory(MaintenanceWorkflow.CRON_WORKFLOW_ID, third).getEvents();
        assertEquals(
                List.of("partition-maintenance/public.transactions"),
                thirdRun.stream()
                        .filter(e -> e.hasStartChildWorkflowExecutionInitiatedEventAttributes())
                        .map(e -> e.getStartChildWorkflowExecutionInitiatedEventAttributes()
                                .getWorkflowId())
                        .toList());
    }
}

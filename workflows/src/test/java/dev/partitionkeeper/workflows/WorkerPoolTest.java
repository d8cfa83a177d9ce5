package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.Fixtures.BILLING_EVENTS;
import static dev.partitionkeeper.workflows.Fixtures.CREATE_APR;
import static dev.partitionkeeper.workflows.Fixtures.CREATE_MAY;
import static dev.partitionkeeper.workflows.Fixtures.DETACH_NOV;
import static dev.partitionkeeper.workflows.Fixtures.FINALIZE_OCT;
import static dev.partitionkeeper.workflows.Fixtures.NOW;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static dev.partitionkeeper.workflows.Fixtures.done;
import static dev.partitionkeeper.workflows.Fixtures.partitionActivities;
import static dev.partitionkeeper.workflows.Fixtures.policyActivities;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;

import dev.partitionkeeper.workflows.ControlPlaneSupport.Gate;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several worker processes (here: worker factories) on one task queue share the work and survive a kill. */
class WorkerPoolTest {
    static final String QUEUE = "partition-keeper-pool";

    TestWorkflowEnvironment env;
    final List<WorkerFactory> factories = new ArrayList<>();
    /** "worker:step" for every step that completed, in order. */
    final List<String> completed = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance(
                TestEnvironmentOptions.newBuilder().setInitialTime(NOW).build());
    }

    @AfterEach
    void tearDown() {
        factories.forEach(WorkerFactory::shutdownNow);
        env.close();
    }

    /** A worker process: its own factory, the real workflows, activities that record what they completed. */
    private WorkerFactory worker(String name, PartitionActivities partitions, int tableParallelism) {
        WorkerFactory factory = WorkerFactory.newInstance(env.getWorkflowClient());
        // No sticky task queue (a zero schedule-to-start timeout turns it off): a real server moves a dead
        // worker's sticky workflow tasks back to the shared queue after a few seconds, the test server never does.
        Worker w = factory.newWorker(
                QUEUE,
                WorkerOptions.newBuilder()
                        .setStickyQueueScheduleToStartTimeout(Duration.ZERO)
                        .build());
        w.registerWorkflowImplementationFactory(
                MaintenanceWorkflow.class, () -> new MaintenanceWorkflowImpl(tableParallelism));
        w.registerWorkflowImplementationTypes(TableMaintenanceWorkflowImpl.class);
        w.registerActivitiesImplementations(
                Fixtures.surveying(partitions), policyActivities(TRANSACTIONS, BILLING_EVENTS));
        factories.add(factory);
        return factory;
    }

    /** Records completed creates, detaches and finalizes of public.transactions; {@code blockOn} waits at the gate. */
    private PartitionActivities recording(String worker, PlannedAction blockOn, Gate gate) {
        PartitionActivities a = partitionActivities();
        // as the real steps are: idempotent. A step whose effect is there already (a re-run of the table's DDL
        // activity after the kill) changes nothing and says so; only a step that changed something counts.
        Function<PlannedAction, Object> finish = action -> {
            synchronized (completed) {
                if (completed.stream().anyMatch(c -> c.substring(2).equals(action.summary()))) {
                    return new ActionResult(action.summary(), ActionResult.ALREADY_DONE, 0, 0, "");
                }
                completed.add(worker + ":" + action.summary());
            }
            return done(action);
        };
        doAnswer(inv -> {
                    PlannedAction action = inv.getArgument(1);
                    return action.equals(blockOn) ? gate.pass(() -> finish.apply(action)) : finish.apply(action);
                })
                .when(a)
                .createPartition(eq(TRANSACTIONS), any());
        doAnswer(inv -> finish.apply(inv.getArgument(1))).when(a).detachPartition(eq(TRANSACTIONS), any());
        doAnswer(inv -> finish.apply(inv.getArgument(1))).when(a).finalizeDetach(eq(TRANSACTIONS), any());
        doAnswer(inv -> {
                    completed.add(worker + ":verify");
                    return Fixtures.GOOD_LAYOUT;
                })
                .when(a)
                .verifyLayout(eq(TRANSACTIONS), anyLong());
        return a;
    }

    @Test
    void oneWorkerKilledMidPassTheOtherFinishesWithNoStepDoneTwice() throws Exception {
        Gate gate = new Gate();
        WorkerFactory a = worker("a", recording("a", CREATE_MAY, gate), 1);
        WorkerFactory b = worker("b", recording("b", null, gate), 1);
        a.start();
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow pass = ControlPlaneSupport.stub(client, MaintenanceWorkflow.WORKFLOW_ID, QUEUE);
        WorkflowClient.start(
                pass::run, new MaintenanceRequest(List.of("public.transactions"), false, "scheduled"), null);
        gate.awaitEntered();
        b.start();

        a.shutdownNow(); // the process is killed: its create of May is interrupted, its workflow cache gone
        a.awaitTermination(10, TimeUnit.SECONDS);
        MaintenanceReport report = ControlPlaneSupport.result(client, MaintenanceWorkflow.WORKFLOW_ID);

        assertEquals(TableReport.OK, report.tables().get(0).status());
        List<String> steps = List.of(
                FINALIZE_OCT.summary(), CREATE_APR.summary(), CREATE_MAY.summary(), DETACH_NOV.summary(), "verify");
        Map<String, Long> times = completed.stream()
                .map(s -> s.substring(2))
                .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
        for (String step : steps) {
            assertEquals(1L, times.get(step), () -> step + " completed " + times.get(step) + " times: " + completed);
        }
        assertEquals(
                List.of(
                        "a:" + FINALIZE_OCT.summary(),
                        "a:" + CREATE_APR.summary(),
                        "b:" + CREATE_MAY.summary(),
                        "b:" + DETACH_NOV.summary(),
                        "b:verify"),
                completed);
    }

    @Test
    void tableParallelismMaintainsTablesAtOnce() throws Exception {
        Gate transactions = new Gate();
        Gate billing = new Gate();
        PartitionActivities acts = partitionActivities();
        doAnswer(inv -> transactions.pass(() -> done(inv.<PlannedAction>getArgument(1))))
                .when(acts)
                .createPartition(eq(TRANSACTIONS), any());
        doAnswer(inv -> billing.pass(() -> done(inv.<PlannedAction>getArgument(1))))
                .when(acts)
                .createPartition(eq(BILLING_EVENTS), any());
        worker("a", acts, 2).start();
        WorkflowClient client = env.getWorkflowClient();
        MaintenanceWorkflow pass = ControlPlaneSupport.stub(client, MaintenanceWorkflow.WORKFLOW_ID, QUEUE);
        WorkflowClient.start(pass::run, MaintenanceRequest.all("scheduled"), null);

        // both tables are inside a step at the same time
        transactions.awaitEntered();
        billing.awaitEntered();
        MaintenanceStatus status = ControlPlaneSupport.awaitStatus(
                ControlPlaneSupport.attach(client, MaintenanceWorkflow.WORKFLOW_ID),
                s -> s.current().size() == 2);
        transactions.open();
        billing.open();
        MaintenanceReport report = ControlPlaneSupport.result(client, MaintenanceWorkflow.WORKFLOW_ID);

        assertEquals(2, status.current().size());
        assertEquals(
                List.of("public.transactions", "billing.\"Billing Events\""),
                report.tables().stream().map(TableReport::table).toList(),
                "reports keep policy order");
        assertTrue(report.tables().stream().allMatch(t -> TableReport.OK.equals(t.status())));
    }
}

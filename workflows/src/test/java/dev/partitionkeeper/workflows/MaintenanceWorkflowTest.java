package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.Fixtures.BILLING_EVENTS;
import static dev.partitionkeeper.workflows.Fixtures.CREATE_APR;
import static dev.partitionkeeper.workflows.Fixtures.CREATE_MAY;
import static dev.partitionkeeper.workflows.Fixtures.DETACH_NOV;
import static dev.partitionkeeper.workflows.Fixtures.FINALIZE_OCT;
import static dev.partitionkeeper.workflows.Fixtures.NOW;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static dev.partitionkeeper.workflows.Fixtures.done;
import static dev.partitionkeeper.workflows.Fixtures.maintenanceWorkflow;
import static dev.partitionkeeper.workflows.Fixtures.messageChain;
import static dev.partitionkeeper.workflows.Fixtures.partitionActivities;
import static dev.partitionkeeper.workflows.Fixtures.policyActivities;
import static dev.partitionkeeper.workflows.Fixtures.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

class MaintenanceWorkflowTest {

    @RegisterExtension
    static final TestWorkflowExtension testWorkflow = Fixtures.extension();

    final PartitionActivities partitions = partitionActivities();

    @Test
    void runsPlanFinalizeCreatesDetachesThenVerify(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities(TRANSACTIONS));

        MaintenanceReport report = maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null);

        InOrder order = inOrder(partitions);
        ArgumentCaptor<Long> planNow = ArgumentCaptor.forClass(Long.class);
        order.verify(partitions).plan(eq(TRANSACTIONS), planNow.capture());
        order.verify(partitions).finalizeDetach(TRANSACTIONS, FINALIZE_OCT);
        order.verify(partitions).createPartition(TRANSACTIONS, CREATE_APR);
        order.verify(partitions).createPartition(TRANSACTIONS, CREATE_MAY);
        order.verify(partitions).detachPartition(TRANSACTIONS, DETACH_NOV);
        order.verify(partitions).verifyLayout(eq(TRANSACTIONS), anyLong());
        verifyNoMoreInteractions(partitions);
        // the workflow's clock, which the test environment started at NOW
        long elapsed = planNow.getValue() - NOW.toEpochMilli();
        assertTrue(elapsed >= 0 && elapsed < Duration.ofMinutes(1).toMillis(), "plan got " + planNow.getValue());

        assertEquals("scheduled", report.reason());
        assertFalse(report.dryRun());
        assertEquals(1, report.tables().size());
        TableReport table = report.tables().get(0);
        assertEquals("public.transactions", table.table());
        assertEquals(TableReport.OK, table.status());
        assertEquals(
                List.of(FINALIZE_OCT, CREATE_APR, CREATE_MAY, DETACH_NOV),
                table.plan().actions());
        assertEquals(
                List.of(done(FINALIZE_OCT), done(CREATE_APR), done(CREATE_MAY), done(DETACH_NOV)), table.actions());
        assertEquals(Fixtures.GOOD_LAYOUT, table.layout());
        assertNull(table.error());
    }

    @Test
    void transientErrorIsRetriedAndThePassCompletes(TestWorkflowEnvironment env, Worker worker) {
        // do-when: when(...) would call the stubbed answer with null arguments
        doThrow(new IllegalStateException("canceling statement due to lock timeout"))
                .doAnswer(inv -> done(inv.getArgument(1)))
                .when(partitions)
                .createPartition(any(), any());
        start(env, worker, partitions, policyActivities(TRANSACTIONS));

        MaintenanceReport report = maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null);

        verify(partitions, times(2)).createPartition(TRANSACTIONS, CREATE_APR);
        verify(partitions, times(1)).createPartition(TRANSACTIONS, CREATE_MAY);
        verify(partitions).detachPartition(TRANSACTIONS, DETACH_NOV);
        assertEquals(TableReport.OK, report.tables().get(0).status());
        assertEquals(4, report.tables().get(0).actions().size());
    }

    /** Both forms stop at once: a non-retryable failure, and a retryable one whose type the options never retry. */
    @ParameterizedTest(name = "nonRetryable={0}")
    @ValueSource(booleans = {true, false})
    void invalidPolicyStopsBeforeAnyDdl(boolean nonRetryable, TestWorkflowEnvironment env, Worker worker) {
        String msg = "table \"public.transactions\" is not range-partitioned";
        doThrow(
                        nonRetryable
                                ? ApplicationFailure.newNonRetryableFailure(msg, Failures.INVALID_POLICY)
                                : ApplicationFailure.newFailure(msg, Failures.INVALID_POLICY))
                .when(partitions)
                .plan(any(), anyLong());
        start(env, worker, partitions, policyActivities(TRANSACTIONS));

        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null));

        assertTrue(messageChain(e).contains(msg), messageChain(e));
        verify(partitions, times(1)).plan(eq(TRANSACTIONS), anyLong());
        verifyNoMoreInteractions(partitions);
        ApplicationFailure pass = assertInstanceOf(ApplicationFailure.class, e.getCause());
        assertEquals(Failures.PASS_FAILED, pass.getType());
        assertEquals("maintenance failed for public.transactions: " + msg, pass.getOriginalMessage());
        MaintenanceReport report = pass.getDetails().get(MaintenanceReport.class);
        assertEquals(
                List.of(new TableReport("public.transactions", TableReport.FAILED, null, List.of(), null, msg)),
                report.tables());
    }

    @Test
    void dryRunPlansButCallsNoDdl(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities(TRANSACTIONS));

        MaintenanceReport report = maintenanceWorkflow(env, worker)
                .run(new MaintenanceRequest(List.of(), true, "operator request: dry run"), null);

        verify(partitions).plan(eq(TRANSACTIONS), anyLong());
        verifyNoMoreInteractions(partitions);
        assertTrue(report.dryRun());
        TableReport table = report.tables().get(0);
        assertEquals(TableReport.OK, table.status());
        assertEquals(
                List.of(FINALIZE_OCT, CREATE_APR, CREATE_MAY, DETACH_NOV),
                table.plan().actions());
        assertEquals(List.of(), table.actions());
        assertNull(table.layout());
    }

    @Test
    void tableNotInThePolicyFailsNamingIt(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));

        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> maintenanceWorkflow(env, worker)
                        .run(
                                new MaintenanceRequest(
                                        List.of("public.transactions", "orders"), false, "operator request"),
                                null));

        assertTrue(
                messageChain(e)
                        .contains(
                                "table public.orders is not in the policy; known tables: public.transactions, billing.\"Billing Events\""),
                messageChain(e));
        assertEquals(
                Failures.INVALID_POLICY,
                assertInstanceOf(ApplicationFailure.class, e.getCause()).getType());
        verifyNoInteractions(partitions);
    }

    @Test
    void unparsableTableNameFailsWithTheParserMessage(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities(TRANSACTIONS));

        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> maintenanceWorkflow(env, worker)
                        .run(new MaintenanceRequest(List.of("x; drop table y"), false, "operator request"), null));

        assertTrue(
                messageChain(e).contains("table name \"x; drop table y\" is not a valid identifier"), messageChain(e));
        verifyNoInteractions(partitions);
    }

    @Test
    void eachTableRunsAsAChildNamedAfterIt(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));

        MaintenanceReport report = maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null);

        List<String> childIds =
                env.getWorkflowClient().fetchHistory(MaintenanceWorkflow.WORKFLOW_ID).getEvents().stream()
                        .filter(HistoryEvent::hasStartChildWorkflowExecutionInitiatedEventAttributes)
                        .map(ev -> ev.getStartChildWorkflowExecutionInitiatedEventAttributes()
                                .getWorkflowId())
                        .toList();
        assertEquals(
                List.of(
                        "partition-maintenance/public.transactions",
                        "partition-maintenance/billing.\"Billing Events\""),
                childIds);
        assertEquals(
                List.of("public.transactions", "billing.\"Billing Events\""),
                report.tables().stream().map(TableReport::table).toList());
        assertEquals(TableMaintenanceWorkflow.workflowId("public.transactions"), childIds.get(0));
    }

    @Test
    void requestedTablesAreMatchedAsPostgresWouldAndRunOnce(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities(BILLING_EVENTS, TRANSACTIONS));

        MaintenanceReport report = maintenanceWorkflow(env, worker)
                .run(
                        new MaintenanceRequest(
                                List.of("Transactions", "public.transactions"), false, "operator request"),
                        null);

        assertEquals(
                List.of("public.transactions"),
                report.tables().stream().map(TableReport::table).toList());
        verify(partitions).plan(eq(TRANSACTIONS), anyLong());
        verify(partitions, never()).plan(eq(BILLING_EVENTS), anyLong());
    }

    @Test
    void oneFailingTableDoesNotStopTheOthers(TestWorkflowEnvironment env, Worker worker) {
        String msg = "table \"public.transactions\" does not exist";
        doThrow(ApplicationFailure.newNonRetryableFailure(msg, Failures.INVALID_POLICY))
                .when(partitions)
                .plan(eq(TRANSACTIONS), anyLong());
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));

        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null));

        // billing."Billing Events" is empty: current day + 4 premake
        verify(partitions, times(5)).createPartition(eq(BILLING_EVENTS), any());
        verify(partitions).verifyLayout(eq(BILLING_EVENTS), anyLong());
        MaintenanceReport report = assertInstanceOf(ApplicationFailure.class, e.getCause())
                .getDetails()
                .get(MaintenanceReport.class);
        assertTrue(report.failed());
        assertEquals(
                List.of(TableReport.FAILED, TableReport.OK),
                report.tables().stream().map(TableReport::status).toList());
        assertEquals(msg, report.tables().get(0).error());
    }

    @Test
    void failedActionStopsTheTableAndSaysWhatWasDone(TestWorkflowEnvironment env, Worker worker) {
        String why = "relation \"transactions_p2026_04\" already exists and is not a partition of public.transactions";
        doThrow(ApplicationFailure.newNonRetryableFailure(why, Failures.CATALOG_CONFLICT))
                .when(partitions)
                .createPartition(any(), any());
        start(env, worker, partitions, policyActivities());

        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> tableWorkflow(env, worker).maintain(new TableMaintenanceRequest(TRANSACTIONS, false, "test")));

        verify(partitions).finalizeDetach(TRANSACTIONS, FINALIZE_OCT);
        verify(partitions, times(1)).createPartition(TRANSACTIONS, CREATE_APR);
        verify(partitions, never()).createPartition(TRANSACTIONS, CREATE_MAY);
        verify(partitions, never()).detachPartition(any(), any());
        verify(partitions, never()).verifyLayout(any(), anyLong());
        ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, e.getCause());
        assertEquals(Failures.ACTION_FAILED, failure.getType());
        assertEquals(
                "public.transactions: create transactions_p2026_04 [2026-04-01, 2026-05-01) failed after 1 completed"
                        + " action(s): " + why,
                failure.getOriginalMessage());
        TableReport partial = failure.getDetails().get(TableReport.class);
        assertEquals(TableReport.FAILED, partial.status());
        assertEquals(List.of(done(FINALIZE_OCT)), partial.actions());
        assertEquals(why, partial.error());
    }

    @Test
    void failedActionFailsThePassWithTheCause(TestWorkflowEnvironment env, Worker worker) {
        String why = "relation \"transactions_p2026_04\" already exists and is not a partition of public.transactions";
        doThrow(ApplicationFailure.newNonRetryableFailure(why, Failures.CATALOG_CONFLICT))
                .when(partitions)
                .createPartition(any(), any());
        start(env, worker, partitions, policyActivities(TRANSACTIONS));

        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null));

        assertTrue(messageChain(e).contains("maintenance failed for public.transactions: " + why), messageChain(e));
        MaintenanceReport report = assertInstanceOf(ApplicationFailure.class, e.getCause())
                .getDetails()
                .get(MaintenanceReport.class);
        assertEquals(why, report.tables().get(0).error());
    }

    @Test
    void layoutProblemsNeedAttentionButDoNotFailThePass(TestWorkflowEnvironment env, Worker worker) {
        LayoutReport shortRunway =
                new LayoutReport(false, 1, "2026-05-01", 5, 0, List.of("runway is 1 partition, premake wants 2"));
        doReturn(shortRunway).when(partitions).verifyLayout(any(), anyLong());
        start(env, worker, partitions, policyActivities(TRANSACTIONS));

        MaintenanceReport report = maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null);

        assertFalse(report.failed());
        assertEquals(TableReport.ATTENTION, report.tables().get(0).status());
        assertEquals(shortRunway, report.tables().get(0).layout());
    }

    @Test
    void childRunsOnItsOwnForOneTable(TestWorkflowEnvironment env, Worker worker) {
        start(env, worker, partitions, policyActivities());

        TableReport report =
                tableWorkflow(env, worker).maintain(new TableMaintenanceRequest(TRANSACTIONS, false, "test"));

        assertEquals(TableReport.OK, report.status());
        MaintenancePlan plan = report.plan();
        assertEquals(List.of(FINALIZE_OCT, CREATE_APR, CREATE_MAY, DETACH_NOV), plan.actions());
        verify(partitions).verifyLayout(eq(TRANSACTIONS), anyLong());
    }

    static TableMaintenanceWorkflow tableWorkflow(TestWorkflowEnvironment env, Worker worker) {
        return env.getWorkflowClient()
                .newWorkflowStub(
                        TableMaintenanceWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(TableMaintenanceWorkflow.workflowId("public.transactions"))
                                .setTaskQueue(worker.getTaskQueue())
                                .build());
    }

    @Test
    void createDefaultPartitionIsItsOwnStep(TestWorkflowEnvironment env, Worker worker) {
        TablePolicy withDefault = TRANSACTIONS.withDefaultPartition(DefaultPartitionMode.CREATE);
        start(env, worker, partitions, policyActivities(withDefault));

        maintenanceWorkflow(env, worker).run(MaintenanceRequest.all("scheduled"), null);

        InOrder order = inOrder(partitions);
        order.verify(partitions).finalizeDetach(withDefault, FINALIZE_OCT);
        order.verify(partitions)
                .createDefaultPartition(withDefault, new PlannedAction.CreateDefaultPartition("transactions_default"));
        order.verify(partitions).createPartition(withDefault, CREATE_APR);
    }
}

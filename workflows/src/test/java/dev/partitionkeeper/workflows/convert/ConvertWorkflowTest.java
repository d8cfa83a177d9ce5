package dev.partitionkeeper.workflows.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.KeyType;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;
import org.mockito.Mockito;

/** The order of the steps, and that nothing is swapped past a failed comparison. */
class ConvertWorkflowTest {
    static final String QUEUE = "convert";
    static final ConvertRequest REQUEST = ConvertRequest.convert("public.transactions", "created_at", "monthly");
    static final TableChecksum A = new TableChecksum("public.transactions", 10, "123", 0);
    static final TableChecksum B = new TableChecksum("public.transactions_pk_new", 10, "123", 0);
    static final TableChecksum WRONG = new TableChecksum("public.transactions_pk_new", 9, "99", 0);

    TestWorkflowEnvironment env;
    ConvertActivities acts;

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        Worker w = env.newWorker(QUEUE);
        w.registerWorkflowImplementationTypes(ConvertWorkflowImpl.class);
        acts = mock(ConvertActivities.class, withSettings().withoutAnnotations());
        w.registerActivitiesImplementations(acts);
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    static Inspection inspection(String phase) {
        return new Inspection(
                "public.transactions",
                "transactions_pk_new",
                "transactions_old",
                KeyType.TIMESTAMPTZ,
                List.of("id", "created_at"),
                10,
                1_700_000_000_000_000L,
                1_710_000_000_000_000L,
                phase);
    }

    ConvertResult run(ConvertRequest r) {
        return env.getWorkflowClient()
                .newWorkflowStub(
                        ConvertWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(QUEUE)
                                .setWorkflowId(ConvertWorkflow.workflowId(r.table()))
                                .build())
                .run(r);
    }

    @Test
    void convertRunsEveryStepInOrderAndReplaysUntilTheBacklogIsSmall() {
        when(acts.inspect(any())).thenReturn(inspection(Inspection.NONE));
        when(acts.prepare(any(), any())).thenReturn("created");
        when(acts.copy(any())).thenReturn(new CopyResult(10, 10, 1, false));
        when(acts.replay(any(), eq(false))).thenReturn(new ReplayResult(50_000, 5_000), new ReplayResult(5_000, 10));
        when(acts.verify(any(), any()))
                .thenReturn(new Verification("before swap", A, B, true), new Verification("after swap", A, B, true));
        when(acts.swap(any(), eq(false)))
                .thenReturn(
                        new SwapResult("public.transactions", "public.transactions_old", 10, 1, 12, List.of(), false));
        ConvertResult r = run(REQUEST);
        assertEquals("converted", r.outcome());
        assertEquals(55_000, r.replayed());
        InOrder order = inOrder(acts);
        order.verify(acts).inspect(any());
        order.verify(acts).prepare(any(), any());
        order.verify(acts).copy(any());
        order.verify(acts, Mockito.times(2)).replay(any(), eq(false));
        order.verify(acts).verify(any(), eq("before swap"));
        order.verify(acts).swap(any(), eq(false));
        order.verify(acts).verify(any(), eq("after swap"));
    }

    @Test
    void aFailedComparisonSwapsNothing() {
        when(acts.inspect(any())).thenReturn(inspection(Inspection.NONE));
        when(acts.copy(any())).thenReturn(new CopyResult(10, 10, 1, false));
        when(acts.replay(any(), anyBoolean())).thenReturn(new ReplayResult(0, 0));
        when(acts.verify(any(), any())).thenReturn(new Verification("before swap", A, WRONG, false));
        WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> run(REQUEST));
        ApplicationFailure f = (ApplicationFailure) e.getCause();
        assertEquals(Failures.VERIFICATION_FAILED, f.getType());
        assertTrue(f.getOriginalMessage().contains("nothing was swapped"), f.getOriginalMessage());
        verify(acts, never()).swap(any(), anyBoolean());
    }

    @Test
    void badInputFailsAtOnceWithTheActivitysMessage() {
        when(acts.inspect(any()))
                .thenThrow(ApplicationFailure.newNonRetryableFailure(
                        "table public.transactions has no" + " primary key", Failures.INVALID_POLICY));
        WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> run(REQUEST));
        ApplicationFailure f = (ApplicationFailure) ((ActivityFailure) e.getCause()).getCause();
        assertTrue(f.getOriginalMessage().contains("has no primary key"));
        verify(acts, never()).prepare(any(), any());
    }

    @Test
    void anAlreadyConvertedTableIsLeftAlone() {
        when(acts.inspect(any())).thenReturn(inspection(Inspection.SWAPPED));
        assertEquals("already converted", run(REQUEST).outcome());
        verify(acts, never()).prepare(any(), any());
        verify(acts, never()).swap(any(), anyBoolean());
    }

    @Test
    void rollbackReplaysTheWritesSinceTheSwapComparesThenSwapsBack() {
        when(acts.inspect(any())).thenReturn(inspection(Inspection.SWAPPED));
        when(acts.replay(any(), eq(true))).thenReturn(new ReplayResult(7, 0));
        when(acts.verify(any(), any())).thenReturn(new Verification("before swap back", A, B, true));
        when(acts.swap(any(), eq(true)))
                .thenReturn(
                        new SwapResult("public.transactions", "public.transactions_pk_new", 1, 1, 5, List.of(), false));
        ConvertResult r = run(ConvertRequest.of(ConvertMode.ROLLBACK, "public.transactions"));
        assertEquals("rolled back", r.outcome());
        assertEquals(8, r.replayed());
        InOrder order = inOrder(acts);
        order.verify(acts).replay(any(), eq(true));
        order.verify(acts).verify(any(), eq("before swap back"));
        order.verify(acts).swap(any(), eq(true));
    }
}

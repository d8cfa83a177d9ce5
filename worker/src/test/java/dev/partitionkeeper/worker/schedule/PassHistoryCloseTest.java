package dev.partitionkeeper.worker.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.temporal.api.enums.v1.ContinueAsNewInitiator;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionContinuedAsNewEventAttributes;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How {@code history} names a run's end from its close event (no server needed: nothing is called). */
class PassHistoryCloseTest {
    final WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:1").build());
    final PassHistory history = new PassHistory(WorkflowClient.newInstance(stubs));

    @AfterEach
    void close() {
        stubs.shutdownNow();
    }

    private static HistoryEvent continuedAsNew(ContinueAsNewInitiator initiator) {
        return HistoryEvent.newBuilder()
                .setWorkflowExecutionContinuedAsNewEventAttributes(
                        WorkflowExecutionContinuedAsNewEventAttributes.newBuilder()
                                .setInitiator(initiator))
                .build();
    }

    @Test
    void aRunThatContinuedItselfAsNewIsNotReportedAsACompletedPass() {
        PassHistory.Finished f =
                history.decodeClose(continuedAsNew(ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW));
        assertEquals(PassHistory.CONTINUED_AS_NEW, f.status());
        assertNull(f.report());
        assertNull(f.error());
    }

    @Test
    void aCronRunsEndStaysACompletedPass() {
        PassHistory.Finished f =
                history.decodeClose(continuedAsNew(ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE));
        assertEquals("completed", f.status());
    }
}

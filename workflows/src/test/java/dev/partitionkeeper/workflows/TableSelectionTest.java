package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.Fixtures.BILLING_EVENTS;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MaintenanceWorkflowImpl#select}: which policy entries a request names. */
class TableSelectionTest {
    static final List<TablePolicy> POLICY = List.of(TRANSACTIONS, BILLING_EVENTS);

    @Test
    void noTablesMeansAllInPolicyOrder() {
        assertEquals(POLICY, MaintenanceWorkflowImpl.select(POLICY, List.of()));
    }

    @Test
    void requestedTablesInRequestOrderOnceEach() {
        List<TablePolicy> selected = MaintenanceWorkflowImpl.select(
                POLICY, List.of("billing.\"Billing Events\"", "Transactions", "public.transactions"));

        assertEquals(List.of(BILLING_EVENTS, TRANSACTIONS), selected);
    }

    @Test
    void unknownTableIsAnInvalidPolicyNamingItAndTheKnownOnes() {
        ApplicationFailure e = assertThrows(
                ApplicationFailure.class, () -> MaintenanceWorkflowImpl.select(POLICY, List.of("billing.events")));

        assertEquals(Failures.INVALID_POLICY, e.getType());
        assertTrue(e.isNonRetryable());
        assertEquals(
                "table billing.events is not in the policy; known tables: public.transactions,"
                        + " billing.\"Billing Events\"",
                e.getOriginalMessage());
    }

    @Test
    void unparsableNameIsAnInvalidPolicy() {
        ApplicationFailure e =
                assertThrows(ApplicationFailure.class, () -> MaintenanceWorkflowImpl.select(POLICY, List.of("a.b.c")));

        assertEquals(Failures.INVALID_POLICY, e.getType());
        assertEquals(
                "table name a.b.c has 3 parts; write it as schema.table, e.g. public.events", e.getOriginalMessage());
    }
}

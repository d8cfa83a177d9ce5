package dev.partitionkeeper.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A request's tables in a fleet: {@code <database>/<table>}, {@code <database>/*}, or a name in every database. */
class FleetSelectionTest {
    static final TablePolicy EVENTS =
            TablePolicy.of(new TableName("public", "events"), PartitionInterval.parse("daily"));
    static final List<TablePolicy> FLEET = List.of(
            EVENTS.withDatabase("tenant_1"),
            EVENTS.withDatabase("tenant_2"),
            TablePolicy.of(new TableName("public", "audit"), PartitionInterval.parse("monthly"))
                    .withDatabase("tenant_2"));

    private static List<String> names(List<TablePolicy> ps) {
        return ps.stream().map(TablePolicy::qualifiedName).toList();
    }

    @Test
    void aDatabaseATableOfOneDatabaseOrATableInEveryDatabase() {
        assertEquals(
                List.of("tenant_2/public.events", "tenant_2/public.audit"),
                names(TableSelection.select(FLEET, List.of("tenant_2/*"))));
        assertEquals(
                List.of("tenant_1/public.events"), names(TableSelection.select(FLEET, List.of("tenant_1/events"))));
        assertEquals(
                List.of("tenant_1/public.events", "tenant_2/public.events"),
                names(TableSelection.select(FLEET, List.of("public.events"))));
        ApplicationFailure none =
                assertThrows(ApplicationFailure.class, () -> TableSelection.select(FLEET, List.of("tenant_3/*")));
        assertTrue(
                none.getOriginalMessage()
                        .startsWith("database tenant_3 has no table in the policy; known tables:"
                                + " tenant_1/public.events"),
                none::getOriginalMessage);
        ApplicationFailure missing = assertThrows(
                ApplicationFailure.class, () -> TableSelection.select(FLEET, List.of("tenant_1/public.audit")));
        assertTrue(
                missing.getOriginalMessage().startsWith("table tenant_1/public.audit is not in the policy"),
                missing::getOriginalMessage);
    }

    @Test
    void requestsNamingFleetTablesAreChecked() {
        List<TableName> known = FLEET.stream().map(TablePolicy::table).toList();
        assertEquals(
                List.of(),
                MaintenanceRequests.problems(
                        new MaintenanceRequest(List.of("tenant_1/public.events", "tenant_9/*"), false, "r"), known));
        assertEquals(
                List.of("table tenant_1/x names an empty database; write <database>/<schema.table>, e.g."
                                .replace("tenant_1/x", "/x")
                        + " tenant_1/public.events, or <database>/* for all of its tables"),
                MaintenanceRequests.problems(new MaintenanceRequest(List.of("/x"), false, "r"), known));
        assertEquals(
                List.of("table public.\"a/b\" is not in the policy; known tables: public.events, public.events,"
                        + " public.audit"),
                MaintenanceRequests.problems(new MaintenanceRequest(List.of("public.\"a/b\""), false, "r"), known),
                "a / inside quotes is part of the name");
    }
}

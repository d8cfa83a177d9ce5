package dev.partitionkeeper.workflows.plan;

import static dev.partitionkeeper.workflows.plan.Snapshots.TRANSACTIONS;
import static dev.partitionkeeper.workflows.plan.Snapshots.day;
import static dev.partitionkeeper.workflows.plan.Snapshots.pendingDetach;
import static dev.partitionkeeper.workflows.plan.Snapshots.range;
import static dev.partitionkeeper.workflows.plan.Snapshots.snapshot;
import static dev.partitionkeeper.workflows.plan.Snapshots.withDefaultRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.TableMaintenanceRequest;
import dev.partitionkeeper.workflows.TableReport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every value that crosses an activity or workflow boundary survives Temporal's default converter. */
class MaintenancePlanSerializationTest {
    static final DataConverter CONVERTER = DefaultDataConverter.STANDARD_INSTANCE;
    static final TablePolicy POLICY = new TablePolicy(
            new TableName("billing", "Billing Events"),
            PartitionInterval.MONTHLY,
            2,
            Retention.parse("3 months"),
            "Europe/Berlin",
            DefaultPartitionMode.CREATE,
            RetentionAction.ARCHIVE_AND_DROP,
            7);

    static <T> T roundTrip(T value, Class<T> type) {
        return roundTrip(value, type, type);
    }

    static <T> T roundTrip(Object value, Class<T> type, Type genericType) {
        Optional<Payload> payload = CONVERTER.toPayload(value);
        assertTrue(payload.isPresent());
        return CONVERTER.fromPayload(payload.get(), type, genericType);
    }

    /** A plan with every kind of action, MINVALUE bounds and every finding the planner makes here. */
    static MaintenancePlan fullPlan() {
        CatalogSnapshot snap = withDefaultRows(
                snapshot(
                        range("transactions_ancient", KeyAxis.MIN, day("2025-01-01")),
                        pendingDetach("transactions_p2025_10", day("2025-10-01"), day("2025-11-01")),
                        range("p2026_03", "2026-03-01", "2026-04-01")),
                3,
                day("2026-06-01"),
                day("2026-06-02"));
        TablePolicy policy = TablePolicy.of(TRANSACTIONS, PartitionInterval.MONTHLY)
                .withPremake(2)
                .withRetention(Retention.parse("3 months"))
                .withDefaultPartition(DefaultPartitionMode.CREATE);
        return MaintenancePlanner.plan(snap, policy, Instant.parse("2026-03-15T10:00:00Z"));
    }

    @Test
    void planWithEveryActionKindRoundTrips() {
        MaintenancePlan plan = fullPlan();
        assertEquals(
                List.of(
                        PlannedAction.FinalizeDetach.class,
                        PlannedAction.CreateDefaultPartition.class,
                        PlannedAction.CreatePartition.class,
                        PlannedAction.CreatePartition.class,
                        PlannedAction.DetachPartition.class),
                plan.actions().stream().map(Object::getClass).toList(),
                "fixture covers every action kind");

        assertEquals(plan, roundTrip(plan, MaintenancePlan.class));
    }

    @Test
    void actionsCarryTheirTypeName() {
        Payload payload = CONVERTER.toPayload(fullPlan()).orElseThrow();
        String json = payload.getData().toString(StandardCharsets.UTF_8);

        for (String name : List.of("finalize_detach", "create_default", "create", "detach")) {
            assertTrue(json.contains("\"action\":\"" + name + "\""), json);
        }
    }

    /** Helper methods such as "nothing to do" must not become JSON properties: the reader would reject them. */
    @Test
    void planJsonCarriesTheRecordComponentsOnly() throws Exception {
        String json = CONVERTER.toPayload(fullPlan()).orElseThrow().getData().toString(StandardCharsets.UTF_8);
        List<String> fields = new ArrayList<>();
        new ObjectMapper().readTree(json).fieldNames().forEachRemaining(fields::add);

        assertEquals(
                Stream.of(MaintenancePlan.class.getRecordComponents())
                        .map(RecordComponent::getName)
                        .sorted()
                        .toList(),
                fields.stream().sorted().toList());
    }

    static Stream<PlannedAction> actions() {
        return fullPlan().actions().stream();
    }

    /** Activities take concrete action types; the workflow may also see them as the interface. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("actions")
    void eachActionRoundTripsAsItselfAndAsTheInterface(PlannedAction action) {
        @SuppressWarnings("unchecked")
        Class<PlannedAction> concrete = (Class<PlannedAction>) action.getClass();

        assertEquals(action, roundTrip(action, concrete));
        assertEquals(action, roundTrip(action, PlannedAction.class));
    }

    @Test
    void policyRoundTrips() {
        assertEquals(POLICY, roundTrip(POLICY, TablePolicy.class));
        TablePolicy forever = TablePolicy.of(TRANSACTIONS, PartitionInterval.DAILY);
        assertEquals(forever, roundTrip(forever, TablePolicy.class));
    }

    @Test
    void policyListRoundTrips() throws Exception {
        List<TablePolicy> policies = List.of(POLICY, TablePolicy.of(TRANSACTIONS, PartitionInterval.WEEKLY));
        Type listOfPolicies =
                PolicyListHolder.class.getDeclaredField("policies").getGenericType();

        @SuppressWarnings("unchecked")
        List<TablePolicy> back = roundTrip(policies, List.class, listOfPolicies);

        assertEquals(policies, back);
    }

    @SuppressWarnings("unused")
    private static final class PolicyListHolder {
        List<TablePolicy> policies;
    }

    @Test
    void requestsAndReportsRoundTrip() {
        MaintenancePlan plan = fullPlan();
        LayoutReport layout =
                new LayoutReport(false, 1, "2026-05-01", 3, 3, List.of("runway is 1 partition, premake wants 2"));
        TableReport table = new TableReport(
                "public.transactions",
                TableReport.ATTENTION,
                plan,
                List.of(new ActionResult("create transactions_p2026_04", ActionResult.DONE, 0, 1, "")),
                layout,
                null);
        MaintenanceReport report = new MaintenanceReport(
                "scheduled",
                false,
                List.of(table, new TableReport("public.orders", TableReport.FAILED, null, List.of(), null, "boom")));

        assertEquals(report, roundTrip(report, MaintenanceReport.class));
        assertEquals(layout, roundTrip(layout, LayoutReport.class));
        TableMaintenanceRequest request = new TableMaintenanceRequest(POLICY, true, "operator request: test");
        assertEquals(request, roundTrip(request, TableMaintenanceRequest.class));
        MaintenanceRequest all = new MaintenanceRequest(List.of("public.transactions"), false, "scheduled");
        assertEquals(all, roundTrip(all, MaintenanceRequest.class));
    }
}

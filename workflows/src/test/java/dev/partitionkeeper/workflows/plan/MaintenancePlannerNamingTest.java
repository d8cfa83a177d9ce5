package dev.partitionkeeper.workflows.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** New partitions follow the table's {@code partition_name} template; without one, today's names. */
class MaintenancePlannerNamingTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final TableName BILLING = new TableName("public", "Billing Events");

    static List<String> created(TablePolicy policy) {
        CatalogSnapshot empty = new CatalogSnapshot(policy.table(), "at", KeyType.TIMESTAMPTZ, List.of(), 0, 0, 0);
        return MaintenancePlanner.plan(empty, policy, NOW).actions().stream()
                .filter(a -> a instanceof PlannedAction.CreatePartition)
                .map(PlannedAction::partition)
                .toList();
    }

    @Test
    void aTemplateNamesTheNewPartitionsInTheTablesOwnScheme() {
        TablePolicy berlinDaily = TablePolicy.of(BILLING, PartitionInterval.DAILY)
                .withPremake(3)
                .withTimezone("Europe/Berlin")
                .withPartitionName("Billing Events %Y%m%d");

        assertEquals(
                List.of(
                        "Billing Events 20261201",
                        "Billing Events 20261202",
                        "Billing Events 20261203",
                        "Billing Events 20261204"),
                created(berlinDaily));
    }

    @Test
    void withoutATemplateTheNamesAreTheDefaultOnes() {
        assertEquals(
                List.of("Billing Events_p2026_12_01", "Billing Events_p2026_12_02"),
                created(TablePolicy.of(BILLING, PartitionInterval.DAILY).withPremake(1)));
        assertEquals(
                List.of("transactions_y2026m12", "transactions_y2027m01"),
                created(TablePolicy.of(new TableName("public", "transactions"), PartitionInterval.MONTHLY)
                        .withPremake(1)
                        .withPartitionName("%t_y%Ym%m")));
    }

    @Test
    void theTemplateTravelsWithThePolicyThroughTemporal() {
        TablePolicy p = TablePolicy.of(BILLING, PartitionInterval.DAILY).withPartitionName("Billing Events %Y%m%d");
        DataConverter json = DefaultDataConverter.STANDARD_INSTANCE;

        assertEquals(p, json.fromPayload(json.toPayload(p).orElseThrow(), TablePolicy.class, TablePolicy.class));
    }
}

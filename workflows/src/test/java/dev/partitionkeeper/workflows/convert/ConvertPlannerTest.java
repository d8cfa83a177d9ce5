package dev.partitionkeeper.workflows.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConvertPlannerTest {
    static final Instant NOW = Instant.parse("2024-03-15T12:00:00Z");

    static Inspection table(String min, String max, KeyType type) {
        return new Inspection(
                "public.transactions",
                "transactions_pk_new",
                "transactions_old",
                type,
                List.of("id", "created_at"),
                100,
                min == null ? null : axis(min),
                max == null ? null : axis(max),
                Inspection.NONE);
    }

    static long axis(String wall) {
        return KeyAxis.of(LocalDateTime.parse(wall), ZoneOffset.UTC, KeyType.TIMESTAMPTZ);
    }

    static List<String> names(PartitionLayout l) {
        return l.partitions().stream()
                .map(PlannedAction.CreatePartition::partition)
                .toList();
    }

    @Test
    void coversEveryRowsMonthPlusTheRunway() {
        PartitionLayout l = ConvertPlanner.layout(
                table("2023-11-20T10:00:00", "2024-03-14T00:00:00", KeyType.TIMESTAMPTZ),
                ConvertRequest.convert("public.transactions", "created_at", "monthly")
                        .withPremake(2),
                NOW);
        assertEquals(
                List.of(
                        "transactions_p2023_11",
                        "transactions_p2023_12",
                        "transactions_p2024_01",
                        "transactions_p2024_02",
                        "transactions_p2024_03",
                        "transactions_p2024_04",
                        "transactions_p2024_05"),
                names(l));
        assertNull(l.defaultPartition());
        for (int i = 1; i < l.partitions().size(); i++) {
            assertEquals(l.partitions().get(i - 1).to(), l.partitions().get(i).from(), "contiguous");
        }
        assertEquals("2023-11-01", l.partitions().get(0).fromText());
    }

    @Test
    void rowsPastTheRunwayWidenItUnlessADefaultPartitionTakesThem() {
        ConvertRequest r = ConvertRequest.convert("public.transactions", "created_at", "monthly")
                .withPremake(1);
        Inspection future = table("2024-03-01T00:00:00", "2024-09-03T00:00:00", KeyType.TIMESTAMPTZ);
        assertEquals(
                "transactions_p2024_09",
                names(ConvertPlanner.layout(future, r, NOW)).get(6));
        PartitionLayout withDefault = ConvertPlanner.layout(future, r.withDefaultPartition(true), NOW);
        assertEquals(List.of("transactions_p2024_03", "transactions_p2024_04"), names(withDefault));
        assertEquals("transactions_default", withDefault.defaultPartition());
    }

    @Test
    void anEmptyTableGetsTheCurrentPeriodAndTheRunway() {
        PartitionLayout l = ConvertPlanner.layout(
                table(null, null, KeyType.DATE),
                ConvertRequest.convert("public.transactions", "day", "daily").withPremake(2),
                NOW);
        assertEquals(
                List.of("transactions_p2024_03_15", "transactions_p2024_03_16", "transactions_p2024_03_17"), names(l));
        assertEquals("2024-03-15", l.partitions().get(0).fromText());
    }

    @Test
    void aStrayKeyIsRefusedWithTheRangeAndTheWayOut() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ConvertPlanner.layout(
                        table("1970-01-01T00:00:00", "2024-03-01T00:00:00", KeyType.TIMESTAMPTZ),
                        ConvertRequest.convert("public.transactions", "created_at", "daily"),
                        NOW));
        assertTrue(e.getMessage().startsWith("the rows of public.transactions span 1970-01-01"), e.getMessage());
        assertTrue(e.getMessage().contains("coarser --interval"), e.getMessage());
    }

    @Test
    void requestsAreCheckedBeforeAnyDatabase() {
        assertEquals(
                "--column is required: the timestamp or date column to partition by",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> ConvertRequest.convert("public.t", null, "monthly")
                                        .validated())
                        .getMessage());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ConvertRequest.convert("public.t", "at", "monthly")
                                .withThrottle(-1, 10)
                                .validated())
                .getMessage()
                .startsWith("rows per second must be 0"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ConvertRequest.convert("public.t", "at", "monthly")
                                .withTimezone("Mars/Base")
                                .validated())
                .getMessage()
                .contains("Mars/Base"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ConvertRequest.convert("public.", "at", "monthly").validated())
                .getMessage()
                .contains("ends with a dot"));
        ConvertRequest.of(ConvertMode.ROLLBACK, "public.t").validated();
    }
}

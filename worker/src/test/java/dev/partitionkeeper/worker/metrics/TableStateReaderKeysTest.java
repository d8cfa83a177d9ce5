package dev.partitionkeeper.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runway-end gauge for epoch and UUIDv7 keys: their axis values read back as instants (issue 16). */
class TableStateReaderKeysTest {
    static final TableName T = new TableName("public", "metrics");
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    static CatalogSnapshot snap(KeyType type, long from, long to) {
        return new CatalogSnapshot(
                T, "ts", type, List.of(new PartitionInfo("public", "p", from, to, false, false, -1)), 0, 0, 0);
    }

    @Test
    void epochMillisRunwayEndsAtItsUpperBound() {
        long from = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2026-03-03T00:00:00Z").toEpochMilli();

        assertEquals(
                Instant.parse("2026-03-03T00:00:00Z"),
                TableStateReader.runwayEnd(snap(KeyType.EPOCH_MILLIS, from, to), ZoneOffset.UTC, NOW));
        assertNull(TableStateReader.runwayEnd(snap(KeyType.EPOCH_MILLIS, to, to + 1000), ZoneOffset.UTC, NOW));
    }

    @Test
    void uuidRunwayEndsAtItsUpperBound() {
        long from = KeyAxis.micros(Instant.parse("2026-03-01T00:00:00Z"));
        long to = KeyAxis.micros(Instant.parse("2026-03-02T00:00:00Z"));

        assertEquals(
                Instant.parse("2026-03-02T00:00:00Z"),
                TableStateReader.runwayEnd(snap(KeyType.UUID, from, to), ZoneOffset.UTC, NOW));
    }
}

package dev.partitionkeeper.workflows.plan;

import static dev.partitionkeeper.workflows.plan.Snapshots.TRANSACTIONS;
import static dev.partitionkeeper.workflows.plan.Snapshots.day;
import static dev.partitionkeeper.workflows.plan.Snapshots.defaultPartition;
import static dev.partitionkeeper.workflows.plan.Snapshots.pendingDetach;
import static dev.partitionkeeper.workflows.plan.Snapshots.range;
import static dev.partitionkeeper.workflows.plan.Snapshots.snapshot;
import static dev.partitionkeeper.workflows.plan.Snapshots.withDefaultRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayoutVerifierTest {
    static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
    /** Monthly, premake 2. */
    static final TablePolicy POLICY =
            TablePolicy.of(TRANSACTIONS, PartitionInterval.MONTHLY).withPremake(2);

    static final PartitionInfo FEB = range("p2026_02", "2026-02-01", "2026-03-01");
    static final PartitionInfo MAR = range("p2026_03", "2026-03-01", "2026-04-01");
    static final PartitionInfo APR = range("p2026_04", "2026-04-01", "2026-05-01");
    static final PartitionInfo MAY = range("p2026_05", "2026-05-01", "2026-06-01");

    @Test
    void healthyLayout() {
        LayoutReport r = LayoutVerifier.verify(snapshot(FEB, MAR, APR, MAY, defaultPartition()), POLICY, NOW);

        assertEquals(new LayoutReport(true, 2, "2026-06-01", 4, 0, List.of()), r);
    }

    @Test
    void shortRunway() {
        LayoutReport r = LayoutVerifier.verify(snapshot(MAR, APR), POLICY, NOW);

        assertFalse(r.ok());
        assertEquals(1, r.runwayPartitions());
        assertEquals("2026-05-01", r.runwayEnd());
        assertEquals(List.of("runway is 1 partition, premake wants 2"), r.problems());
    }

    @Test
    void noRunwayAtAll() {
        LayoutReport r = LayoutVerifier.verify(snapshot(MAR), POLICY, NOW);

        assertEquals(0, r.runwayPartitions());
        assertEquals("none", r.runwayEnd());
        assertEquals(List.of("runway is 0 partitions, premake wants 2"), r.problems());
    }

    @Test
    void gapBetweenPartitions() {
        PartitionInfo dec = range("p2025_12", "2025-12-01", "2026-01-01");

        LayoutReport r = LayoutVerifier.verify(snapshot(dec, FEB, MAR, APR, MAY), POLICY, NOW);

        assertFalse(r.ok());
        assertEquals(
                List.of("no partition covers [2026-01-01, 2026-02-01); rows there go to the default partition or fail"),
                r.problems());
    }

    @Test
    void rowsInTheDefaultPartition() {
        CatalogSnapshot snap =
                withDefaultRows(snapshot(MAR, APR, MAY, defaultPartition()), 7, day("2026-08-01"), day("2026-08-03"));

        LayoutReport r = LayoutVerifier.verify(snap, POLICY, NOW);

        assertFalse(r.ok());
        assertEquals(7, r.defaultRows());
        assertEquals(
                List.of("default partition holds 7 rows (created_at from 2026-08-01 to 2026-08-03)"), r.problems());
    }

    @Test
    void currentPeriodNotCovered() {
        LayoutReport r = LayoutVerifier.verify(snapshot(FEB, APR, MAY), POLICY, NOW);

        assertFalse(r.ok());
        assertEquals(2, r.runwayPartitions(), "runway counts future periods only");
        assertTrue(
                r.problems()
                        .contains("the current monthly period [2026-03-01, 2026-04-01) is not covered by a partition"),
                r.problems()::toString);
    }

    @Test
    void currentPeriodCoveredByTwoPartitionsIsFine() {
        PartitionInfo firstHalf = range("march_a", day("2026-03-01"), day("2026-03-16"));
        PartitionInfo secondHalf = range("march_b", day("2026-03-16"), day("2026-04-01"));

        LayoutReport r = LayoutVerifier.verify(snapshot(firstHalf, secondHalf, APR, MAY), POLICY, NOW);

        assertTrue(r.ok(), r.problems()::toString);
    }

    @Test
    void pendingDetachIsAProblemAndNotPartOfTheLayout() {
        PartitionInfo old = pendingDetach("transactions_p2025_10", day("2025-10-01"), day("2025-11-01"));

        LayoutReport r = LayoutVerifier.verify(snapshot(old, MAR, APR, MAY), POLICY, NOW);

        assertEquals(List.of("detach of transactions_p2025_10 is still pending"), r.problems());
        assertEquals(3, r.partitions());
    }
}

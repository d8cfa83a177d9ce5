package dev.partitionkeeper.activities.archive.iceberg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** The partition spec mirrors the PostgreSQL interval: a time transform, or truncate for steps of integer ids. */
class IcebergSpecTest {
    static final Schema IDS = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
    static final Schema TIMES = new Schema(Types.NestedField.required(1, "at", Types.TimestampType.withZone()));

    static TablePolicy policy(PartitionInterval interval) {
        return new TablePolicy(
                new TableName("public", "events"),
                interval,
                2,
                null,
                "UTC",
                DefaultPartitionMode.NONE,
                RetentionAction.ARCHIVE,
                TablePolicy.DEFAULT_DROP_GRACE_DAYS);
    }

    @Test
    void integerIdsInStepsOfKeyValuesAreTruncatedByTheStep() {
        PartitionSpec spec =
                IcebergSchemas.spec(IDS, "id", ValueKind.INT64, policy(PartitionInterval.steps(1_000_000)));

        assertEquals(1, spec.fields().size());
        assertEquals("truncate[1000000]", spec.fields().get(0).transform().toString());
    }

    @Test
    void aStepTooWideForTruncateLeavesTheTableUnpartitioned() {
        PartitionSpec spec =
                IcebergSchemas.spec(IDS, "id", ValueKind.INT64, policy(PartitionInterval.steps(10_000_000_000L)));

        assertFalse(spec.isPartitioned());
    }

    @Test
    void aDailyTimestampKeyIsPartitionedByDay() {
        PartitionSpec spec = IcebergSchemas.spec(TIMES, "at", ValueKind.TIMESTAMPTZ, policy(PartitionInterval.DAILY));

        assertEquals("day", spec.fields().get(0).transform().toString());
    }
}

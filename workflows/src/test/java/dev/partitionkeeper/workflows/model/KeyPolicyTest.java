package dev.partitionkeeper.workflows.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Policies for integer, epoch and UUIDv7 keys: what parses, and the specific error for what does not. */
class KeyPolicyTest {
    static final TableName T = new TableName("public", "orders");

    static TablePolicy policy(String interval, String retention, KeyEncoding encoding, String column) {
        return new TablePolicy(
                T,
                PartitionInterval.parse(interval),
                4,
                retention == null ? null : Retention.parse(retention),
                "UTC",
                DefaultPartitionMode.KEEP,
                RetentionAction.DETACH_ONLY,
                7,
                null,
                encoding,
                column);
    }

    @Test
    void aStepOfKeyValuesParsesAndPrints() {
        PartitionInterval i = PartitionInterval.parse("1000000");
        assertTrue(i.isValueStep());
        assertEquals(1_000_000, i.step());
        assertEquals("1000000", i.name());
        assertEquals(i, PartitionInterval.parse(" 1000000 "));
        assertEquals(PartitionInterval.steps(5_000_000_000L), PartitionInterval.parse("5000000000"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5"})
    void aStepOfZeroOrLessIsRefused(String step) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PartitionInterval.parse(step));
        assertEquals(
                "interval for an integer key must be a step of at least 1 key value such as 1000000 (each partition"
                        + " then holds 1000000 ids), got: " + step,
                e.getMessage());
    }

    @Test
    void retentionInKeyValues() {
        Retention r = Retention.parse("50000000");
        assertTrue(r.isValues());
        assertEquals(50_000_000, r.amount());
        assertEquals("50000000", r.toString());
        assertEquals(r, policy("1000000", "50000000", null, null).retention());
    }

    @Test
    void retentionByColumnNeedsATimeRetention() {
        TablePolicy p = policy("1000000", "90 days", null, "created_at");
        assertEquals("created_at", p.retentionColumn());

        IllegalArgumentException none =
                assertThrows(IllegalArgumentException.class, () -> policy("1000000", "90 days", null, null));
        assertTrue(
                none.getMessage()
                        .contains("name the timestamp column whose age decides (retention_column:" + " created_at)"),
                none.getMessage());

        IllegalArgumentException values =
                assertThrows(IllegalArgumentException.class, () -> policy("1000000", "50000000", null, "created_at"));
        assertTrue(
                values.getMessage().contains("counts key values, so retention_column created_at has nothing to do"),
                values.getMessage());

        IllegalArgumentException onTime =
                assertThrows(IllegalArgumentException.class, () -> policy("daily", "90 days", null, "created_at"));
        assertTrue(
                onTime.getMessage()
                        .startsWith("retention_column created_at for public.orders is for integer" + " keys"),
                onTime.getMessage());

        IllegalArgumentException without =
                assertThrows(IllegalArgumentException.class, () -> policy("1000000", null, null, "created_at"));
        assertTrue(without.getMessage().contains("needs a retention such as \"90 days\""), without.getMessage());
    }

    @Test
    void keyValueRetentionNeedsAnIntegerKeyAndAtLeastOnePartition() {
        IllegalArgumentException onTime =
                assertThrows(IllegalArgumentException.class, () -> policy("monthly", "50000000", null, null));
        assertTrue(
                onTime.getMessage().startsWith("retention 50000000 for public.orders is a number of key values"),
                onTime.getMessage());
        IllegalArgumentException small =
                assertThrows(IllegalArgumentException.class, () -> policy("1000000", "999", null, null));
        assertTrue(small.getMessage().contains("fewer key values than one partition"), small.getMessage());
    }

    @Test
    void keyEncodingIsForTimeIntervalsOnBigintKeys() {
        assertEquals(KeyEncoding.EPOCH_NANOS, KeyEncoding.parse("epoch_nanos"));
        assertEquals(
                KeyEncoding.EPOCH_MILLIS,
                policy("1 hour", null, KeyEncoding.EPOCH_MILLIS, null).keyEncoding());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> KeyEncoding.parse("millis"));
        assertEquals(
                "key_encoding must be epoch_seconds, epoch_millis, epoch_micros or epoch_nanos, got: \"millis\"",
                bad.getMessage());
        IllegalArgumentException step = assertThrows(
                IllegalArgumentException.class, () -> policy("1000000", null, KeyEncoding.EPOCH_SECONDS, null));
        assertTrue(
                step.getMessage()
                        .startsWith("key_encoding epoch_seconds for public.orders partitions the key by" + " time"),
                step.getMessage());
        IllegalArgumentException onTimestamp = assertThrows(
                IllegalArgumentException.class,
                () -> KeyEncoding.apply(KeyEncoding.EPOCH_MILLIS, KeyType.TIMESTAMP, "public.orders", "at"));
        assertTrue(onTimestamp.getMessage().contains("remove key_encoding"), onTimestamp.getMessage());
        assertEquals(
                KeyType.EPOCH_MICROS,
                KeyEncoding.apply(KeyEncoding.EPOCH_MICROS, KeyType.BIGINT, "public.orders", "at"));
    }

    @Test
    void numericKeysNeedScaleZero() {
        assertEquals(KeyType.NUMERIC, KeyType.fromSqlName("numeric(20,0)"));
        assertEquals(null, KeyType.fromSqlName("numeric(10,2)"));
        assertEquals(
                "a numeric key must have no fraction: declare it numeric(p,0) (e.g. numeric(20,0)) or bigint, since"
                        + " partitions split whole key values; got numeric(10,2)",
                KeyType.refusal("numeric(10,2)"));
    }

    @Test
    void anIdTablesPartitionNameTemplateNamesTheLowerBoundWithK() {
        IllegalArgumentException time = assertThrows(
                IllegalArgumentException.class,
                () -> TablePolicy.of(T, PartitionInterval.steps(1000)).withPartitionName("%t_%Y"));
        assertTrue(time.getMessage().contains("has the field %Y"), time.getMessage());
        assertTrue(time.getMessage().contains("%k (the partition's lower bound)"), time.getMessage());
        IllegalArgumentException alike = assertThrows(
                IllegalArgumentException.class,
                () -> TablePolicy.of(T, PartitionInterval.steps(1000)).withPartitionName("%t_ids"));
        assertTrue(alike.getMessage().contains("names every partition alike: include %k"), alike.getMessage());
        IllegalArgumentException onTime = assertThrows(
                IllegalArgumentException.class,
                () -> TablePolicy.of(T, PartitionInterval.DAILY).withPartitionName("%t_%k"));
        assertTrue(onTime.getMessage().contains("unknown field %k"), onTime.getMessage());

        PartitionNameTemplate names = PartitionNameTemplate.ofValues("%t_%k", T);

        assertEquals(T.table() + "_2000000", names.expandValues(T, 2_000_000));
        assertEquals(T.table() + "_m1000", names.expandValues(T, -1000));
        assertEquals(
                "%t_%k",
                TablePolicy.of(T, PartitionInterval.steps(1000))
                        .withPartitionName("%t_%k")
                        .partitionName());
    }
}

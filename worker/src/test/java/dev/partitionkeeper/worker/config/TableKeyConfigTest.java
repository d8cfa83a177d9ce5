package dev.partitionkeeper.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.model.KeyEncoding;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Integer-id, epoch and UUIDv7 keys in the worker's file: {@code key_encoding}, {@code retention_column} (issue 16). */
class TableKeyConfigTest {

    static TablePolicy one(String entry) {
        return WorkerConfig.parse("policy.yaml", "tables:\n  - table: orders\n" + entry, Map.of())
                .tables()
                .get(0);
    }

    @Test
    void anIntegerKeyByStepsWithRetentionByKeyValues() {
        TablePolicy p = one("    interval: 1000000\n    retention: 50000000\n");

        assertEquals(PartitionInterval.steps(1_000_000), p.interval());
        assertEquals(new Retention(50_000_000, Retention.Unit.VALUES), p.retention());
    }

    @Test
    void anIntegerKeyWithRetentionByATimeColumn() {
        TablePolicy p = one("    interval: 1000000\n    retention: 90 days\n    retention_column: created_at\n");

        assertEquals("created_at", p.retentionColumn());
        assertEquals(Retention.parse("90 days"), p.retention());
    }

    @Test
    void anEpochKey() {
        TablePolicy p = one("    interval: 1 hour\n    key_encoding: epoch_millis\n");

        assertEquals(KeyEncoding.EPOCH_MILLIS, p.keyEncoding());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "interval: 0 | tables[0] (public.orders): interval for an integer key must be a step of at least 1 key"
                        + " value such as 1000000 (each partition then holds 1000000 ids), got: 0",
                "interval: daily\\n    key_encoding: epoch_minutes | tables[0] (public.orders): key_encoding must be"
                        + " epoch_seconds, epoch_millis, epoch_micros or epoch_nanos, got: \"epoch_minutes\"",
                "interval: 1000\\n    retention: 90 days | tables[0] (public.orders): retention 90 days for public.orders"
                        + " is a time, but its key is partitioned by a step of key values (interval 1000); name the"
                        + " timestamp column whose age decides (retention_column: created_at), or keep a number of"
                        + " key values (e.g. retention: 50000000)",
            })
    void badKeySettingsAreNamedWithTheirTable(String entry, String problem) {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> WorkerConfig.parse(
                        "policy.yaml",
                        "tables:\n  - table: orders\n    " + entry.replace("\\n", "\n") + "\n",
                        Map.of()));

        assertEquals(List.of(problem), e.problems());
    }

    @Test
    void theNewKeysAreKnown() {
        assertTrue(TablePolicyParser.KEYS.containsAll(List.of("key_encoding", "retention_column")));
    }
}

package dev.partitionkeeper.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code archive_retention} in the worker's file (issue 17): read as retention is, refused naming the table. */
class ArchiveRetentionConfigTest {

    static TablePolicy one(String entry) {
        return WorkerConfig.parse(
                        "policy.yaml", "archive:\n  location: /tmp/a\ntables:\n  - table: events\n" + entry, Map.of())
                .tables()
                .get(0);
    }

    @Test
    void anyTimeTheRetentionParserAccepts() {
        String base = "    interval: monthly\n    retention: 12 months\n    retention_action: archive_and_drop\n";
        assertEquals(
                Retention.parse("7 years"),
                one(base + "    archive_retention: 7 years\n").archiveRetention());
        assertEquals(
                Retention.parse("400 days"),
                one(base + "    archive_retention: 400 days\n").archiveRetention());
        assertNull(one(base).archiveRetention(), "archives are kept forever by default");
        assertEquals(
                Retention.parse("2 years"),
                one("    interval: monthly\n    retention: 12 months\n    retention_action: archive\n"
                                + "    archive_retention: 2 years\n")
                        .archiveRetention());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "retention: 12 months\\n    retention_action: archive_and_drop\\n    archive_retention: 7 yeers"
                        + "|tables[0] (public.events): archive_retention must be a number of days, weeks, months or"
                        + " years such as \"12 months\", got: \"7 yeers\"",
                "retention: 12 months\\n    archive_retention: 7 years|tables[0] (public.events): archive_retention 7"
                        + " years for public.events deletes old partitions from the archive, but retention_action"
                        + " detach_only archives nothing; use retention_action archive or archive_and_drop, or remove"
                        + " archive_retention",
                "retention: 12 months\\n    retention_action: archive\\n    archive_retention: 6 months"
                        + "|tables[0] (public.events): archive_retention 6 months for public.events must be longer"
                        + " than retention 12 months: a partition is deleted from the archive only after it left the"
                        + " database (e.g. retention: 12 months, archive_retention: 7 years)",
            })
    void badArchiveRetentionIsNamedWithItsTable(String entry, String problem) {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> WorkerConfig.parse(
                        "policy.yaml",
                        "tables:\n  - table: events\n    interval: monthly\n    " + entry.replace("\\n", "\n") + "\n",
                        Map.of()));
        assertEquals(List.of(problem), e.problems());
    }

    @Test
    void anIntegerKeyIsRefused() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> WorkerConfig.parse(
                        "policy.yaml",
                        "tables:\n  - table: orders\n    interval: 1000000\n    retention: 90 days\n"
                                + "    retention_column: created_at\n    retention_action: archive_and_drop\n"
                                + "    archive_retention: 7 years\n",
                        Map.of()));
        assertEquals(
                List.of("tables[0] (public.orders): archive_retention 7 years for public.orders ages archives by the"
                        + " time of their key's upper bound, but the key is partitioned by a step of key values"
                        + " (interval 1000000); archive_retention is for time keys only, so remove it"),
                e.problems());
    }
}

package dev.partitionkeeper.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.partitionkeeper.workflows.model.PartitionInterval;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code interval:} in the worker's file: the named intervals and any whole number of a unit (issue 16). */
class TableIntervalConfigTest {

    static String yaml(String interval) {
        return "tables:\n  - table: events\n    interval: " + interval + "\n";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1 hour     | 1 hour",
                "6 hours    | 6 hours",
                "15 minutes | 15 minutes",
                "3 days     | 3 days",
                "2 weeks    | 2 weeks",
                "monthly    | monthly",
                "1 day      | daily",
            })
    void anyWholeNumberOfAUnit(String interval, String label) {
        PartitionInterval parsed = WorkerConfig.parse("policy.yaml", yaml(interval), Map.of())
                .tables()
                .get(0)
                .interval();

        assertEquals(label, parsed.label());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0 hours      | tables[0] (public.events): interval \"0 hours\" must be at least 1 hour (e.g. \"6 hours\")",
                "1.5 hours    | tables[0] (public.events): interval \"1.5 hours\" must be a whole number of hours (e.g."
                        + " \"6 hours\"), got: \"1.5\"",
                "7 fortnights | tables[0] (public.events): interval \"7 fortnights\" has an unknown unit \"fortnights\"; the"
                        + " units are minutes, hours, days, weeks, months and years (e.g. \"2 weeks\")",
            })
    void badIntervalsAreNamedWithTheirTable(String interval, String problem) {
        ConfigException e =
                assertThrows(ConfigException.class, () -> WorkerConfig.parse("policy.yaml", yaml(interval), Map.of()));

        assertEquals(List.of(problem), e.problems());
    }
}

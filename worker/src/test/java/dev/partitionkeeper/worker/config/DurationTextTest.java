package dev.partitionkeeper.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({"100ms, 100", "5s, 5000", "2m, 120000", "1h, 3600000", "7d, 604800000", "' 250 MS ', 250", "0s, 0"})
    void parsesWhatPeopleWrite(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), DurationText.parse("maintenance.lock_timeout", text));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "fast", "100", "1.5s", "-5s", "5 minutes", "1w", "10000000000ms"})
    void rejectsAnythingElseNamingKeyValueAndExamples(String text) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> DurationText.parse("maintenance.lock_max_wait", text));
        assertTrue(
                e.getMessage().startsWith("maintenance.lock_max_wait must be a duration such as \"100ms\""),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("got: \"" + text + "\""), e.getMessage());
    }

    @Test
    void nullIsRejectedToo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationText.parse("k", null));
        assertTrue(e.getMessage().endsWith("got: \"null\""), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"100ms", "1500ms", "5s", "90s", "2m", "1h", "36h", "7d", "0ms"})
    void formatUsesTheLargestExactUnitAndRoundTrips(String text) {
        assertEquals(text, DurationText.format(DurationText.parse("k", text)));
    }
}

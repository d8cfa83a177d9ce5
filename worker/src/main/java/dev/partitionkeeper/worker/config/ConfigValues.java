package dev.partitionkeeper.worker.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Reading one setting of a section: its label for messages, and durations and numbers with every problem collected. */
public final class ConfigValues {
    private ConfigValues() {}

    /** {@code maintenance.lock_timeout}, or {@code maintenance.lock_timeout (from PK_MAINTENANCE_LOCK_TIMEOUT)}. */
    public static String label(String key, Map<String, String> fromEnv) {
        String envName = fromEnv.get(key);
        return envName == null ? key : key + " (from " + envName + ")";
    }

    /** The duration at {@code key}, {@code dflt} when unset; a bad value adds a problem and gives {@code dflt}. */
    public static Duration duration(
            Map<String, String> flat, Map<String, String> fromEnv, String key, Duration dflt, List<String> problems) {
        return parsed(flat, key, dflt, problems, v -> DurationText.parse(label(key, fromEnv), v));
    }

    /**
     * The whole number at {@code key}, {@code dflt} when unset; a bad value adds a problem and gives {@code dflt}.
     * The example in the message is the default, but at least 2: a default of 0 or 1 (automatic, one at a time)
     * would read as a poor example of a count.
     */
    public static int integer(
            Map<String, String> flat, Map<String, String> fromEnv, String key, int dflt, List<String> problems) {
        return parsed(flat, key, dflt, problems, v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(label(key, fromEnv) + " must be a whole number such as "
                        + Math.max(dflt, 2) + ", got: \"" + v + "\"");
            }
        });
    }

    /** {@code parse} of the value at {@code key}; {@code dflt} when unset, or when it refuses (its message a problem). */
    private static <T> T parsed(
            Map<String, String> flat, String key, T dflt, List<String> problems, Function<String, T> parse) {
        String v = flat.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return parse.apply(v);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return dflt;
        }
    }
}

package dev.partitionkeeper.worker.config;

import dev.partitionkeeper.worker.metrics.MetricsSettings;
import dev.partitionkeeper.worker.schedule.ScheduleSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Every key the configuration file knows, taken from the classes that read them: the sections with their keys,
 * and the keys of a {@code tables:} entry. {@link ConfigSource} reads the file by this registry, the "unknown
 * key" messages list it, and ConfigurationDocTest checks that docs/configuration.md has a row for each key.
 */
public final class ConfigKeys {
    /** The top-level key of the policy, the one that is no section of settings. */
    public static final String TABLES = "tables";

    /** Section -> its keys, in the order of docs/configuration.md. */
    private static final Map<String, Set<String>> SECTIONS = bySection();

    private ConfigKeys() {}

    private static Map<String, Set<String>> bySection() {
        Map<String, Set<String>> s = new LinkedHashMap<>();
        s.put("postgres", PostgresSection.KEYS);
        s.put("temporal", TemporalSection.KEYS);
        s.put("maintenance", MaintenanceSection.KEYS);
        s.put("metrics", MetricsSettings.KEYS);
        s.put("archive", ArchiveSettings.KEYS);
        s.put("schedule", ScheduleSettings.KEYS);
        return Collections.unmodifiableMap(s);
    }

    /** Section name -> the keys it may hold. */
    public static Map<String, Set<String>> sections() {
        return SECTIONS;
    }

    /** The keys of one {@code tables:} entry. */
    public static Set<String> tableKeys() {
        return TablePolicyParser.KEYS;
    }

    /** The keys of one {@code databases:} entry (a fleet). */
    public static Set<String> databaseKeys() {
        return FleetSection.ENTRY_KEYS;
    }

    /** {@code tables}, {@code databases} and the sections: every key allowed at the top of the file. */
    static List<String> topLevel() {
        return Stream.concat(
                        Stream.concat(Stream.of(TABLES), SECTIONS.keySet().stream()), Stream.of(FleetSection.DATABASES))
                .toList();
    }

    /** "known keys: a, b, c" for an "unknown key" message, sorted so the reader finds a near miss. */
    static String known(Set<String> keys) {
        return "known keys: " + String.join(", ", keys.stream().sorted().toList());
    }
}

package dev.partitionkeeper.worker.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The configuration file as read: its {@code tables:} list, and the sections' values flattened to
 * {@code section.key -> value} with the {@code PK_SECTION_KEY} environment overrides applied. It remembers which
 * variable set a value, so a bad one names where it came from. Keys are checked against {@link ConfigKeys}.
 *
 * @param flat {@code section.key -> value}, what the sections' {@code from(...)} factories read
 * @param fromEnv {@code section.key -> the environment variable that set it}
 * @param tables the {@code tables:} node; null when the file has none
 * @param databases the {@code databases:} node (a fleet); null when the file has none
 */
record ConfigSource(Map<String, String> flat, Map<String, String> fromEnv, JsonNode tables, JsonNode databases) {

    /**
     * Reads {@code yaml}; unknown keys and values that are not single values go to {@code problems}.
     *
     * @throws ConfigException when the text is no YAML mapping at all: nothing else can be checked then
     */
    static ConfigSource read(String source, String yaml, Map<String, String> env, List<String> problems) {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        JsonNode root;
        try {
            root = mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null
                            ? ""
                            : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(source, List.of("the file must be a mapping with a 'tables:' list"));
        }
        Map<String, Set<String>> sections = ConfigKeys.sections();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals(ConfigKeys.TABLES) && !k.equals(FleetSection.DATABASES) && !sections.containsKey(k)) {
                problems.add(
                        "unknown top-level key '" + k + "'; known keys: " + String.join(", ", ConfigKeys.topLevel()));
            }
        }
        Map<String, String> flat = new LinkedHashMap<>();
        Map<String, String> fromEnv = new LinkedHashMap<>();
        for (var section : sections.entrySet()) {
            if (!readSection(root.get(section.getKey()), section.getKey(), section.getValue(), flat, problems)) {
                continue;
            }
            for (String key : section.getValue()) {
                String name = section.getKey() + "." + key;
                String envName = envName(name);
                if (env.containsKey(envName)) {
                    flat.put(name, env.get(envName));
                    fromEnv.put(name, envName);
                }
            }
        }
        return new ConfigSource(flat, fromEnv, root.get(ConfigKeys.TABLES), root.get(FleetSection.DATABASES));
    }

    /** Adds the section's values to {@code flat}; false when it is no mapping, so it has no values to override. */
    private static boolean readSection(
            JsonNode node, String section, Set<String> keys, Map<String, String> flat, List<String> problems) {
        if (node == null || node.isNull()) {
            return true;
        }
        if (!node.isObject()) {
            problems.add(section + " must be a mapping");
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!keys.contains(e.getKey())) {
                problems.add("unknown key '" + e.getKey() + "' in " + section + "; " + ConfigKeys.known(keys));
            } else if (!e.getValue().isValueNode()) {
                problems.add(section + "." + e.getKey() + " must be a single value");
            } else {
                flat.put(section + "." + e.getKey(), e.getValue().asText());
            }
        }
        return true;
    }

    /** {@code maintenance.lock_timeout -> PK_MAINTENANCE_LOCK_TIMEOUT}: upper case, dots and dashes as underscores. */
    static String envName(String key) {
        return "PK_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Whether the file lists no table: {@code tables:} missing, null or an empty list. */
    boolean noTables() {
        return tables == null || tables.isNull() || tables.isArray() && tables.isEmpty();
    }
}

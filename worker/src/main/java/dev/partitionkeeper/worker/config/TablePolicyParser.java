package dev.partitionkeeper.worker.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.KeyEncoding;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePattern;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@code tables:} list: one {@link TablePolicy} per entry. Every bad field is reported, prefixed with the
 * entry it belongs to ({@code tables[1] (public.events): ...}); an entry with any problem is left out.
 */
final class TablePolicyParser {
    /** The keys of one entry. */
    static final Set<String> KEYS = Set.of(
            "table",
            "interval",
            "premake",
            "retention",
            "timezone",
            "default_partition",
            "retention_action",
            "drop_grace",
            "partition_name",
            "key_encoding",
            "retention_column",
            "database",
            "archive_retention");

    private static final String EXAMPLE = "tables: [{table: public.events, interval: monthly}]";
    private static final long DAY_MILLIS = 86_400_000;

    private final List<String> problems;
    private final List<FleetSection.Listed> listed = new ArrayList<>();

    private TablePolicyParser(List<String> problems) {
        this.problems = problems;
    }

    /** The policies of {@code node} (the {@code tables:} value, null when missing); problems go to {@code problems}. */
    static List<TablePolicy> parse(JsonNode node, List<String> problems) {
        if (node == null || node.isNull()) {
            problems.add("'tables:' is missing: list at least one table, e.g. " + EXAMPLE);
            return List.of();
        }
        if (!node.isArray()) {
            problems.add("'tables:' must be a list of tables (each line starting with '- '), e.g. " + EXAMPLE
                    + ", got: " + (node.isObject() ? "a mapping" : "\"" + node.asText() + "\""));
            return List.of();
        }
        if (node.isEmpty()) {
            problems.add("'tables:' is empty: list at least one table, e.g. " + EXAMPLE);
            return List.of();
        }
        return new TablePolicyParser(problems).entries(node);
    }

    private List<TablePolicy> entries(JsonNode node) {
        List<TablePolicy> out = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < node.size(); i++) {
            TablePolicy p = entry(node.get(i), i, seen);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** Entry {@code i}, or null when it has any problem; {@code seen} holds the tables listed before it. */
    private TablePolicy entry(JsonNode t, int i, Map<String, Integer> seen) {
        String where = "tables[" + i + "]";
        if (!t.isObject()) {
            problems.add(where + " must be a mapping with at least table and interval");
            return null;
        }
        TableName name = name(t, where);
        if (name != null) {
            where = where + " (" + name + ")";
        }
        int before = problems.size();
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                problems.add(where + ": unknown key '" + k + "'; " + ConfigKeys.known(KEYS));
            }
        }
        PartitionInterval interval = parsed(where, () -> PartitionInterval.parse(text(t, "interval")), null);
        int premake = premake(t, where);
        String rt = text(t, "retention");
        Retention retention = rt == null ? null : parsed(where, () -> Retention.parse(rt), null);
        String art = text(t, "archive_retention");
        Retention archiveRetention = art == null ? null : parsed(where, () -> archiveRetention(art), null);
        String tz = timezone(t, where);
        DefaultPartitionMode dpm = !t.has("default_partition")
                ? DefaultPartitionMode.KEEP
                : parsed(
                        where,
                        () -> DefaultPartitionMode.parse(text(t, "default_partition")),
                        DefaultPartitionMode.KEEP);
        RetentionAction ra = !t.has("retention_action")
                ? RetentionAction.DETACH_ONLY
                : parsed(where, () -> RetentionAction.parse(text(t, "retention_action")), RetentionAction.DETACH_ONLY);
        if (ra != RetentionAction.DETACH_ONLY && retention == null && rt == null) {
            problems.add(where + ": retention_action " + ra.label() + " needs a retention (e.g. retention: 12 months)");
        }
        int grace = dropGrace(t, where);
        KeyEncoding encoding =
                !t.has("key_encoding") ? null : parsed(where, () -> KeyEncoding.parse(text(t, "key_encoding")), null);
        String database = text(t, "database");
        // a fleet's table is one per database: the same table under another database: selector is no duplicate
        String key = (database == null ? "" : database + "/") + name;
        if (name != null && seen.containsKey(key)) {
            problems.add(where + ": duplicate table, already listed as tables[" + seen.get(key) + "]");
        } else if (name != null) {
            String clash = FleetSection.clash(name, database, listed);
            if (clash != null) {
                problems.add(where + ": " + clash);
            }
            seen.put(key, i);
            listed.add(new FleetSection.Listed(i, name, database));
        }
        if (name == null || interval == null) {
            return null;
        }
        // built even when another field is bad, so cross-field rules (retention vs interval) are reported too
        boolean clean = problems.size() == before && tz != null;
        String zone = tz == null ? TablePolicy.DEFAULT_TIMEZONE : tz;
        TablePolicy policy = parsed(
                where,
                () -> new TablePolicy(
                        name,
                        interval,
                        premake,
                        retention,
                        zone,
                        dpm,
                        ra,
                        grace,
                        text(t, "partition_name"),
                        encoding,
                        text(t, "retention_column"),
                        database,
                        archiveRetention),
                null);
        return clean ? policy : null;
    }

    /** {@code archive_retention} is read as retention is; its errors name archive_retention. */
    private static Retention archiveRetention(String text) {
        try {
            return Retention.parse(text);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith("retention") ? "archive_" + m : m, e);
        }
    }

    private TableName name(JsonNode t, String where) {
        String tableText = text(t, "table");
        if (tableText == null) {
            problems.add(where + ": table is required (e.g. table: public.events)");
            return null;
        }
        try {
            if (TablePattern.isPattern(tableText)) {
                return TablePattern.parse(tableText);
            }
            TableName name = TableName.parse(tableText, "public");
            if (TablePattern.isPattern(name)) {
                // a * is a pattern's wildcard; a listed table holding one would be taken for a pattern
                problems.add(where + ": table: a table whose name holds a * cannot be listed, got: " + tableText);
                return null;
            }
            return name;
        } catch (IllegalArgumentException e) {
            problems.add(where + ": table: " + e.getMessage());
            return null;
        }
    }

    private int premake(JsonNode t, String where) {
        JsonNode pm = t.get("premake");
        if (pm == null) {
            return TablePolicy.DEFAULT_PREMAKE;
        }
        if (!pm.isInt()) {
            problems.add(where + ": premake must be a whole number of partitions of at least 1 such as 3, got: \""
                    + pm.asText() + "\"");
        } else if (pm.asInt() < 1) {
            problems.add(where + ": premake must be at least 1 (partitions kept ahead of now, e.g. premake: 3), got: "
                    + pm.asInt());
        } else if (pm.asInt() > TablePolicy.MAX_PREMAKE) {
            problems.add(where + ": premake must be at most " + TablePolicy.MAX_PREMAKE + " (partitions kept ahead of"
                    + " now, e.g. premake: 3; each one is a table), got: " + pm.asInt());
        } else {
            return pm.asInt();
        }
        return TablePolicy.DEFAULT_PREMAKE;
    }

    /** The zone, or null (with a problem) when it is none. */
    private String timezone(JsonNode t, String where) {
        String tz = t.has("timezone") ? text(t, "timezone") : TablePolicy.DEFAULT_TIMEZONE;
        try {
            ZoneId.of(tz);
            return tz;
        } catch (DateTimeException | NullPointerException e) {
            problems.add(where + ": timezone must be an IANA zone such as UTC or Europe/Berlin, got: \"" + tz + "\"");
            return null;
        }
    }

    private int dropGrace(JsonNode t, String where) {
        if (!t.has("drop_grace")) {
            return TablePolicy.DEFAULT_DROP_GRACE_DAYS;
        }
        String text = text(t, "drop_grace");
        return parsed(
                where,
                () -> {
                    Duration g = DurationText.parse("drop_grace", text);
                    if (g.toMillis() % DAY_MILLIS != 0) {
                        throw new IllegalArgumentException(
                                "drop_grace must be whole days such as \"7d\" or \"0d\", got: \"" + text + "\"");
                    }
                    return (int) g.toDays();
                },
                TablePolicy.DEFAULT_DROP_GRACE_DAYS);
    }

    /** {@code parse}'s value; when it refuses, its message as a problem of the entry, and {@code dflt}. */
    private <T> T parsed(String where, Supplier<T> parse, T dflt) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
            return dflt;
        }
    }

    private static String text(JsonNode obj, String key) {
        JsonNode n = obj.get(key);
        return n == null || n.isNull() ? null : n.asText();
    }
}

package dev.partitionkeeper.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of broken configuration files: it takes a valid file (every section, two tables) and
 * applies one mutation that must make it invalid: a required key deleted, a value of the wrong type, a bad
 * interval or duration, a negative or huge number, an unknown key, unicode where a keyword belongs, a
 * duplicate, broken YAML. Each case carries the words its error must contain (the key, the value), so a
 * generic "invalid" fails the test. The same seed gives the same cases: a failure prints the seed and
 * the case number to replay it. Longer than 500 lines on purpose: most of it is the table of mutations, data
 * that reads best in one place.
 */
final class PolicyMutations {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** The valid file every case starts from; {@code %s} is the archive location. */
    static final String BASE = """
      postgres:
        url: jdbc:postgresql://localhost:5432/app
        user: partition_keeper
        pool_size: 8
      temporal:
        task_queue: partition-keeper
        table_parallelism: 1
        max_concurrent_activities: 0
        shutdown_grace: 30s
      maintenance:
        lock_timeout: 100ms
        lock_wait_older_than: 5ms
        lock_max_wait: 5m
        lock_attempts: 20
        archive_schema: partition_archive
        bookkeeping_schema: partition_keeper
      metrics:
        enabled: true
        address: 127.0.0.1
        port: 9464
        gauge_refresh: 60s
        gauge_max_age: 15s
      archive:
        location: /srv/archive
        s3_part_size_mb: 16
        max_file_size_mb: 1024
        zstd_level: 3
        s3_path_style: false
      schedule:
        at: "02:00"
        days: mon-fri
        timezone: UTC
        jitter: 0s
        catchup_window: 6h
        pause_on_failure: false
      tables:
        - table: public.transactions
          interval: monthly
          premake: 3
          retention: 12 months
          timezone: UTC
          default_partition: keep
          retention_action: archive_and_drop
          drop_grace: 7d
        - table: billing."Billing Events"
          interval: daily
          premake: 4
      """;

    /**
     * One broken file.
     *
     * @param what the mutation, for the failure message
     * @param yaml the file
     * @param expected every one of these must be in the error
     * @param mayBeValid true only for cuts that can leave a complete, valid file (truncation)
     */
    record Case(int number, String what, String yaml, List<String> expected, boolean mayBeValid) {
        @Override
        public String toString() {
            return "case " + number + ": " + what + "; expected in the error: " + expected;
        }
    }

    /** A key and values each of which is wrong for it. */
    private record Bad(String section, String key, Object... values) {}

    private static final String HUGE_NUMBER = "99999999999999999999999";
    private static final String LONG_TEXT = "x".repeat(5000);

    // values chosen because each breaks one rule: type, sign, range, unit, spelling, unicode
    private static final List<Bad> TABLE_VALUES = List.of(
            new Bad(
                    null,
                    "interval",
                    "montly",
                    "12 moths",
                    "",
                    "MONTHLY!!",
                    "m\u00f6nthly",
                    "0 months",
                    "-1",
                    // a bare whole number is a step of key values for an integer key (issue 16): valid in the file
                    12.5,
                    true,
                    list("monthly"),
                    map("every", "month"),
                    "monthly; DROP TABLE x",
                    "\u0645\u0627\u0647\u0627\u0646\u0647"),
            new Bad(
                    null,
                    "premake",
                    "three",
                    "3.5",
                    -1,
                    0,
                    HUGE_NUMBER,
                    2147483648L,
                    1_000_000,
                    true,
                    list(3),
                    "",
                    "\u0663",
                    3.5),
            new Bad(
                    null,
                    "retention",
                    "12 moths",
                    "twelve months",
                    "-12 months",
                    "0 months",
                    "12",
                    "months",
                    "12 months ago",
                    "1 day",
                    "99999999999 years",
                    "2147483647 years",
                    "\u0661\u0662 months",
                    "12\u00a0months",
                    list("12 months"),
                    map("months", 12),
                    "",
                    12,
                    "1.5 years",
                    "12 months 3 days"),
            new Bad(
                    null,
                    "timezone",
                    "Mars/Olympus",
                    "",
                    "UTC+99",
                    "Europe/B\u00e9rlin",
                    5,
                    list("UTC"),
                    "../../etc/passwd"),
            new Bad(null, "default_partition", "maybe", "", "CREATE!", 1, true, list("keep")),
            new Bad(null, "retention_action", "archive_and_burn", "", "drop", 0, list("archive")),
            new Bad(
                    null,
                    "drop_grace",
                    "7 days",
                    "-1d",
                    "1.5d",
                    "12h",
                    "99999999999d",
                    "3000000000d",
                    "d",
                    7,
                    "",
                    list("7d"),
                    "\u0667d"),
            new Bad(
                    null,
                    "table",
                    "",
                    "a.b.c",
                    "public.",
                    ".x",
                    "x; drop table y",
                    "\"unterminated",
                    "t".repeat(64),
                    list("public.x"),
                    map("schema", "public"),
                    42,
                    "public.\"\""));

    private static final List<Bad> SECTION_VALUES = List.of(
            new Bad("postgres", "url", "mysql://localhost/app", "jdbc:postgres://x/y", list("jdbc:postgresql://x/y")),
            new Bad("postgres", "pool_size", 1, 0, -4, "eight", HUGE_NUMBER, 1_000_000, 2.5, list(8)),
            new Bad("temporal", "task_queue", "", list("q"), LONG_TEXT),
            new Bad("temporal", "table_parallelism", 0, -1, "two", HUGE_NUMBER, 1_000_000),
            new Bad("temporal", "max_concurrent_activities", -1, "many", HUGE_NUMBER),
            new Bad("temporal", "shutdown_grace", "soon", "-1s", "30", "1.5m", "99999999999999999d"),
            new Bad("maintenance", "lock_timeout", "fast", "-5s", "5", "1.5s", "99999999999999999d", "", "100\u00b5s"),
            new Bad("maintenance", "lock_wait_older_than", "soon", "-1ms", "ms"),
            new Bad("maintenance", "lock_max_wait", "forever", "-5m", "5x", HUGE_NUMBER + "d"),
            new Bad("maintenance", "lock_attempts", 0, -1, "many", HUGE_NUMBER, 2.5),
            new Bad("maintenance", "archive_schema", "", "a".repeat(64), list("x")),
            new Bad("maintenance", "bookkeeping_schema", "", "b".repeat(64), map("x", 1)),
            new Bad("metrics", "enabled", "ja", "2", list(true), "yes please"),
            new Bad("metrics", "port", -1, 70_000, "http", HUGE_NUMBER, 2.5),
            new Bad("metrics", "gauge_refresh", "0s", "fast", "-1s"),
            new Bad("metrics", "gauge_max_age", "-1s", "stale"),
            new Bad("archive", "zstd_level", 0, 23, -1, "max", HUGE_NUMBER),
            new Bad("archive", "s3_part_size_mb", 4, 5121, "big", -16),
            new Bad("archive", "max_file_size_mb", 0, -1, HUGE_NUMBER, "1GB"),
            new Bad("archive", "s3_path_style", "yes", 1, "vrai"),
            new Bad("archive", "location", "ftp://host/x", "s3://", "file://"),
            new Bad("archive", "work_dir", "/tmp/a\u0000b"),
            // a blank at, days or cron means unset (so PK_SCHEDULE_AT="" can clear it next to a cron): not a case
            new Bad("schedule", "at", "25:00", "2am", "02:00:99", "\u0660\u0662:00"),
            new Bad("schedule", "days", "someday", "mon-funday", "8"),
            new Bad("schedule", "timezone", "Mars/Olympus", ""),
            new Bad("schedule", "jitter", "-1s", "13h", "random"),
            new Bad("schedule", "catchup_window", "1s", "-6h", "late"),
            new Bad("schedule", "mode", "sometimes", ""),
            new Bad("schedule", "pause_on_failure", "perhaps", 2));

    private static final String[] UNKNOWN_KEYS = {
        "retension",
        "pr\u00e9make",
        "Premake",
        "premake ",
        "\ud83d\ude42",
        "interval_days",
        "x".repeat(300),
        "DROP TABLE"
    };

    private final long seed;
    private final Random random;
    private final String base;

    PolicyMutations(long seed, String archiveLocation) {
        this.seed = seed;
        this.random = new Random(seed);
        this.base = BASE.replace("/srv/archive", archiveLocation);
    }

    long seed() {
        return seed;
    }

    String base() {
        return base;
    }

    /** Every bad value of the catalogues once (so none is left to chance), then {@code random} seeded mutations. */
    List<Case> cases(int random) {
        List<Case> out = new ArrayList<>();
        try {
            for (Bad b : TABLE_VALUES) {
                for (Object v : b.values) {
                    out.add(tableValue(out.size(), b, v));
                }
            }
            for (Bad b : SECTION_VALUES) {
                for (Object v : b.values) {
                    out.add(sectionValue(out.size(), b, v));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < random; i++) {
            out.add(next(out.size()));
        }
        return out;
    }

    private Case next(int i) {
        int kind = random.nextInt(100);
        try {
            if (kind < 15) {
                return tableValue(i);
            } else if (kind < 30) {
                return sectionValue(i);
            } else if (kind < 45) {
                return deleteRequired(i);
            } else if (kind < 60) {
                return unknownKey(i);
            } else if (kind < 70) {
                return wrongShape(i);
            } else if (kind < 78) {
                return duplicate(i);
            } else if (kind < 89) {
                return truncate(i);
            } else {
                return brokenText(i);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode tree() throws IOException {
        return (ObjectNode) YAML.readTree(base);
    }

    private static String write(JsonNode root) throws IOException {
        return YAML.writeValueAsString(root);
    }

    private <T> T pick(List<T> xs) {
        return xs.get(random.nextInt(xs.size()));
    }

    private Object pick(Object[] xs) {
        return xs[random.nextInt(xs.length)];
    }

    private Case tableValue(int i) throws IOException {
        Bad b = pick(TABLE_VALUES);
        return tableValue(i, b, pick(b.values));
    }

    private Case tableValue(int i, Bad b, Object v) throws IOException {
        ObjectNode root = tree();
        int t = b.key.equals("drop_grace") || b.key.equals("retention_action") || b.key.equals("retention")
                ? 0
                : random.nextInt(2);
        ((ObjectNode) root.get("tables").get(t)).set(b.key, node(v));
        return new Case(i, "tables[" + t + "]." + b.key + " = " + show(v), write(root), expected(b.key, v), false);
    }

    private Case sectionValue(int i) throws IOException {
        Bad b = pick(SECTION_VALUES);
        return sectionValue(i, b, pick(b.values));
    }

    private Case sectionValue(int i, Bad b, Object v) throws IOException {
        ObjectNode root = tree();
        ((ObjectNode) root.get(b.section)).set(b.key, node(v));
        return new Case(
                i, b.section + "." + b.key + " = " + show(v), write(root), expected(b.section + "." + b.key, v), false);
    }

    private Case deleteRequired(int i) throws IOException {
        ObjectNode root = tree();
        switch (random.nextInt(5)) {
            case 0 -> {
                root.remove("tables");
                return new Case(i, "no tables", write(root), List.of("'tables:' is missing"), false);
            }
            case 1 -> {
                int t = random.nextInt(2);
                ((ObjectNode) root.get("tables").get(t)).remove("table");
                return new Case(
                        i,
                        "tables[" + t + "] without table",
                        write(root),
                        List.of("tables[" + t + "]", "table is required"),
                        false);
            }
            case 2 -> {
                int t = random.nextInt(2);
                ((ObjectNode) root.get("tables").get(t)).remove("interval");
                return new Case(
                        i,
                        "tables[" + t + "] without interval",
                        write(root),
                        List.of("tables[" + t + "]", "interval"),
                        false);
            }
            case 3 -> {
                ((ObjectNode) root.get("tables").get(0)).remove("retention");
                return new Case(
                        i,
                        "archive_and_drop without retention",
                        write(root),
                        List.of("public.transactions", "needs a retention"),
                        false);
            }
            default -> {
                root.remove("archive");
                return new Case(
                        i,
                        "archive_and_drop without archive",
                        write(root),
                        List.of("public.transactions", "needs archive.location"),
                        false);
            }
        }
    }

    private Case unknownKey(int i) throws IOException {
        ObjectNode root = tree();
        String key = (String) pick(UNKNOWN_KEYS);
        List<String> sections = List.of(
                "<top>",
                "postgres",
                "temporal",
                "maintenance",
                "metrics",
                "archive",
                "schedule",
                "tables[0]",
                "tables[1]");
        String where = pick(sections);
        ObjectNode target = where.equals("<top>")
                ? root
                : where.startsWith("tables")
                        ? (ObjectNode) root.get("tables").get(where.charAt(7) - '0')
                        : (ObjectNode) root.get(where);
        target.set(key, node(pick(new Object[] {"3", 3, true, list("a"), map("k", "v")})));
        return new Case(
                i, "unknown key '" + key + "' in " + where, write(root), List.of("unknown", "'" + key + "'"), false);
    }

    private Case wrongShape(int i) throws IOException {
        ObjectNode root = tree();
        switch (random.nextInt(4)) {
            case 0 -> {
                String s = pick(List.of("postgres", "temporal", "maintenance", "metrics", "archive", "schedule"));
                root.set(s, node(pick(new Object[] {"a string", 42, list("a", "b")})));
                return new Case(i, s + " is not a mapping", write(root), List.of(s + " must be a mapping"), false);
            }
            case 1 -> {
                Object v = pick(new Object[] {"public.transactions", 7, map("table", "public.x")});
                root.set("tables", node(v));
                return new Case(i, "tables = " + show(v), write(root), List.of("'tables:' must be a list"), false);
            }
            case 2 -> {
                int t = random.nextInt(2);
                ((ArrayNode) root.get("tables")).set(t, node(pick(new Object[] {"public.transactions", 1, list("a")})));
                return new Case(
                        i,
                        "tables[" + t + "] is not a mapping",
                        write(root),
                        List.of("tables[" + t + "] must be a mapping"),
                        false);
            }
            default -> {
                ((ArrayNode) root.get("tables")).removeAll();
                return new Case(i, "tables is empty", write(root), List.of("'tables:'", "at least one table"), false);
            }
        }
    }

    private Case duplicate(int i) throws IOException {
        if (random.nextBoolean()) {
            ObjectNode root = tree();
            ArrayNode tables = (ArrayNode) root.get("tables");
            JsonNode copy = tables.get(random.nextInt(2)).deepCopy();
            tables.add(copy);
            return new Case(i, "a table listed twice", write(root), List.of("tables[2]", "duplicate table"), false);
        }
        // the same key twice in one mapping: YAML allows it, the file must not
        String key = pick(List.of("premake", "interval", "retention"));
        String line = "    " + key + ": ";
        int at = base.indexOf(line);
        int eol = base.indexOf('\n', at);
        String dup = base.substring(0, eol + 1) + base.substring(at, eol + 1) + base.substring(eol + 1);
        return new Case(i, "duplicate key " + key, dup, List.of(key), false);
    }

    private Case truncate(int i) {
        int cut = random.nextInt(base.length() - 1);
        return new Case(i, "cut after " + cut + " characters", base.substring(0, cut), List.of(), true);
    }

    private Case brokenText(int i) {
        String[] lines = base.split("\n", -1);
        switch (random.nextInt(5)) {
            case 0 -> {
                int l = 1 + random.nextInt(lines.length - 2);
                lines[l] = "\t" + lines[l];
                return new Case(
                        i,
                        "a tab indents line " + (l + 1),
                        String.join("\n", lines),
                        List.of("is not valid YAML", "(line "),
                        false);
            }
            case 1 -> {
                int l = 1 + random.nextInt(lines.length - 2);
                String indent = lines[l].substring(
                        0, lines[l].length() - lines[l].stripLeading().length());
                lines[l] = lines[l] + "\n" + indent + "bogus: [unclosed";
                return new Case(
                        i,
                        "an unclosed bracket after line " + (l + 1),
                        String.join("\n", lines),
                        List.of("is not valid YAML", "(line "),
                        false);
            }
            case 2 -> {
                String doc = pick(List.of(
                        "", "   \n", "# only a comment\n", "just a string\n", "- a\n- b\n", "42\n", "~\n", "null\n"));
                return new Case(
                        i, "the file is " + show(doc), doc, List.of("must be a mapping with a 'tables:' list"), false);
            }
            case 3 -> {
                int l = 1 + random.nextInt(lines.length - 2);
                lines[l] = lines[l] + "\u0000";
                return new Case(
                        i,
                        "a NUL byte on line " + (l + 1),
                        String.join("\n", lines),
                        List.of("is not valid YAML"),
                        false);
            }
            default -> {
                int l = 1 + random.nextInt(lines.length - 2);
                lines[l] = lines[l].replaceFirst(":", "");
                String text = String.join("\n", lines);
                // a line without its colon is a plain scalar where a key was expected
                return new Case(i, "line " + (l + 1) + " lost its colon", text, List.of(), true);
            }
        }
    }

    /** The error names the key and, for a short printable text, the value as written. */
    private static List<String> expected(String key, Object v) {
        List<String> out = new ArrayList<>();
        out.add(key);
        if (v instanceof String s
                && !s.isBlank()
                && s.length() < 100
                && s.chars().allMatch(c -> c >= ' ')) {
            out.add(s.trim());
        } else if (v instanceof Number n && !(v instanceof Double)) {
            out.add(n.toString());
        }
        return out;
    }

    private static JsonNode node(Object v) {
        if (v instanceof JsonNode n) {
            return n;
        } else if (v instanceof String s) {
            // the huge number is written as a YAML number, not a string
            return s.equals(HUGE_NUMBER) ? F.numberNode(new BigInteger(s)) : F.textNode(s);
        } else if (v instanceof Integer n) {
            return F.numberNode(n);
        } else if (v instanceof Long n) {
            return F.numberNode(n);
        } else if (v instanceof Double d) {
            return F.numberNode(d);
        } else if (v instanceof Boolean b) {
            return F.booleanNode(b);
        }
        throw new IllegalArgumentException(String.valueOf(v));
    }

    private static ArrayNode list(Object... items) {
        ArrayNode a = F.arrayNode();
        for (Object o : items) {
            a.add(node(o));
        }
        return a;
    }

    private static ObjectNode map(String k, Object v) {
        ObjectNode o = F.objectNode();
        o.set(k, node(v));
        return o;
    }

    private static String show(Object v) {
        String s = v instanceof JsonNode n ? n.toString() : v instanceof String t ? "\"" + t + "\"" : String.valueOf(v);
        return s.length() > 60 ? s.substring(0, 60) + "…(" + s.length() + " chars)" : s;
    }

    /** Every key name of the base file, for errors of cuts (any of them may be the one named). */
    static List<String> keyNames() {
        List<String> out = new ArrayList<>(List.of("tables", "YAML", "mapping"));
        try {
            JsonNode root = YAML.readTree(BASE);
            for (Iterator<String> s = root.fieldNames(); s.hasNext(); ) {
                String section = s.next();
                out.add(section);
                JsonNode n = root.get(section);
                JsonNode obj = n.isArray() ? n.get(0) : n;
                obj.fieldNames().forEachRemaining(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}

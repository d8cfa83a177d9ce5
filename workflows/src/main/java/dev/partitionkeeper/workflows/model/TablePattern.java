package dev.partitionkeeper.workflows.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A {@code table:} entry that names many tables: {@code tenant_*.events} (the {@code events} table of every
 * {@code tenant_} schema), {@code public.*} (every range-partitioned table of {@code public}). {@code *} matches
 * any run of characters in one part; without a schema, {@code public}. Unquoted only, folded to lower case as SQL
 * folds names; the survey of each database matches it against the database's range-partitioned parents. Kept in a
 * {@link TableName} whose parts hold the {@code *}s, which no listed table's name may hold.
 */
public final class TablePattern {
    private TablePattern() {}

    /** Whether a table entry's text is a pattern: a {@code *} outside double quotes. */
    public static boolean isPattern(String text) {
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '*' && !quoted) {
                return true;
            }
        }
        return false;
    }

    /** Whether the policy's table is a pattern ({@link #parse}) still to be matched against a database. */
    public static boolean isPattern(TableName name) {
        return name.schema().indexOf('*') >= 0 || name.table().indexOf('*') >= 0;
    }

    /**
     * Parses {@code schema.table} with {@code *} wildcards.
     *
     * @throws IllegalArgumentException naming the input and the rule it breaks
     */
    public static TableName parse(String text) {
        String s = text.strip();
        List<String> parts = new ArrayList<>(List.of(s.split("\\.", -1)));
        if (parts.size() > 2 || parts.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("table pattern \"" + text
                    + "\" must be schema.table or table with * wildcards, e.g. tenant_*.events or public.*");
        }
        if (parts.size() == 1) {
            parts.add(0, "public");
        }
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i).toLowerCase(Locale.ROOT);
            for (char c : p.toCharArray()) {
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '*')) {
                    throw new IllegalArgumentException("table pattern \"" + text + "\" may hold only letters, digits,"
                            + " _, $ and * (no quotes), got '" + c + "'");
                }
            }
            parts.set(i, p);
        }
        return new TableName(parts.get(0), parts.get(1));
    }

    /** A pattern as written ({@code tenant_*.events}), a listed table as {@link TableName#toString()} quotes it. */
    public static String text(TableName name) {
        return isPattern(name) ? name.schema() + "." + name.table() : name.toString();
    }

    /** One part of a pattern as a {@code LIKE} pattern: {@code *} is {@code %}, the rest literal. */
    public static String like(String part) {
        StringBuilder sb = new StringBuilder();
        for (char c : part.toCharArray()) {
            switch (c) {
                case '*' -> sb.append('%');
                case '%', '_', '\\' -> sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Whether {@code table} is one the pattern names. */
    public static boolean matches(TableName pattern, TableName table) {
        return glob(pattern.schema(), table.schema()) && glob(pattern.table(), table.table());
    }

    private static boolean glob(String pattern, String text) {
        List<String> quoted = new ArrayList<>();
        for (String piece : pattern.split("\\*", -1)) {
            quoted.add(Pattern.quote(piece));
        }
        return Pattern.matches(String.join(".*", quoted), text);
    }
}

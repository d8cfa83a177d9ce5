package dev.partitionkeeper.workflows.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A schema-qualified table name, stored exactly as PostgreSQL stores it (case preserved, unquoted).
 * Always rendered through {@link #quoted()} in SQL, so names such as {@code "Billing Events"} work and
 * names carrying SQL never run as SQL.
 */
public record TableName(String schema, String table) {

    /** PostgreSQL's NAMEDATALEN - 1: longer identifiers are truncated by the server. */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    public TableName {
        if (schema == null || schema.isEmpty()) {
            throw new IllegalArgumentException("schema must not be empty");
        }
        if (table == null || table.isEmpty()) {
            throw new IllegalArgumentException("table must not be empty");
        }
    }

    /**
     * Parses a name the way PostgreSQL does: unquoted parts fold to lower case and may hold only
     * letters, digits, {@code _} and {@code $}; double-quoted parts are taken literally ({@code ""} is
     * a quote). Without a schema, {@code defaultSchema} is used.
     *
     * @throws IllegalArgumentException naming the input and the rule it breaks
     */
    public static TableName parse(String text, String defaultSchema) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("table name is empty");
        }
        List<String> parts = new ArrayList<>();
        int i = 0;
        String s = text.trim();
        while (true) {
            if (i >= s.length()) {
                throw new IllegalArgumentException(
                        "table name \"" + text + "\" ends with a dot; write it as schema.table, e.g. public.events");
            }
            StringBuilder part = new StringBuilder();
            if (s.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < s.length()) {
                    char c = s.charAt(i);
                    if (c == '"') {
                        if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                            part.append('"');
                            i += 2;
                            continue;
                        }
                        closed = true;
                        i++;
                        break;
                    }
                    part.append(c);
                    i++;
                }
                if (!closed) {
                    throw new IllegalArgumentException("table name " + text + " has an unclosed double quote");
                }
                if (part.length() == 0) {
                    throw new IllegalArgumentException("table name " + text + " has an empty quoted part");
                }
            } else {
                while (i < s.length() && s.charAt(i) != '.') {
                    char c = s.charAt(i);
                    boolean ok = Character.isLetter(c)
                            || c == '_'
                            || (part.length() > 0 && (Character.isDigit(c) || c == '$'));
                    if (!ok) {
                        throw new IllegalArgumentException(
                                "table name \"" + text + "\" is not a valid identifier: character '" + c
                                        + "' needs double quotes, e.g. public.\"Billing Events\"");
                    }
                    // PostgreSQL folds only ASCII letters in multi-byte encodings such as UTF8
                    part.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
                    i++;
                }
                if (part.length() == 0) {
                    throw new IllegalArgumentException("table name \"" + text + "\" has an empty part");
                }
            }
            parts.add(part.toString());
            if (i >= s.length()) {
                break;
            }
            if (s.charAt(i) != '.') {
                throw new IllegalArgumentException("table name " + text + " has text after a quoted identifier");
            }
            i++;
        }
        for (String p : parts) {
            if (p.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
                throw new IllegalArgumentException("identifier \"" + p + "\" in table name " + text
                        + " is longer than PostgreSQL's 63-byte limit");
            }
        }
        return switch (parts.size()) {
            case 1 -> new TableName(defaultSchema, parts.get(0));
            case 2 -> new TableName(parts.get(0), parts.get(1));
            default ->
                throw new IllegalArgumentException("table name " + text + " has " + parts.size()
                        + " parts; write it as schema.table, e.g. public.events");
        };
    }

    /** Quotes one identifier for SQL. */
    public static String quoteIdent(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** {@code "schema"."table"}, safe to splice into SQL. */
    public String quoted() {
        return quoteIdent(schema) + "." + quoteIdent(table);
    }

    /** The same table in another schema. */
    public TableName inSchema(String otherSchema) {
        return new TableName(otherSchema, table);
    }

    /** Readable form for logs, workflow IDs and the UI: quotes only where PostgreSQL needs them. */
    @Override
    public String toString() {
        return display(schema) + "." + display(table);
    }

    /** An identifier as PostgreSQL would need it written: bare when lower-case and plain, else double-quoted. */
    public static String display(String id) {
        return id.matches("[a-z_][a-z0-9_$]*") ? id : quoteIdent(id);
    }
}

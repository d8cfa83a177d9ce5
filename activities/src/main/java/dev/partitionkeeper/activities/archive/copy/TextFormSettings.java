package dev.partitionkeeper.activities.archive.copy;

import dev.partitionkeeper.activities.archive.column.ValueKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Session settings that make text forms ({@link ValueKind#TEXT_FORM}) the same whoever reads the table:
 * an array of timestamptz or an interval prints differently under another TimeZone or IntervalStyle, and
 * the checksum compares those texts. Applied with {@code SET LOCAL}, so they end with the transaction and
 * never leak into a pooled connection.
 */
public final class TextFormSettings {

    /** In the order they are applied; recorded in the manifest. */
    private static final Map<String, String> SETTINGS = settings();

    private static Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("TimeZone", "UTC");
        s.put("DateStyle", "ISO, YMD");
        s.put("IntervalStyle", "postgres");
        s.put("extra_float_digits", "1"); // shortest exact float text, as PostgreSQL 12+ prints by default
        s.put("bytea_output", "hex");
        return Collections.unmodifiableMap(s);
    }

    private TextFormSettings() {}

    /** Applies the settings for the rest of the current transaction (autocommit must be off). */
    public static void applyLocal(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (Map.Entry<String, String> e : SETTINGS.entrySet()) {
                // names and values are the constants above, never input
                st.execute("SET LOCAL " + e.getKey() + " = '" + e.getValue() + "'");
            }
        }
    }

    public static Map<String, String> asMap() {
        return SETTINGS;
    }
}

package dev.partitionkeeper.workflows.model;

/** The partition key column types partition-keeper manages. */
public enum KeyType {
    TIMESTAMPTZ("timestamp with time zone"),
    TIMESTAMP("timestamp without time zone"),
    DATE("date");

    private final String sqlName;

    KeyType(String sqlName) {
        this.sqlName = sqlName;
    }

    /** As {@code format_type()} prints it. */
    public String sqlName() {
        return sqlName;
    }

    /** Maps {@code format_type()} output; null for anything unsupported. */
    public static KeyType fromSqlName(String formatted) {
        if (formatted == null) {
            return null;
        }
        String f = formatted.replaceAll("\\(\\d+\\)", "");
        for (KeyType t : values()) {
            if (t.sqlName.equals(f)) {
                return t;
            }
        }
        return null;
    }
}

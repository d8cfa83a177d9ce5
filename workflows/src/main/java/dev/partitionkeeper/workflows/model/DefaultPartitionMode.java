package dev.partitionkeeper.workflows.model;

/** What the policy wants for the table's DEFAULT partition. */
public enum DefaultPartitionMode {
    /** Leave whatever exists: keep a default partition if there is one, do not create one. */
    KEEP,
    /** Make sure a default partition exists (created when missing). */
    CREATE,
    /** The table should have none: report one that exists (never dropped automatically: it may hold rows). */
    NONE;

    public static DefaultPartitionMode parse(String text) {
        if (text != null) {
            for (DefaultPartitionMode m : values()) {
                if (m.name().equalsIgnoreCase(text.trim())) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException(
                "default_partition must be one of keep, create, none, got: \"" + text + "\"");
    }
}

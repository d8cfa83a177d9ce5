package dev.partitionkeeper.workflows.model;

import java.util.Locale;

/** What happens to a partition older than the retention window. */
public enum RetentionAction {
    /** Detach it and move it to the archive schema; nothing else. */
    DETACH_ONLY,
    /** Detach, export to the archive store and verify; keep the detached table. */
    ARCHIVE,
    /** Detach, export, verify, and drop the detached table after the grace period. */
    ARCHIVE_AND_DROP;

    public static RetentionAction parse(String text) {
        if (text != null) {
            for (RetentionAction a : values()) {
                if (a.name().equalsIgnoreCase(text.trim())) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException(
                "retention_action must be one of detach_only, archive, archive_and_drop, got: \"" + text + "\"");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package dev.partitionkeeper.workflows.plan;

import java.util.Locale;

/** Something about a table's layout an operator should know; never an action. */
public record Finding(Kind kind, String message) {

    public enum Kind {
        /** Two consecutive partitions leave a range uncovered. */
        GAP,
        /** An existing partition overlaps a range the policy wants as one partition. */
        MISALIGNED,
        /** The DEFAULT partition holds rows. */
        DEFAULT_ROWS,
        /** Fewer future partitions than premake. */
        RUNWAY_SHORT,
        /** A detach was left pending by an interrupted run. */
        DETACH_PENDING,
        /** The table's DEFAULT partition disagrees with the policy. */
        DEFAULT_PARTITION,
        /** A partition's bound could not be read (infinity, BC, ...). */
        UNREADABLE_BOUND,
        /** An integer key without an index: each pass reads its newest non-empty partition to find the largest key. */
        KEY_UNINDEXED
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + ": " + message;
    }
}

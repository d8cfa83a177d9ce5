package dev.partitionkeeper.workflows.activity;

import java.util.List;

/**
 * The outcome of reading an archive back from its store and comparing it with its source table.
 *
 * @param ok true when every check passed; only then may the source be dropped
 * @param archive where the archive lives
 * @param sourceRows rows in the source table, -1 when it could not be read (see mismatches)
 * @param archiveRows rows read back from the archive's Parquet files, -1 when they could not be read
 * @param contentChecksum the checksum recomputed from the archive's rows, null when they could not be read
 * @param mismatches one line per difference, naming what differs and both values, e.g.
 *     {@code row count: source 1000, archive 999}; empty when ok
 */
public record VerifyResult(
        boolean ok,
        String archive,
        long sourceRows,
        long archiveRows,
        String contentChecksum,
        List<String> mismatches) {

    public VerifyResult {
        mismatches = mismatches == null ? List.of() : List.copyOf(mismatches);
    }

    /** The mismatches as one message, for a failure or an alert. */
    public String summary() {
        return ok
                ? "archive " + archive + " verified: " + archiveRows + " rows"
                : "archive " + archive + " does not match its source: " + String.join("; ", mismatches);
    }
}

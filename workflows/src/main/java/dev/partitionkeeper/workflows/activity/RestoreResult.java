package dev.partitionkeeper.workflows.activity;

import java.util.List;

/**
 * The outcome of loading an archive back into PostgreSQL.
 *
 * @param ok true when the table was created, loaded and its content checksum matches the manifest; when
 *     false nothing was committed (the table does not exist)
 * @param archive where the archive was read from
 * @param table the table restored into, as {@code schema.table}
 * @param rows rows loaded
 * @param contentChecksum the checksum recomputed from the restored table
 * @param mismatches one line per difference with the manifest; empty when ok
 */
public record RestoreResult(
        boolean ok, String archive, String table, long rows, String contentChecksum, List<String> mismatches) {

    public RestoreResult {
        mismatches = mismatches == null ? List.of() : List.copyOf(mismatches);
    }
}

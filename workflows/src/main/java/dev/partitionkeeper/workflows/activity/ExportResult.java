package dev.partitionkeeper.workflows.activity;

import java.util.List;

/**
 * What one partition export did.
 *
 * @param outcome {@link ActionResult#DONE}, or {@link ActionResult#ALREADY_DONE} when a complete archive
 *     (one with a manifest) was already there and nothing was read or written
 * @param archive where the archive lives, e.g. {@code s3://bucket/prefix/public/events/events_p2024_01/}
 * @param rows rows in the archive
 * @param bytes bytes of all Parquet files together
 * @param files Parquet files written ({@code part-00000.parquet}, ...)
 * @param contentChecksum order-independent checksum of the rows, as in the manifest
 * @param keyMin smallest partition key value in PostgreSQL text form, null for an empty partition
 * @param keyMax largest partition key value in PostgreSQL text form, null for an empty partition
 * @param textFormColumns columns stored as their PostgreSQL text form (arrays, unconstrained numeric, ...)
 * @param attempts passes over the table: more than 1 when a value (numeric NaN in a numeric(p,s) column, a
 *     timestamp Parquet cannot hold) forced a column to its text form and the export started over; 0 when
 *     the archive was already complete
 */
public record ExportResult(
        String outcome,
        String archive,
        long rows,
        long bytes,
        int files,
        String contentChecksum,
        String keyMin,
        String keyMax,
        List<String> textFormColumns,
        int attempts) {

    public ExportResult {
        textFormColumns = textFormColumns == null ? List.of() : List.copyOf(textFormColumns);
    }
}

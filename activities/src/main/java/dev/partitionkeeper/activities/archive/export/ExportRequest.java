package dev.partitionkeeper.activities.archive.export;

import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.workflows.model.TableName;

/**
 * Which partition to export and how to describe it.
 *
 * @param source where the rows are now, e.g. the detached partition in the archive schema
 * @param parent the partitioned table it belonged to; names the archive directory
 *     {@code <schema>/<table>/<partition>/}
 * @param partition the partition's name; the last level of the archive directory
 * @param boundFrom lower bound (inclusive) as text, e.g. {@code 2024-01-01 00:00:00+00}; recorded only
 * @param boundTo upper bound (exclusive) as text; recorded only
 * @param keyColumn the partition key column, whose min/max the manifest records
 */
public record ExportRequest(
        TableName source, TableName parent, String partition, String boundFrom, String boundTo, String keyColumn) {

    public ExportRequest {
        if (source == null || parent == null) {
            throw new IllegalArgumentException(
                    "export needs both the source table and its parent, got source=" + source + ", parent=" + parent);
        }
        if (partition == null || partition.isEmpty()) {
            throw new IllegalArgumentException("export needs the partition name, got: " + partition);
        }
        if (keyColumn == null || keyColumn.isEmpty()) {
            throw new IllegalArgumentException("export needs the partition key column, got: " + keyColumn);
        }
    }

    /** Where this partition's archive lives in the store. */
    public ArchiveLayout layout() {
        return ArchiveLayout.of(parent, partition);
    }
}

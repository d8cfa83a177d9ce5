/** The archived table's columns: catalog reads, the {@link dev.partitionkeeper.activities.archive.column.ValueKind} each maps to, and their Parquet names. */
package dev.partitionkeeper.activities.archive.column;

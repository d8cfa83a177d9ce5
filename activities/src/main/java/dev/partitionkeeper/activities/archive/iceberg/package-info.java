/**
 * {@code archive.format: iceberg}: one Apache Iceberg table per managed table, one snapshot per archived
 * partition, behind the same {@link dev.partitionkeeper.activities.archive.ArchiveFormat} contract as the
 * Parquet archive. The data files are written by our own Parquet writer (with Iceberg field ids, no Hadoop
 * runtime) and committed with the column metrics Iceberg reads from their footers; verify and restore read
 * them back through Iceberg's reader.
 */
package dev.partitionkeeper.activities.archive.iceberg;

/** Writing Parquet files column by column ({@link dev.partitionkeeper.activities.archive.parquet.ParquetPartWriter}) and reading them back. */
package dev.partitionkeeper.activities.archive.parquet;

/** Export: one partition to Parquet files and a manifest in a store. */
package dev.partitionkeeper.activities.archive.export;

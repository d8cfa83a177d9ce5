package dev.partitionkeeper.activities.archive.parquet;

import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;

/** A compressed data page waiting for its row group to be written. */
record Page(byte[] bytes, int uncompressedSize, int values, Statistics<?> stats, Encoding encoding) {}

package dev.partitionkeeper.activities.archive.manifest;

/**
 * One Parquet file of an archive, as the manifest lists it.
 *
 * @param name file name within the archive directory, e.g. {@code part-00000.parquet}
 * @param bytes size
 * @param sha256 lower-case hex SHA-256 of the file
 * @param rows rows in the file
 */
public record ArchiveFile(String name, long bytes, String sha256, long rows) {}

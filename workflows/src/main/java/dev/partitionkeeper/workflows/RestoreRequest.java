package dev.partitionkeeper.workflows;

/**
 * Input of a restore.
 *
 * @param location the archive's directory, e.g. {@code s3://bucket/prefix/public/events/events_p2024_01/}
 * @param into target table {@code schema.table}; null = the partition's own name in its parent's schema
 * @param attach attach the restored table back to its parent with the archived bounds
 */
public record RestoreRequest(String location, String into, boolean attach) {}

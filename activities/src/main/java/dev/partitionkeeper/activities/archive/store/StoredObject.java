package dev.partitionkeeper.activities.archive.store;

/**
 * One object as it was written to (or read from) a store.
 *
 * @param key the key relative to the store's root
 * @param size bytes
 * @param sha256 lower-case hex SHA-256 of the bytes
 */
public record StoredObject(String key, long size, String sha256) {}

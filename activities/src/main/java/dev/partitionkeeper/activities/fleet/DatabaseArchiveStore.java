package dev.partitionkeeper.activities.fleet;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One fleet database's part of the archive location: every key under {@code <database>/}, so
 * {@code tenant_1/public/events/events_p2026_01_01/manifest.json}. Shares the location's store, which it never
 * closes.
 */
public final class DatabaseArchiveStore implements ArchiveStore {
    private final ArchiveStore store;
    private final String prefix;

    /** @param database a name without {@code /}, {@code %} or control characters (the configuration checks it) */
    public DatabaseArchiveStore(ArchiveStore store, String database) {
        if (database.isEmpty() || database.chars().anyMatch(c -> c == '/' || c == '%' || c < 0x20)) {
            throw new IllegalArgumentException(
                    "a database's archive folder is its name, which must have no '/', '%' or control character, got: \""
                            + database + "\"");
        }
        this.store = store;
        this.prefix = database + "/";
    }

    @Override
    public String location() {
        return store.locationOf(prefix);
    }

    @Override
    public StoredObject put(String key, InputStream in) throws IOException {
        return store.put(prefix + key, in);
    }

    @Override
    public StoredObject put(String key, Path file) throws IOException {
        return store.put(prefix + key, file);
    }

    @Override
    public Path newLocalFile(String key, Path workDir) throws IOException {
        return store.newLocalFile(prefix + key, workDir);
    }

    @Override
    public StoredObject putFile(String key, Path file, long size, String sha256) throws IOException {
        return store.putFile(prefix + key, file, size, sha256);
    }

    @Override
    public InputStream open(String key) throws IOException {
        return store.open(prefix + key);
    }

    @Override
    public boolean exists(String key) throws IOException {
        return store.exists(prefix + key);
    }

    @Override
    public List<String> list(String keyPrefix) throws IOException {
        return store.list(prefix + keyPrefix).stream()
                .map(k -> k.substring(prefix.length()))
                .toList();
    }

    @Override
    public void delete(String key) throws IOException {
        store.delete(prefix + key);
    }

    @Override
    public Optional<Path> localFile(String key) {
        return store.localFile(prefix + key);
    }

    @Override
    public void close() {
        // the location's store is shared by every database and closed with the worker
    }
}

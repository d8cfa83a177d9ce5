package dev.partitionkeeper.activities.archive.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where archives live: a directory or an S3 bucket and prefix. Keys are relative, '/'-separated paths
 * below the store's root ({@link ArchiveKeys#check(String)}), such as
 * {@code public/events/events_p2024_01/part-00000.parquet}.
 *
 * <p>{@code put} is all-or-nothing: a reader sees the old object, no object, or the whole new one, never a
 * part of it. That is what lets the manifest, written last, mark an archive as complete.
 */
public interface ArchiveStore extends AutoCloseable {

    /** The root as a location string, e.g. {@code s3://bucket/prefix/} or {@code file:///var/archive/}. */
    String location();

    /** {@link #location()} followed by the key: where one object lives, for messages and results. */
    default String locationOf(String key) {
        String root = location();
        return root.endsWith("/") ? root + key : root + "/" + key;
    }

    /** Stores everything {@code in} yields under {@code key}, replacing any object there. Closes nothing. */
    StoredObject put(String key, InputStream in) throws IOException;

    /** Stores a local file under {@code key}. */
    default StoredObject put(String key, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return put(key, in);
        }
    }

    /**
     * A new, empty local file in which to write what {@link #putFile} will then store under {@code key}. By
     * default a temporary file in {@code workDir}; a store on a local filesystem makes it beside the key's
     * final name, so that {@code putFile} can rename it into place instead of copying it.
     */
    default Path newLocalFile(String key, Path workDir) throws IOException {
        return Files.createTempFile(workDir, "pk-export-", ".tmp");
    }

    /**
     * Stores a finished local file whose size and SHA-256 the caller computed while writing it, with the same
     * all-or-nothing guarantee as {@link #put(String, InputStream)}. The file may be moved into the store, so
     * it may be gone afterwards; the caller deletes it if it is still there. By default the file is read and
     * stored like any other, and the size and digest read back must equal the caller's.
     *
     * @throws IOException also when what was stored differs from what the caller wrote
     */
    default StoredObject putFile(String key, Path file, long size, String sha256) throws IOException {
        StoredObject stored = put(key, file);
        if (stored.size() != size || !stored.sha256().equals(sha256)) {
            throw new IOException("stored " + stored.size() + " bytes with SHA-256 " + stored.sha256() + " at "
                    + locationOf(key) + ", but " + size + " bytes with SHA-256 " + sha256 + " were written to " + file
                    + ": the local file changed while it was stored; run the export again");
        }
        return stored;
    }

    /** Opens an object for reading; {@link java.nio.file.NoSuchFileException} when it does not exist. */
    InputStream open(String key) throws IOException;

    boolean exists(String key) throws IOException;

    /** Keys of all objects whose key starts with {@code prefix}, sorted. */
    List<String> list(String prefix) throws IOException;

    /** Deletes an object; deleting a missing object is not an error. */
    void delete(String key) throws IOException;

    /**
     * The object as a local file when the store keeps it on a local or mounted filesystem, so readers can use
     * it in place instead of copying it; empty for remote stores.
     */
    default Optional<Path> localFile(String key) {
        return Optional.empty();
    }

    @Override
    default void close() throws IOException {}
}

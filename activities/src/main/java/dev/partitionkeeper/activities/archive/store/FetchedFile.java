package dev.partitionkeeper.activities.archive.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An archive file made readable as a local file, with the size and SHA-256 of the bytes the store
 * returned. A remote object is downloaded to a temporary file (deleted on close); a file in a
 * filesystem store is read in place. Either way the bytes come from the store, not from memory.
 */
public final class FetchedFile implements Closeable {

    private final Path path;
    private final long size;
    private final String sha256;
    private final boolean temporary;

    private FetchedFile(Path path, long size, String sha256, boolean temporary) {
        this.path = path;
        this.size = size;
        this.sha256 = sha256;
        this.temporary = temporary;
    }

    public static FetchedFile fetch(ArchiveStore store, String key, Path workDir) throws IOException {
        Optional<Path> local = store.localFile(key);
        if (local.isPresent()) {
            try (InputStream in = Files.newInputStream(local.get())) {
                Sha256.Copied c = Sha256.of(in);
                return new FetchedFile(local.get(), c.size(), c.sha256(), false);
            }
        }
        Path temp = Files.createTempFile(workDir, "pk-archive-", ".parquet");
        try (InputStream in = store.open(key);
                OutputStream out = Files.newOutputStream(temp)) {
            Sha256.Copied c = Sha256.copy(in, out);
            return new FetchedFile(temp, c.size(), c.sha256(), true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public long size() {
        return size;
    }

    public String sha256() {
        return sha256;
    }

    @Override
    public void close() throws IOException {
        if (temporary) {
            Files.deleteIfExists(path);
        }
    }
}

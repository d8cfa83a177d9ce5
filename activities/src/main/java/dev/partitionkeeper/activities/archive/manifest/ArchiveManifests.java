package dev.partitionkeeper.activities.archive.manifest;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/** Reads and writes {@code manifest.json} in a store. */
public final class ArchiveManifests {

    /** A manifest larger than this is not one of ours. */
    private static final int MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

    private ArchiveManifests() {}

    /**
     * The manifest, or empty when the archive has none (it is incomplete or absent).
     *
     * @throws InvalidManifestException when there is a manifest but it cannot be used
     */
    public static Optional<ArchiveManifest> read(ArchiveStore store, ArchiveLayout layout) throws IOException {
        String key = layout.manifestKey();
        byte[] bytes;
        try (InputStream in = store.open(key)) {
            bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw new InvalidManifestException(
                    store.locationOf(key) + " is larger than " + MAX_MANIFEST_BYTES
                            + " bytes: it is not an archive manifest",
                    null);
        }
        return Optional.of(ArchiveManifest.fromJson(bytes, store.locationOf(key)));
    }

    /** The manifest, or {@link ArchiveIncompleteException} when there is none. */
    public static ArchiveManifest require(ArchiveStore store, ArchiveLayout layout) throws IOException {
        return read(store, layout).orElseThrow(() -> new ArchiveIncompleteException(layout.locationIn(store)));
    }

    /** Writes the manifest, which marks the archive complete. */
    public static StoredObject write(ArchiveStore store, ArchiveLayout layout, ArchiveManifest manifest)
            throws IOException {
        return store.put(layout.manifestKey(), new ByteArrayInputStream(manifest.toJson()));
    }
}

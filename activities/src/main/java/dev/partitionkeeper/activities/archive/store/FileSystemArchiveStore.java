package dev.partitionkeeper.activities.archive.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An archive store in a local or network-mounted directory. Each object is written to a hidden temporary
 * file beside its final name, flushed to disk, then renamed over the final name in one atomic step, so a
 * crash leaves either the old object or the new one, plus at worst a {@code .*.tmp-*} file that the next
 * export of the same partition deletes. The exporter writes its Parquet files straight into such temporary
 * files ({@link #newLocalFile}) and {@link #putFile} only renames them: each file is written once.
 *
 * <p>Directories carry the identifiers' real names ({@code public/Billing Events/Billing Events 20261024/}):
 * each key segment is written through {@link ArchiveKeys#fileName}. Archives written before that kept the
 * percent-encoded key as the name ({@code Billing%20Events}); reads find those too ({@link #existing}).
 */
public final class FileSystemArchiveStore implements ArchiveStore {

    static final String TEMP_MARKER = ".tmp-";

    private final Path root;

    /** Uses {@code root} as the store's root, creating it when missing. */
    public FileSystemArchiveStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
    }

    public Path root() {
        return root;
    }

    @Override
    public String location() {
        return root.toUri().toString();
    }

    /** Where {@code key} is written: each segment under its real name. */
    private Path resolve(String key) {
        Path p = root;
        for (String segment : ArchiveKeys.check(key).split("/")) {
            p = p.resolve(ArchiveKeys.fileName(segment));
        }
        return p;
    }

    /** Where archives written before real names kept {@code key}: the percent-encoded key as the path. */
    private Path legacy(String key) {
        return root.resolve(ArchiveKeys.check(key));
    }

    /** Where {@code key} is to be read: under its real name, or where an older archive put it. */
    private Path existing(String key) {
        Path p = resolve(key);
        if (!Files.exists(p)) {
            Path old = legacy(key);
            if (Files.exists(old)) {
                return old;
            }
        }
        return p;
    }

    /**
     * The key of a file under the root. One rule reads both forms: an older archive's names are keys already (plain
     * characters and escapes), which {@link ArchiveKeys#segmentOfFileName} leaves as they are.
     */
    private String keyOf(Path file) {
        StringBuilder key = new StringBuilder();
        for (Path part : root.relativize(file)) {
            key.append(key.length() == 0 ? "" : "/").append(ArchiveKeys.segmentOfFileName(part.toString()));
        }
        return key.toString();
    }

    private static Path tempBeside(Path target) {
        return target.resolveSibling("." + target.getFileName() + TEMP_MARKER + UUID.randomUUID());
    }

    @Override
    public StoredObject put(String key, InputStream in) throws IOException {
        Path target = resolve(key);
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temp = tempBeside(target);
        try {
            Sha256.Copied copied;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(channel)) {
                copied = Sha256.copy(in, out);
                // the rename below must not be able to reach the disk before the data does
                channel.force(true);
            }
            moveIntoPlace(temp, target);
            syncDirectory(dir);
            return new StoredObject(key, copied.size(), copied.sha256());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A hidden temporary file beside {@code key}'s final name, as {@link #put} uses: a crash leaves it to be deleted. */
    @Override
    public Path newLocalFile(String key, Path workDir) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        return Files.createFile(tempBeside(target));
    }

    /**
     * A file from {@link #newLocalFile} for the same key is flushed to disk and renamed into place, without
     * reading it again: its size is checked, its digest is the writer's. Any other file is copied by {@link
     * #put(String, Path)} and its digest compared.
     */
    @Override
    public StoredObject putFile(String key, Path file, long size, String sha256) throws IOException {
        Path target = resolve(key);
        Path dir = target.getParent();
        String name = file.getFileName().toString();
        if (!dir.equals(file.toAbsolutePath().normalize().getParent())
                || !name.startsWith("." + target.getFileName() + TEMP_MARKER)) {
            return ArchiveStore.super.putFile(key, file, size, sha256);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (channel.size() != size) {
                throw new IOException(
                        file + " has " + channel.size() + " bytes but " + size + " were written to it: the"
                                + " local file changed before it was stored; run the export again");
            }
            // the rename below must not be able to reach the disk before the data does
            channel.force(true);
        }
        moveIntoPlace(file, target);
        syncDirectory(dir);
        return new StoredObject(key, size, sha256);
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException(
                    "the filesystem holding " + target.getParent() + " cannot rename files atomically ("
                            + e.getMessage() + "): use a local or NFS directory, or an S3 location",
                    e);
        }
    }

    /** Makes the rename durable. Linux allows fsync on a directory; other systems may refuse, which is fine. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: not every platform can open a directory as a channel
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        Path file = existing(key);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no archive object " + key + " in " + location());
        }
        return Files.newInputStream(file);
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(existing(key));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        TreeSet<String> keys = new TreeSet<>();
        // walk only the deepest directory the prefix names: listing one partition must not walk the whole root
        int slash = prefix.lastIndexOf('/');
        String dir = slash < 0 ? null : prefix.substring(0, slash);
        for (Path start : dir == null ? List.of(root) : List.of(resolve(dir), legacy(dir))) {
            if (!Files.isDirectory(start)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(start)) {
                files.filter(Files::isRegularFile).forEach(f -> {
                    String key = keyOf(f);
                    if (key.startsWith(prefix)) {
                        keys.add(key);
                    }
                });
            }
        }
        return new ArrayList<>(keys);
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(resolve(key));
        Files.deleteIfExists(legacy(key));
    }

    @Override
    public Optional<Path> localFile(String key) {
        Path file = existing(key);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    @Override
    public String toString() {
        return "FileSystemArchiveStore[" + root + "]";
    }
}

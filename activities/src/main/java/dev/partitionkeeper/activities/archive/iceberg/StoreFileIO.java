package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * Iceberg's {@link FileIO} over the archive's own store ({@link ArchiveStore}: S3 with the {@code archive:} S3
 * settings, credentials from the AWS chain), for a warehouse that is not on the local filesystem. Objects are
 * read through a local copy in {@code workDir} (deleted when the stream closes) and written to one, stored when
 * the stream closes.
 */
public final class StoreFileIO implements FileIO {

    private final ArchiveStore store;
    private final Path workDir;

    public StoreFileIO(ArchiveStore store, Path workDir) {
        this.store = store;
        this.workDir = workDir;
    }

    String key(String location) {
        String root = store.location().endsWith("/") ? store.location() : store.location() + "/";
        if (!location.startsWith(root)) {
            throw new IllegalArgumentException("Iceberg file " + location + " is outside the archive location " + root
                    + ": the table was created under another warehouse");
        }
        return location.substring(root.length());
    }

    @Override
    public InputFile newInputFile(String location) {
        return new StoreInputFile(location);
    }

    @Override
    public OutputFile newOutputFile(String location) {
        return new StoreOutputFile(location);
    }

    @Override
    public void deleteFile(String location) {
        try {
            store.delete(key(location));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes every object under {@code dir} (a location ending in {@code /}, so a sibling whose name extends the
     * directory's is not under it).
     *
     * @return the locations deleted
     */
    List<String> deleteUnder(String dir) throws IOException {
        if (!dir.endsWith("/")) {
            throw new IllegalArgumentException("not a directory location (no trailing /): " + dir);
        }
        String root = dir.substring(0, dir.length() - key(dir).length());
        List<String> deleted = new ArrayList<>();
        for (String k : store.list(key(dir))) {
            if (!k.endsWith("/")) { // a directory marker (S3Proxy's filesystem backend lists them) is no object
                store.delete(k);
                deleted.add(root + k);
            }
        }
        return deleted;
    }

    /** Stores a finished local file at {@code location} (the data files: no second local copy). */
    void put(Path local, String location) throws IOException {
        store.put(key(location), local);
    }

    private final class StoreInputFile implements InputFile {
        private final String location;
        private Path local;

        StoreInputFile(String location) {
            this.location = location;
        }

        private synchronized Path download() {
            if (local == null) {
                try {
                    Path tmp = Files.createTempFile(workDir, "pk-iceberg-read-", ".tmp");
                    try (InputStream in = store.open(key(location))) {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    }
                    local = tmp;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + location + ": " + e.getMessage(), e);
                }
            }
            return local;
        }

        @Override
        public long getLength() {
            try {
                return Files.size(download());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public SeekableInputStream newStream() {
            Path file = download();
            SeekableInputStream in =
                    org.apache.iceberg.Files.localInput(file.toFile()).newStream();
            return new SeekableInputStream() {
                @Override
                public long getPos() throws IOException {
                    return in.getPos();
                }

                @Override
                public void seek(long newPos) throws IOException {
                    in.seek(newPos);
                }

                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    in.close();
                    synchronized (StoreInputFile.this) {
                        Files.deleteIfExists(file);
                        local = null;
                    }
                }
            };
        }

        @Override
        public String location() {
            return location;
        }

        @Override
        public boolean exists() {
            try {
                return store.exists(key(location));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final class StoreOutputFile implements OutputFile {
        private final String location;

        StoreOutputFile(String location) {
            this.location = location;
        }

        @Override
        public PositionOutputStream create() {
            return createOrOverwrite();
        }

        @Override
        public PositionOutputStream createOrOverwrite() {
            try {
                Path tmp = Files.createTempFile(workDir, "pk-iceberg-write-", ".tmp");
                PositionOutputStream out =
                        org.apache.iceberg.Files.localOutput(tmp.toFile()).createOrOverwrite();
                return new PositionOutputStream() {
                    private boolean closed;

                    @Override
                    public long getPos() throws IOException {
                        return out.getPos();
                    }

                    @Override
                    public void write(int b) throws IOException {
                        out.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        if (closed) {
                            return;
                        }
                        closed = true;
                        out.close();
                        try {
                            store.put(key(location), tmp);
                        } finally {
                            Files.deleteIfExists(tmp);
                        }
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + location + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String location() {
            return location;
        }

        @Override
        public InputFile toInputFile() {
            return newInputFile(location);
        }
    }
}

package dev.partitionkeeper.activities.archive.parquet;

import dev.partitionkeeper.activities.archive.store.Sha256;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A Parquet output file on local disk that computes its size and SHA-256 while Parquet writes it. Parquet
 * only appends (it never seeks back), so the digest of the stream is the digest of the file, and storing the
 * file does not have to read it again to hash it.
 */
public final class HashedOutputFile implements OutputFile {

    private static final int BUFFER_BYTES = 64 * 1024;

    private final Path path;
    private final MessageDigest md = Sha256.newDigest();
    private long size = -1;
    private String sha256;

    public HashedOutputFile(Path path) {
        this.path = path;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
        return open(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
        return open(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    private PositionOutputStream open(StandardOpenOption... options) throws IOException {
        // the digest sits below the buffer, so it is fed 64 KiB at a time, not Parquet's many small writes
        OutputStream out = new BufferedOutputStream(
                new DigestOutputStream(Files.newOutputStream(path, options), md), BUFFER_BYTES);
        return new PositionOutputStream() {
            private long pos;
            private boolean closed;

            @Override
            public long getPos() {
                return pos;
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                pos++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                pos += len;
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                out.close();
                size = pos;
                sha256 = Sha256.hex(md.digest());
            }
        };
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return path.toString();
    }

    public Path path() {
        return path;
    }

    /** Bytes written; only once the stream is closed. */
    public long size() {
        if (sha256 == null) {
            throw new IllegalStateException(path + " is still being written");
        }
        return size;
    }

    /** Lower-case hex SHA-256 of the bytes written; only once the stream is closed. */
    public String sha256() {
        if (sha256 == null) {
            throw new IllegalStateException(path + " is still being written");
        }
        return sha256;
    }
}

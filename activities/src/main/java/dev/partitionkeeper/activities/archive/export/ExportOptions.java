package dev.partitionkeeper.activities.archive.export;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the exporter writes Parquet. Immutable; build with {@link #newBuilder()}, where each setter rejects
 * an impossible value at once.
 *
 * @param maxFileBytes start a new {@code part-NNNNN.parquet} once the current one reaches this size
 * @param rowGroupBytes Parquet row group size: the memory the writer buffers before flushing to disk
 * @param pageBytes Parquet page size
 * @param zstdLevel ZSTD compression level, 1 (fastest) to 22 (smallest)
 * @param workDir where Parquet files are written before they are stored (one file at a time), unless the store
 *     has them written in place ({@link ArchiveStore#newLocalFile}: a filesystem store does)
 * @param progressEveryRows call {@link ProgressListener#onRows} after this many rows
 */
public record ExportOptions(
        long maxFileBytes, int rowGroupBytes, int pageBytes, int zstdLevel, Path workDir, long progressEveryRows) {

    public static final long DEFAULT_MAX_FILE_BYTES = 1024L * 1024 * 1024;
    /** 64 MiB: readers like large row groups; a 256 MB worker heap holds one with room to spare. */
    public static final int DEFAULT_ROW_GROUP_BYTES = 64 * 1024 * 1024;

    public static final int DEFAULT_PAGE_BYTES = 1024 * 1024;
    /**
     * ZSTD's fastest level. On the bench partition it writes 4 % more bytes than level 3 for about a fifth
     * less export CPU; still about a fifth smaller than {@code pg_dump -Fc} (bench/EXPORT.md).
     */
    public static final int DEFAULT_ZSTD_LEVEL = 1;

    public static final long DEFAULT_PROGRESS_EVERY_ROWS = 50_000;
    /** Smallest file size allowed: below this a file would hold little more than its footer. */
    public static final long MIN_FILE_BYTES = 16 * 1024;

    public ExportOptions {
        if (maxFileBytes < MIN_FILE_BYTES) {
            throw new IllegalArgumentException(
                    "maxFileBytes must be at least " + MIN_FILE_BYTES + ", got: " + maxFileBytes);
        }
        if (rowGroupBytes < 64 * 1024) {
            throw new IllegalArgumentException("rowGroupBytes must be at least 65536, got: " + rowGroupBytes);
        }
        if (pageBytes < 1024 || pageBytes > rowGroupBytes) {
            throw new IllegalArgumentException(
                    "pageBytes must be between 1024 and rowGroupBytes (" + rowGroupBytes + "), got: " + pageBytes);
        }
        if (zstdLevel < 1 || zstdLevel > 22) {
            throw new IllegalArgumentException("zstdLevel must be between 1 and 22, got: " + zstdLevel);
        }
        if (workDir == null) {
            throw new IllegalArgumentException("workDir must be set (default: java.io.tmpdir)");
        }
        if (progressEveryRows < 1) {
            throw new IllegalArgumentException("progressEveryRows must be at least 1, got: " + progressEveryRows);
        }
    }

    public static ExportOptions defaults() {
        return newBuilder().build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .maxFileBytes(maxFileBytes)
                .rowGroupBytes(rowGroupBytes)
                .pageBytes(pageBytes)
                .zstdLevel(zstdLevel)
                .workDir(workDir)
                .progressEveryRows(progressEveryRows);
    }

    /** Builder; each setter checks its value at once, {@link #build()} checks them together. */
    public static final class Builder {
        private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
        private int rowGroupBytes = DEFAULT_ROW_GROUP_BYTES;
        private int pageBytes = DEFAULT_PAGE_BYTES;
        private int zstdLevel = DEFAULT_ZSTD_LEVEL;
        private Path workDir = Path.of(System.getProperty("java.io.tmpdir"));
        private long progressEveryRows = DEFAULT_PROGRESS_EVERY_ROWS;

        private Builder() {}

        /** Default: {@link #DEFAULT_MAX_FILE_BYTES} (1 GiB). */
        public Builder maxFileBytes(long maxFileBytes) {
            if (maxFileBytes < MIN_FILE_BYTES) {
                throw new IllegalArgumentException(
                        "maxFileBytes must be at least " + MIN_FILE_BYTES + ", got: " + maxFileBytes);
            }
            this.maxFileBytes = maxFileBytes;
            return this;
        }

        /** Default: {@link #DEFAULT_ROW_GROUP_BYTES} (64 MiB). */
        public Builder rowGroupBytes(int rowGroupBytes) {
            if (rowGroupBytes < 64 * 1024) {
                throw new IllegalArgumentException("rowGroupBytes must be at least 65536, got: " + rowGroupBytes);
            }
            this.rowGroupBytes = rowGroupBytes;
            return this;
        }

        /** Default: {@link #DEFAULT_PAGE_BYTES} (1 MiB). */
        public Builder pageBytes(int pageBytes) {
            if (pageBytes < 1024) {
                throw new IllegalArgumentException("pageBytes must be at least 1024, got: " + pageBytes);
            }
            this.pageBytes = pageBytes;
            return this;
        }

        /** Default: 3. */
        public Builder zstdLevel(int zstdLevel) {
            if (zstdLevel < 1 || zstdLevel > 22) {
                throw new IllegalArgumentException("zstdLevel must be between 1 and 22, got: " + zstdLevel);
            }
            this.zstdLevel = zstdLevel;
            return this;
        }

        /** Default: {@code java.io.tmpdir}. Must be a writable directory. */
        public Builder workDir(Path workDir) {
            if (workDir == null || !Files.isDirectory(workDir)) {
                throw new IllegalArgumentException("workDir must be an existing directory, got: " + workDir);
            }
            this.workDir = workDir;
            return this;
        }

        /** Default: {@link #DEFAULT_PROGRESS_EVERY_ROWS}. */
        public Builder progressEveryRows(long progressEveryRows) {
            if (progressEveryRows < 1) {
                throw new IllegalArgumentException("progressEveryRows must be at least 1, got: " + progressEveryRows);
            }
            this.progressEveryRows = progressEveryRows;
            return this;
        }

        public ExportOptions build() {
            return new ExportOptions(
                    maxFileBytes,
                    rowGroupBytes,
                    Math.min(pageBytes, rowGroupBytes),
                    zstdLevel,
                    workDir,
                    progressEveryRows);
        }
    }
}

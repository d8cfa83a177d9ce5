package dev.partitionkeeper.activities.archive;

import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.IOException;
import java.sql.SQLException;

/**
 * What {@link ArchiveActivitiesImpl} asks of an archive format ({@code archive.format}): {@code parquet}
 * (Parquet files and our manifest, {@link ParquetArchiveFormat}) or {@code iceberg} (one Iceberg table per
 * managed table, {@code archive.iceberg.IcebergArchiveFormat}). The activities keep the bookkeeping, the
 * locks and the checks around each call; the format only writes, reads back and describes its archive.
 */
public interface ArchiveFormat extends AutoCloseable {

    /** Where a partition's archive is (or would be), for messages and the bookkeeping. */
    String location(TableName parent, String partition);

    /** True when a complete archive of the partition exists (export then has nothing to do). */
    boolean isComplete(TableName parent, String partition) throws IOException;

    /** Exports the partition unless a complete archive of it exists; never archives its rows twice. */
    ExportResult export(TablePolicy policy, ExportRequest request, ProgressListener listener)
            throws IOException, SQLException;

    /** Reads the archive back and compares it with {@code source}; a difference is a mismatch, not a throw. */
    VerifyResult verify(TablePolicy policy, String partition, TableName source) throws IOException, SQLException;

    /** The row count and content checksum the archive says it holds, checked again just before a drop. */
    Archived archived(TableName parent, String partition) throws IOException;

    /**
     * Deletes the partition's archive for {@code archive_retention}, touching nothing of any other partition.
     * Idempotent: killed at any point and called again it deletes what is left, and an archive already gone
     * answers with no files deleted.
     */
    Expired expire(TableName parent, String partition) throws IOException;

    /**
     * What {@link #expire} deleted.
     *
     * @param files data and metadata files deleted by this call (0 when the archive was already gone)
     * @param rows rows the archive held per its own record, -1 when it was already gone
     * @param detail for the report: what was deleted and where
     */
    record Expired(int files, long rows, String detail) {}

    /** What an archive holds, per its own record (the manifest, or the Iceberg snapshot's summary). */
    record Archived(long rows, String contentChecksum) {}

    /**
     * A refusal retrying does not cure (an incompatible schema change, a wrong catalog token): the step fails
     * as {@code failureType}, not retried, and the partition stays detached.
     */
    class Refused extends RuntimeException {
        private final String failureType;

        public Refused(String failureType, String message) {
            super(message);
            this.failureType = failureType;
        }

        public String failureType() {
            return failureType;
        }
    }

    @Override
    default void close() throws IOException {}
}

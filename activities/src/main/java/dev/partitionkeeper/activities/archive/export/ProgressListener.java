package dev.partitionkeeper.activities.archive.export;

import dev.partitionkeeper.activities.archive.store.StoredObject;
import java.util.List;

/**
 * Told how an export proceeds, so an activity can heartbeat. Any method may throw to abort the export,
 * which is also how tests simulate a worker killed at that point. All methods default to doing nothing.
 */
public interface ProgressListener {

    ProgressListener NONE = new ProgressListener() {};

    /**
     * After every {@link ExportOptions#progressEveryRows()} rows.
     *
     * @param rows rows written so far in this pass
     * @param bytes bytes of finished files plus the current file so far
     */
    default void onRows(long rows, long bytes) {}

    /** After a Parquet file has been stored; {@code index} counts from 0. */
    default void onFileStored(int index, StoredObject file) {}

    /** After every file is stored and just before the manifest, which makes the archive complete. */
    default void beforeManifest(List<StoredObject> files) {}

    /**
     * A column had a value its Parquet type cannot hold (see {@code ExportResult.textFormColumns()}); the
     * export starts over with it in text form.
     */
    default void onRestart(String column, String reason) {}
}

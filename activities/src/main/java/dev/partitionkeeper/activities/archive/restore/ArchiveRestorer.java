package dev.partitionkeeper.activities.archive.restore;

import dev.partitionkeeper.activities.archive.manifest.ArchiveIncompleteException;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifests;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.verify.ArchiveReader;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Loads an archive back into PostgreSQL: creates the table from the manifest's columns under a new name,
 * streams every file's rows in with {@code COPY ... FROM STDIN}, then reads the table back and compares
 * row count and content checksum with the manifest. All in one transaction, committed only when
 * everything matches: a failed restore leaves no table behind ({@link RestoreTransaction}).
 */
public final class ArchiveRestorer {

    private final DataSource dataSource;
    private final ArchiveStore store;
    private final ArchiveReader reader;

    /** Downloads remote files to {@code java.io.tmpdir}, one at a time. */
    public ArchiveRestorer(DataSource dataSource, ArchiveStore store) {
        this(dataSource, store, Path.of(System.getProperty("java.io.tmpdir")));
    }

    public ArchiveRestorer(DataSource dataSource, ArchiveStore store, Path workDir) {
        this.dataSource = dataSource;
        this.store = store;
        this.reader = new ArchiveReader(store, workDir);
    }

    /**
     * The archive's manifest, e.g. to choose the default target ({@code manifest.table().schema()},
     * {@code manifest.partition()}) or to attach the restored table with {@code manifest.boundFrom()/boundTo()}.
     *
     * @throws ArchiveIncompleteException when there is no manifest
     */
    public ArchiveManifest manifest(ArchiveLayout layout) throws IOException {
        return ArchiveManifests.require(store, layout);
    }

    /**
     * Restores the archive into {@code into}, which must not exist.
     *
     * @throws IllegalArgumentException when {@code into} already exists
     * @throws ArchiveIncompleteException when the archive has no manifest
     */
    public RestoreResult restore(ArchiveLayout layout, TableName into) throws IOException, SQLException {
        ArchiveManifest m = manifest(layout);
        RestoreTransaction.Recorded recorded = new RestoreTransaction.Recorded(
                "manifest", m.columns(), m.partitionKey(), m.rowCount(), m.contentChecksum());
        return RestoreTransaction.run(
                dataSource,
                layout.locationIn(store),
                into,
                recorded,
                sink -> reader.read(layout, m, sink).mismatches(),
                null);
    }
}

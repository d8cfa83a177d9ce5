package dev.partitionkeeper.activities.archive;

import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ParquetExporter;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifests;
import dev.partitionkeeper.activities.archive.manifest.InvalidManifestException;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.verify.ArchiveVerifier;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/** {@code archive.format: parquet} (the default): a folder of Parquet files plus manifest.json per partition. */
public final class ParquetArchiveFormat implements ArchiveFormat {

    private final ArchiveStore store;
    private final ParquetExporter exporter;
    private final ArchiveVerifier verifier;

    public ParquetArchiveFormat(DataSource dataSource, ArchiveStore store, ExportOptions options) {
        this.store = store;
        this.exporter = new ParquetExporter(dataSource, store, options);
        this.verifier = options.workDir() == null
                ? new ArchiveVerifier(dataSource, store)
                : new ArchiveVerifier(dataSource, store, options.workDir());
    }

    @Override
    public String location(TableName parent, String partition) {
        return ArchiveLayout.of(parent, partition).locationIn(store);
    }

    @Override
    public boolean isComplete(TableName parent, String partition) throws IOException {
        return store.exists(ArchiveLayout.of(parent, partition).manifestKey());
    }

    @Override
    public ExportResult export(TablePolicy policy, ExportRequest request, ProgressListener listener)
            throws IOException, SQLException {
        return exporter.export(request, listener);
    }

    @Override
    public VerifyResult verify(TablePolicy policy, String partition, TableName source)
            throws IOException, SQLException {
        return verifier.verify(ArchiveLayout.of(policy.table(), partition), source);
    }

    @Override
    public Archived archived(TableName parent, String partition) throws IOException {
        ArchiveManifest m = ArchiveManifests.require(store, ArchiveLayout.of(parent, partition));
        return new Archived(m.rowCount(), m.contentChecksum());
    }

    /** The partition's folder: data files first, the manifest last, so a re-run after a kill still finds the folder. */
    @Override
    public Expired expire(TableName parent, String partition) throws IOException {
        ArchiveLayout layout = ArchiveLayout.of(parent, partition);
        String where = layout.locationIn(store);
        boolean manifest = store.exists(layout.manifestKey());
        long rows = -1;
        if (manifest) {
            try {
                rows = ArchiveManifests.require(store, layout).rowCount();
            } catch (InvalidManifestException e) {
                // a corrupt manifest does not keep an expired archive alive: its row count is only for the report
            }
        }
        List<String> keys = store.list(layout.dir());
        int deleted = 0;
        for (String key : keys) {
            if (!key.equals(layout.manifestKey())) {
                store.delete(key);
                deleted++;
            }
        }
        if (manifest) {
            store.delete(layout.manifestKey());
            deleted++;
        }
        return new Expired(
                deleted,
                rows,
                deleted == 0
                        ? "archive " + where + " was already deleted"
                        : "deleted archive " + where + " (" + deleted + " file(s)"
                                + (rows >= 0 ? ", " + rows + " rows" : "") + ")");
    }
}

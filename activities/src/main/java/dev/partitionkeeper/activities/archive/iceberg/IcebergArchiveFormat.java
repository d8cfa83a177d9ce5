package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.CatalogColumns;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.summary.RowSummary;
import dev.partitionkeeper.activities.archive.verify.ArchiveVerifier;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code archive.format: iceberg}. Export writes the partition's rows into new data files and commits them as
 * one snapshot whose summary names the partition ({@link ArchivedPartition}); before writing and again just
 * before committing it looks for such a snapshot, and the commit itself fails if another attempt added files
 * in the same key range meanwhile. Verify reads the snapshot's files back through Iceberg.
 */
public final class IcebergArchiveFormat implements ArchiveFormat {

    private static final Logger log = LoggerFactory.getLogger(IcebergArchiveFormat.class);

    /** Where an export may be stopped, for the crash tests. */
    public interface Stages {
        Stages NONE = stage -> {};

        /**
         * {@code files-written} (stored, not committed) and {@code committed}; for archive_retention
         * {@code expire-deleted} (rows deleted, snapshots not expired yet).
         */
        void reached(String stage);
    }

    private final DataSource dataSource;
    private final Supplier<Catalog> opener;
    private final IcebergSettings settings;
    private Catalog catalog;
    private IcebergTables tables;
    private final DataFileStore files;
    private final ExportOptions options;
    private final Stages stages;

    /**
     * The catalog is opened on first use, not here: the JDBC catalog creates its tables in the bookkeeping
     * schema, which the first step creates.
     */
    public IcebergArchiveFormat(DataSource dataSource, IcebergSettings settings, ExportOptions options) {
        this(dataSource, settings, options, Stages.NONE);
    }

    public IcebergArchiveFormat(DataSource dataSource, IcebergSettings settings, ExportOptions options, Stages stages) {
        this(dataSource, settings, options, stages, null);
    }

    /**
     * {@code store}: the archive store on the warehouse location, through which a warehouse that is not on the
     * local filesystem (S3) is written and read ({@link StoreFileIO}); null for a local warehouse.
     */
    public IcebergArchiveFormat(
            DataSource dataSource, IcebergSettings settings, ExportOptions options, Stages stages, ArchiveStore store) {
        this.dataSource = dataSource;
        FileIO io = store == null || IcebergCatalogs.isLocal(settings.warehouse())
                ? null
                : new StoreFileIO(
                        store,
                        options.workDir() == null ? Path.of(System.getProperty("java.io.tmpdir")) : options.workDir());
        this.opener = () -> IcebergCatalogs.open(settings, io);
        this.settings = settings;
        this.files = new DataFileStore();
        this.options = options;
        this.stages = stages;
    }

    public synchronized Catalog catalog() {
        if (catalog == null) {
            try {
                catalog = opener.get();
            } catch (NotAuthorizedException | ForbiddenException e) {
                throw refusedCredentials(e);
            }
            tables = new IcebergTables(catalog, settings);
        }
        return catalog;
    }

    /** A wrong token or password does not heal by retrying: the step stops, naming where the secret comes from. */
    ArchiveFormat.Refused refusedCredentials(RuntimeException e) {
        return new ArchiveFormat.Refused(
                Failures.ARCHIVE_STORE,
                "the Iceberg " + settings.catalogType() + " catalog at " + settings.catalogUri()
                        + " refused the credentials (" + e.getMessage() + "): check the token or password in"
                        + " PK_ICEBERG_CATALOG_PASSWORD (or the OAuth2 client credentials in"
                        + " PK_ICEBERG_CATALOG_CREDENTIAL) and the role's grants in the catalog; nothing was changed");
    }

    private interface Call<T> {
        T call() throws IOException, SQLException;
    }

    private <T> T guarded(Call<T> call) throws IOException, SQLException {
        try {
            return call.call();
        } catch (NotAuthorizedException | ForbiddenException e) {
            throw refusedCredentials(e);
        }
    }

    /** {@link #guarded} for a call that asks the catalog only: no JDBC, no checked exception. */
    private <T> T guardedCatalogCall(Supplier<T> call) {
        try {
            return call.get();
        } catch (NotAuthorizedException | ForbiddenException e) {
            throw refusedCredentials(e);
        }
    }

    private Optional<ArchivedPartition> find(TableName parent, String partition) {
        return tables().find(parent).flatMap(t -> ArchivedPartition.find(t, parent, partition));
    }

    public IcebergSettings settings() {
        return settings;
    }

    private synchronized IcebergTables tables() {
        catalog();
        return tables;
    }

    @Override
    public String location(TableName parent, String partition) {
        return "iceberg:" + IcebergSettings.CATALOG_NAME + "." + IcebergTables.id(settings, parent) + " partition "
                + partition;
    }

    private String location(TableName parent, String partition, long snapshotId) {
        return location(parent, partition) + " snapshot " + snapshotId;
    }

    @Override
    public boolean isComplete(TableName parent, String partition) throws IOException {
        return guardedCatalogCall(() -> find(parent, partition).isPresent());
    }

    @Override
    public ExportResult export(TablePolicy policy, ExportRequest request, ProgressListener listener)
            throws IOException, SQLException {
        return guarded(() -> exportUnguarded(policy, request, listener));
    }

    private ExportResult exportUnguarded(TablePolicy policy, ExportRequest request, ProgressListener listener)
            throws IOException, SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<ArchiveColumn> columns = IcebergSchemas.exported(CatalogColumns.read(c, request.source()));
            new RowSummary(columns, request.keyColumn()); // fails now, naming the columns, if the key is not one
            Table table = tables().findOrCreate(policy, columns, request.keyColumn());
            Optional<ArchivedPartition> done = ArchivedPartition.find(table, request.parent(), request.partition());
            if (done.isPresent()) {
                return alreadyDone(request, done.get());
            }
            Long base = table.currentSnapshot() == null
                    ? null
                    : table.currentSnapshot().snapshotId();
            if (IcebergSchemas.evolve(table, columns, request.source().toString())) {
                log.info("{}: Iceberg schema of {} now {}", request.source(), table.name(), table.schema());
            }
            // no snapshot of this partition: whatever is in its data directory is an interrupted attempt's
            files.deleteLeftovers(table, request.partition());
            PartitionFiles writer = new PartitionFiles(
                    columns,
                    table.schema(),
                    table.spec(),
                    request.keyColumn(),
                    options,
                    Map.of(
                            "partition_keeper.table",
                            request.parent().toString(),
                            "partition_keeper.partition",
                            request.partition()),
                    (column, example) -> PgTextColumns.fieldId(
                            table, columns, column, example, request.source().toString()));
            log.info("exporting {} to Iceberg table {}", request.source(), table.name());
            PartitionFiles.Result written = writer.write(c, request.source(), listener);
            List<DataFile> dataFiles = files.store(table, request.partition(), written);
            stages.reached("files-written");
            ArchivedPartition p = new ArchivedPartition(
                    0,
                    request.parent(),
                    request.partition(),
                    request.boundFrom(),
                    request.boundTo(),
                    request.keyColumn(),
                    written.summary().rows(),
                    written.summary().checksum(),
                    written.summary().keyMin(),
                    written.summary().keyMax(),
                    written.keyLow(),
                    written.keyHigh(),
                    columns,
                    null);
            // look again just before the commit: another attempt may have committed while this one wrote
            table.refresh();
            Optional<ArchivedPartition> meanwhile =
                    ArchivedPartition.find(table, request.parent(), request.partition());
            if (meanwhile.isPresent()) {
                files.delete(table, dataFiles);
                return alreadyDone(request, meanwhile.get());
            }
            OverwriteFiles op = table.newOverwrite();
            dataFiles.forEach(op::addFile);
            if (base != null) {
                op.validateFromSnapshot(base);
            }
            // fails the commit if files in this key range were added since the first look
            op.conflictDetectionFilter(IcebergReadback.keyRange(p)).validateNoConflictingData();
            p.summary().forEach(op::set);
            if (!written.pgTextColumns().isEmpty()) {
                op.set(ArchivedPartition.PG_TEXT_COLUMNS, ArchivedPartition.json(written.pgTextColumns()));
                log.info(
                        "{}: values Iceberg's types cannot hold went to {}", request.source(), written.pgTextColumns());
            }
            op.commit();
            stages.reached("committed");
            ArchivedPartition committed = ArchivedPartition.find(table, request.parent(), request.partition())
                    .orElseThrow(() -> new IllegalStateException("the commit of " + request.partition() + " to "
                            + table.name() + " left no snapshot naming it"));
            log.info(
                    "exported {}: {} rows in {} files to {} (snapshot {})",
                    request.source(),
                    committed.rows(),
                    dataFiles.size(),
                    table.name(),
                    committed.snapshotId());
            return new ExportResult(
                    ActionResult.DONE,
                    location(request.parent(), request.partition(), committed.snapshotId()),
                    committed.rows(),
                    dataFiles.stream().mapToLong(DataFile::fileSizeInBytes).sum(),
                    dataFiles.size(),
                    committed.contentChecksum(),
                    committed.keyMin(),
                    committed.keyMax(),
                    textForm(columns),
                    1);
        }
    }

    private ExportResult alreadyDone(ExportRequest request, ArchivedPartition p) {
        log.info("{} is already archived in snapshot {}", request.source(), p.snapshotId());
        return new ExportResult(
                ActionResult.ALREADY_DONE,
                location(request.parent(), request.partition(), p.snapshotId()),
                p.rows(),
                0,
                0,
                p.contentChecksum(),
                p.keyMin(),
                p.keyMax(),
                textForm(p.columns()),
                0);
    }

    private static List<String> textForm(List<ArchiveColumn> columns) {
        return columns.stream()
                .filter(c -> c.kind() == ValueKind.TEXT_FORM)
                .map(ArchiveColumn::name)
                .toList();
    }

    @Override
    public VerifyResult verify(TablePolicy policy, String partition, TableName source)
            throws IOException, SQLException {
        return guarded(() -> verifyUnguarded(policy, partition, source));
    }

    private VerifyResult verifyUnguarded(TablePolicy policy, String partition, TableName source)
            throws IOException, SQLException {
        String where = location(policy.table(), partition);
        Optional<Table> table = tables().find(policy.table());
        Optional<ArchivedPartition> found = table.flatMap(t -> ArchivedPartition.find(t, policy.table(), partition));
        if (found.isEmpty()) {
            return new VerifyResult(
                    false,
                    where,
                    -1,
                    -1,
                    null,
                    List.of("no snapshot of Iceberg table " + IcebergTables.id(settings, policy.table())
                            + " archives partition " + partition
                            + ": it was never exported, or its commit was lost; run the export again"));
        }
        ArchivedPartition p = found.get();
        where = location(policy.table(), partition, p.snapshotId());
        IcebergReadback.Readback a = IcebergReadback.read(table.get(), p, null);
        List<String> mismatches = new ArrayList<>(a.mismatches());
        if (a.complete()) {
            ArchiveVerifier.compare(
                    mismatches,
                    "row count",
                    "snapshot summary",
                    p.rows(),
                    "Iceberg read",
                    a.summary().rows());
            ArchiveVerifier.compare(
                    mismatches,
                    "row count",
                    "data file metadata",
                    a.rowsInMetadata(),
                    "Iceberg read",
                    a.summary().rows());
            ArchiveVerifier.compare(
                    mismatches,
                    "content checksum",
                    "snapshot summary",
                    p.contentChecksum(),
                    "Iceberg read",
                    a.summary().checksum());
        }
        long sourceRows = -1;
        try (Connection c = dataSource.getConnection()) {
            RowSummary s = ArchiveVerifier.readSource(c, source, p.columns(), p.keyColumn(), mismatches);
            if (s != null) {
                sourceRows = s.rows();
                ArchiveVerifier.compare(
                        mismatches,
                        "row count",
                        "source",
                        s.rows(),
                        "Iceberg read",
                        a.complete() ? a.summary().rows() : -1);
                ArchiveVerifier.compare(
                        mismatches,
                        "content checksum",
                        "source",
                        s.checksum(),
                        "Iceberg read",
                        a.complete() ? a.summary().checksum() : null);
            }
        }
        VerifyResult result = new VerifyResult(
                mismatches.isEmpty(),
                where,
                sourceRows,
                a.complete() ? a.summary().rows() : -1,
                a.complete() ? a.summary().checksum() : null,
                mismatches);
        if (result.ok()) {
            log.info("{}", result.summary());
        } else {
            log.warn("{}", result.summary());
        }
        return result;
    }

    @Override
    public Archived archived(TableName parent, String partition) throws IOException {
        return guardedCatalogCall(() -> archivedUnguarded(parent, partition));
    }

    private Archived archivedUnguarded(TableName parent, String partition) {
        ArchivedPartition p = find(parent, partition)
                .orElseThrow(() -> new ArchiveFormat.Refused(
                        Failures.VERIFICATION_FAILED,
                        "no snapshot of Iceberg table " + IcebergTables.id(settings, parent) + " archives partition "
                                + partition + "; nothing is dropped"));
        return new Archived(p.rows(), p.contentChecksum());
    }

    /** The partition's rows deleted from the table, then expire snapshots; see {@link IcebergExpiry}. */
    @Override
    public Expired expire(TableName parent, String partition) throws IOException {
        return guardedCatalogCall(() -> expireUnguarded(parent, partition));
    }

    private Expired expireUnguarded(TableName parent, String partition) {
        String where = location(parent, partition);
        Optional<Table> table = tables().find(parent);
        if (table.isEmpty()) {
            return new Expired(
                    0,
                    -1,
                    where + " was already deleted (no Iceberg table " + IcebergTables.id(settings, parent) + ")");
        }
        ArchivedPartition p =
                ArchivedPartition.find(table.get(), parent, partition).orElse(null);
        return IcebergExpiry.expire(table.get(), p, partition, where, stages);
    }

    /** Restores by partition name; see {@link IcebergRestorer}. */
    public IcebergRestorer restorer() {
        return new IcebergRestorer(dataSource, this::tables);
    }

    @Override
    public void close() throws IOException {
        Catalog c;
        synchronized (this) {
            c = catalog;
        }
        if (c instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        log.debug("closed Iceberg catalog {}", settings.catalogUri());
    }
}

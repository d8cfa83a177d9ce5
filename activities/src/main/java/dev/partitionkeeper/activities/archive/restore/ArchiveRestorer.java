package dev.partitionkeeper.activities.archive.restore;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.CatalogColumns;
import dev.partitionkeeper.activities.archive.copy.CopyTextEncoder;
import dev.partitionkeeper.activities.archive.copy.TableScan;
import dev.partitionkeeper.activities.archive.copy.TextFormSettings;
import dev.partitionkeeper.activities.archive.copy.Transactions;
import dev.partitionkeeper.activities.archive.manifest.ArchiveIncompleteException;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifests;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.summary.RowSummary;
import dev.partitionkeeper.activities.archive.verify.ArchiveReader;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.PGCopyOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an archive back into PostgreSQL: creates the table from the manifest's columns under a new name,
 * streams every file's rows in with {@code COPY ... FROM STDIN}, then reads the table back and compares
 * row count and content checksum with the manifest. All in one transaction, committed only when
 * everything matches: a failed restore leaves no table behind.
 */
public final class ArchiveRestorer {

    private static final Logger log = LoggerFactory.getLogger(ArchiveRestorer.class);
    private static final int COPY_BUFFER_BYTES = 256 * 1024;

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
        String where = layout.locationIn(store);
        List<ArchiveColumn> columns = m.columns();
        int[] loaded = IntStream.range(0, columns.size())
                .filter(i -> !columns.get(i).isGenerated())
                .toArray();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            boolean committed = false;
            try {
                if (CatalogColumns.relationOid(c, into) >= 0) {
                    throw new IllegalArgumentException("table " + into + " already exists: restore into another name"
                            + " (--into schema.table) or drop it first");
                }
                TextFormSettings.applyLocal(c);
                createTable(c, into, columns);
                ArchiveReader.Readback readback = load(c, layout, m, into, loaded);
                List<String> mismatches = new ArrayList<>(readback.mismatches());
                long rows = -1;
                String checksum = null;
                if (mismatches.isEmpty()) {
                    RowSummary restored = new RowSummary(columns, m.partitionKey());
                    TableScan.scan(c, into, columns, restored::add);
                    rows = restored.rows();
                    checksum = restored.checksum();
                    if (restored.rows() != m.rowCount()) {
                        mismatches.add("row count: manifest " + m.rowCount() + ", restored " + restored.rows());
                    }
                    if (!restored.checksum().equals(m.contentChecksum())) {
                        mismatches.add("content checksum: manifest " + m.contentChecksum() + ", restored "
                                + restored.checksum());
                    }
                }
                if (mismatches.isEmpty()) {
                    c.commit();
                    committed = true;
                    log.info("restored {} rows from {} into {}", rows, where, into);
                } else {
                    log.warn("restore of {} into {} rolled back: {}", where, into, mismatches);
                }
                return new RestoreResult(committed, where, into.toString(), rows, checksum, mismatches);
            } finally {
                if (!committed) {
                    Transactions.end(c, autoCommit);
                } else {
                    c.setAutoCommit(autoCommit);
                }
            }
        }
    }

    private static void createTable(Connection c, TableName into, List<ArchiveColumn> columns) throws SQLException {
        String ddl = DdlBuilder.createTable(into, columns);
        try (Statement st = c.createStatement()) {
            st.execute(ddl);
        } catch (SQLException e) {
            throw new SQLException(
                    "cannot create " + into + " from the archive's columns ("
                            + e.getMessage().trim()
                            + "); create the schema and any types or collations it uses first. The statement was:\n"
                            + ddl,
                    e.getSQLState(),
                    e);
        }
    }

    private ArchiveReader.Readback load(
            Connection c, ArchiveLayout layout, ArchiveManifest m, TableName into, int[] loaded)
            throws SQLException, IOException {
        List<ArchiveColumn> columns = m.columns();
        StringBuilder sql = new StringBuilder("COPY ").append(into.quoted()).append(" (");
        for (int j = 0; j < loaded.length; j++) {
            sql.append(j == 0 ? "" : ", ")
                    .append(TableName.quoteIdent(columns.get(loaded[j]).name()));
        }
        sql.append(") FROM STDIN (FORMAT text)");
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.toString());
        CopyTextEncoder encoder = new CopyTextEncoder(columns, loaded);
        PGCopyOutputStream out = new PGCopyOutputStream(copy, COPY_BUFFER_BYTES);
        try {
            ArchiveReader.Readback readback = reader.read(layout, m, row -> encoder.write(row, out));
            out.endCopy();
            return readback;
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy(); // something failed midway; the transaction is rolled back anyway
            }
        }
    }
}

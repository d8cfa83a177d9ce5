package dev.partitionkeeper.activities.archive.restore;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.CatalogColumns;
import dev.partitionkeeper.activities.archive.copy.CopyTextEncoder;
import dev.partitionkeeper.activities.archive.copy.TableScan;
import dev.partitionkeeper.activities.archive.copy.TextFormSettings;
import dev.partitionkeeper.activities.archive.copy.Transactions;
import dev.partitionkeeper.activities.archive.summary.RowSummary;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
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
 * The load-and-check transaction of every restore, whatever the archive's format: creates the target from the
 * archived columns, COPYs the rows in as the archive's reader hands them over, reads the table back and compares
 * row count and content checksum with what the archive recorded. Commits only when everything matches: a failed
 * restore leaves no table behind.
 */
public final class RestoreTransaction {

    private static final Logger log = LoggerFactory.getLogger(RestoreTransaction.class);
    private static final int COPY_BUFFER_BYTES = 256 * 1024;

    /** Reads the archive, handing each row to {@code sink}; returns what did not match while reading. */
    @FunctionalInterface
    public interface Source {
        List<String> read(TableScan.RowSink sink) throws IOException, SQLException;
    }

    /** Runs in the transaction once the restored table matched (e.g. to attach it); returns what went wrong. */
    @FunctionalInterface
    public interface Finish {
        List<String> run(Connection c) throws SQLException;
    }

    /**
     * What the archive recorded. {@code recordedIn} names the record in mismatches: "row count: manifest 10,
     * restored 9".
     */
    public record Recorded(
            String recordedIn, List<ArchiveColumn> columns, String keyColumn, long rows, String contentChecksum) {}

    private RestoreTransaction() {}

    /**
     * Restores into {@code into}, which must not exist; {@code where} names the archive in the result and the log.
     *
     * @throws IllegalArgumentException when {@code into} already exists
     */
    public static RestoreResult run(
            DataSource dataSource, String where, TableName into, Recorded recorded, Source source, Finish finish)
            throws IOException, SQLException {
        List<ArchiveColumn> columns = recorded.columns();
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
                List<String> mismatches = new ArrayList<>(load(c, into, columns, source));
                long rows = -1;
                String checksum = null;
                if (mismatches.isEmpty()) {
                    RowSummary restored = new RowSummary(columns, recorded.keyColumn());
                    TableScan.scan(c, into, columns, restored::add);
                    rows = restored.rows();
                    checksum = restored.checksum();
                    String in = recorded.recordedIn();
                    if (rows != recorded.rows()) {
                        mismatches.add("row count: " + in + " " + recorded.rows() + ", restored " + rows);
                    }
                    if (!checksum.equals(recorded.contentChecksum())) {
                        mismatches.add("content checksum: " + in + " " + recorded.contentChecksum() + ", restored "
                                + checksum);
                    }
                }
                if (mismatches.isEmpty() && finish != null) {
                    mismatches.addAll(finish.run(c));
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

    /** COPYs what {@code source} reads into the columns that are not generated; returns its mismatches. */
    private static List<String> load(Connection c, TableName into, List<ArchiveColumn> columns, Source source)
            throws SQLException, IOException {
        int[] loaded = IntStream.range(0, columns.size())
                .filter(i -> !columns.get(i).isGenerated())
                .toArray();
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
            List<String> mismatches = source.read(row -> encoder.write(row, out));
            out.endCopy();
            return mismatches;
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy(); // something failed midway; the transaction is rolled back anyway
            }
        }
    }
}

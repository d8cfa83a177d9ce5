package dev.partitionkeeper.activities.archive.verify;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.CatalogColumns;
import dev.partitionkeeper.activities.archive.copy.TableScan;
import dev.partitionkeeper.activities.archive.copy.Transactions;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifests;
import dev.partitionkeeper.activities.archive.manifest.InvalidManifestException;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.summary.RowSummary;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves an archive holds exactly its source table's rows, by reading it back from the store: every
 * file's size and SHA-256 against the manifest; row count, partition key min/max and content checksum
 * recomputed from the Parquet rows against the manifest; and the same recomputed from the source table in
 * PostgreSQL against the archive.
 *
 * <p>A difference is never thrown: it is a line in {@link VerifyResult#mismatches()} naming what differs
 * and both values, and {@code ok} is false. Only failures to reach the store or the database are thrown.
 */
public final class ArchiveVerifier {

    private static final Logger log = LoggerFactory.getLogger(ArchiveVerifier.class);

    private final DataSource dataSource;
    private final ArchiveStore store;
    private final ArchiveReader reader;

    /** Downloads remote files to {@code java.io.tmpdir}, one at a time. */
    public ArchiveVerifier(DataSource dataSource, ArchiveStore store) {
        this(dataSource, store, Path.of(System.getProperty("java.io.tmpdir")));
    }

    public ArchiveVerifier(DataSource dataSource, ArchiveStore store, Path workDir) {
        this.dataSource = dataSource;
        this.store = store;
        this.reader = new ArchiveReader(store, workDir);
    }

    /**
     * @param layout the archive, e.g. {@code ArchiveLayout.of(parent, partition)} or {@code
     *     exportRequest.layout()}
     * @param source the table the archive was exported from (the detached partition)
     */
    public VerifyResult verify(ArchiveLayout layout, TableName source) throws IOException, SQLException {
        String where = layout.locationIn(store);
        Optional<ArchiveManifest> found;
        try {
            found = ArchiveManifests.read(store, layout);
        } catch (InvalidManifestException e) {
            return new VerifyResult(false, where, -1, -1, null, List.of("manifest: " + e.getMessage()));
        }
        if (found.isEmpty()) {
            return new VerifyResult(
                    false,
                    where,
                    -1,
                    -1,
                    null,
                    List.of(
                            "manifest.json is missing at " + where
                                    + ": the archive is incomplete (its export was interrupted or is still running); run the export again"));
        }
        ArchiveManifest m = found.get();
        List<String> mismatches = new ArrayList<>();

        ArchiveReader.Readback archive = reader.read(layout, m, null);
        mismatches.addAll(archive.mismatches());
        for (String name : reader.unexpectedFiles(layout, m)) {
            mismatches.add("file " + name + " is in the archive directory but not in the manifest");
        }
        RowSummary a = archive.summary();
        if (archive.complete()) {
            compare(mismatches, "row count", "manifest", m.rowCount(), "archive", a.rows());
            compare(mismatches, "content checksum", "manifest", m.contentChecksum(), "archive", a.checksum());
            compare(mismatches, "partition key min", "manifest", m.keyMin(), "archive", a.keyMin());
            compare(mismatches, "partition key max", "manifest", m.keyMax(), "archive", a.keyMax());
        }

        long sourceRows = -1;
        try (Connection c = dataSource.getConnection()) {
            RowSummary s = readSource(c, source, m, mismatches);
            if (s != null) {
                sourceRows = s.rows();
                // against the rows read back when they are all there, else against what the manifest promises
                String other = archive.complete() ? "archive" : "manifest";
                compare(
                        mismatches,
                        "row count",
                        "source",
                        s.rows(),
                        other,
                        archive.complete() ? a.rows() : m.rowCount());
                compare(
                        mismatches,
                        "content checksum",
                        "source",
                        s.checksum(),
                        other,
                        archive.complete() ? a.checksum() : m.contentChecksum());
                compare(
                        mismatches,
                        "partition key min",
                        "source",
                        s.keyMin(),
                        other,
                        archive.complete() ? a.keyMin() : m.keyMin());
                compare(
                        mismatches,
                        "partition key max",
                        "source",
                        s.keyMax(),
                        other,
                        archive.complete() ? a.keyMax() : m.keyMax());
            }
        }
        VerifyResult result = new VerifyResult(
                mismatches.isEmpty(),
                where,
                sourceRows,
                archive.complete() ? a.rows() : -1,
                archive.complete() ? a.checksum() : null,
                mismatches);
        if (result.ok()) {
            log.info("{}", result.summary());
        } else {
            log.warn("{}", result.summary());
        }
        return result;
    }

    /** The source's summary, or null (with a mismatch line) when its columns no longer match the archive's. */
    private static RowSummary readSource(Connection c, TableName source, ArchiveManifest m, List<String> mismatches)
            throws SQLException, IOException {
        return readSource(c, source, m.columns(), m.partitionKey(), mismatches);
    }

    /**
     * The source's row count and content checksum, read with the archive's {@code columns} (keyed by {@code key}),
     * or null (with a mismatch line) when the source's columns no longer match them: the source side of every
     * archive format's verify.
     */
    public static RowSummary readSource(
            Connection c, TableName source, List<ArchiveColumn> columns, String key, List<String> mismatches)
            throws SQLException, IOException {
        List<ArchiveColumn> now;
        try {
            now = CatalogColumns.read(c, source);
        } catch (IllegalArgumentException e) {
            mismatches.add("source: " + e.getMessage());
            return null;
        }
        String columnsNow = describe(now);
        String columnsArchived = describe(columns);
        if (!columnsNow.equals(columnsArchived)) {
            mismatches.add("columns: source has (" + columnsNow + "), archive has (" + columnsArchived + ")");
            return null;
        }
        RowSummary summary = new RowSummary(columns, key);
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            // the archive's columns, not the catalog's: a column exported in its text form is read the same way
            TableScan.scan(c, source, columns, summary::add);
        } finally {
            Transactions.end(c, autoCommit);
        }
        return summary;
    }

    private static String describe(List<ArchiveColumn> columns) {
        return String.join(
                ", ",
                columns.stream()
                        .map(col -> TableName.quoteIdent(col.name()) + " " + col.pgType())
                        .toList());
    }

    /** Adds a mismatch line to {@code out} when {@code left} and {@code right} differ. */
    public static void compare(
            List<String> out, String what, String leftName, Object left, String rightName, Object right) {
        if (!Objects.equals(left, right)) {
            out.add(what + ": " + leftName + " " + left + ", " + rightName + " " + right);
        }
    }
}

package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.CatalogColumns;
import dev.partitionkeeper.activities.archive.copy.CopyTextEncoder;
import dev.partitionkeeper.activities.archive.copy.TableScan;
import dev.partitionkeeper.activities.archive.copy.TextFormSettings;
import dev.partitionkeeper.activities.archive.copy.Transactions;
import dev.partitionkeeper.activities.archive.restore.DdlBuilder;
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
import org.apache.iceberg.Table;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.PGCopyOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads one archived partition back from Iceberg (found by name or by its bounds) into a new table, reading
 * the snapshot's files through Iceberg and COPYing the rows in; commits only when the restored table's row
 * count and content checksum equal the snapshot's. Optionally attaches it to the parent again.
 */
public final class IcebergRestorer {

    private static final Logger log = LoggerFactory.getLogger(IcebergRestorer.class);
    private static final int COPY_BUFFER_BYTES = 256 * 1024;

    private final DataSource dataSource;
    private final IcebergTables tables;

    IcebergRestorer(DataSource dataSource, IcebergTables tables) {
        this.dataSource = dataSource;
        this.tables = tables;
    }

    /** The partition's archive, by name. */
    public RestoreResult restore(TableName parent, String partition, TableName into, boolean attach)
            throws IOException, SQLException {
        Table t = table(parent);
        ArchivedPartition p = ArchivedPartition.find(t, parent, partition)
                .orElseThrow(() -> new IllegalArgumentException("no snapshot of Iceberg table " + t.name()
                        + " archives partition " + partition + " of " + parent));
        return restore(t, p, into, attach);
    }

    /** The partition's archive, by its bounds as PostgreSQL printed them when it was detached. */
    public RestoreResult restoreBounds(TableName parent, String from, String to, TableName into, boolean attach)
            throws IOException, SQLException {
        Table t = table(parent);
        ArchivedPartition p = ArchivedPartition.findByBounds(t, parent, from, to)
                .orElseThrow(() -> new IllegalArgumentException("no snapshot of Iceberg table " + t.name()
                        + " archives the partition FROM (" + from + ") TO (" + to + ") of " + parent));
        return restore(t, p, into, attach);
    }

    private Table table(TableName parent) {
        return tables.find(parent)
                .orElseThrow(() -> new IllegalArgumentException("there is no Iceberg table " + tables.id(parent)
                        + " for " + parent + ": nothing was archived"));
    }

    private RestoreResult restore(Table table, ArchivedPartition p, TableName into, boolean attach)
            throws IOException, SQLException {
        List<ArchiveColumn> columns = p.columns();
        int[] loaded = IntStream.range(0, columns.size())
                .filter(i -> !columns.get(i).isGenerated())
                .toArray();
        String where = table.name() + " snapshot " + p.snapshotId();
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
                try (Statement st = c.createStatement()) {
                    st.execute(DdlBuilder.createTable(into, columns));
                }
                IcebergReadback.Readback readback = load(c, table, p, into, loaded);
                List<String> mismatches = new ArrayList<>(readback.mismatches());
                long rows = -1;
                String checksum = null;
                if (mismatches.isEmpty()) {
                    RowSummary restored = new RowSummary(columns, p.keyColumn());
                    TableScan.scan(c, into, columns, restored::add);
                    rows = restored.rows();
                    checksum = restored.checksum();
                    if (rows != p.rows()) {
                        mismatches.add("row count: snapshot " + p.rows() + ", restored " + rows);
                    }
                    if (!checksum.equals(p.contentChecksum())) {
                        mismatches.add("content checksum: snapshot " + p.contentChecksum() + ", restored " + checksum);
                    }
                }
                if (mismatches.isEmpty() && attach) {
                    if (p.boundFrom() == null || p.boundTo() == null) {
                        mismatches.add("the snapshot does not record the partition's bounds: attach it by hand");
                    } else {
                        try (Statement st = c.createStatement()) {
                            st.execute("ALTER TABLE " + p.parent().quoted() + " ATTACH PARTITION " + into.quoted()
                                    + " FOR VALUES FROM (" + literal(p.boundFrom()) + ") TO (" + literal(p.boundTo())
                                    + ")");
                        }
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

    /** A bound as PostgreSQL printed it ({@code '2024-01-01 00:00:00+00'}, {@code 100}, {@code MINVALUE}). */
    static String literal(String bound) {
        String b = bound.trim();
        if (b.startsWith("'")
                || b.matches("-?[0-9]+")
                || b.equalsIgnoreCase("MINVALUE")
                || b.equalsIgnoreCase("MAXVALUE")) {
            return b;
        }
        return "'" + b.replace("'", "''") + "'";
    }

    private static IcebergReadback.Readback load(
            Connection c, Table table, ArchivedPartition p, TableName into, int[] loaded)
            throws SQLException, IOException {
        List<ArchiveColumn> columns = p.columns();
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
            IcebergReadback.Readback r = IcebergReadback.read(table, p, row -> encoder.write(row, out));
            out.endCopy();
            return r;
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }
}

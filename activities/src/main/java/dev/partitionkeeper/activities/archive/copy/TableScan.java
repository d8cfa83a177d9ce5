package dev.partitionkeeper.activities.archive.copy;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Streams a table's rows as {@link ValueKind} values through {@code COPY (SELECT ...) TO STDOUT (FORMAT
 * binary)}: one statement, so one consistent snapshot, and no result set held in memory. Used identically
 * by export, verify and restore, so all three see the same values.
 */
public final class TableScan {

    /** Receives each row; the array is reused for the next row, so copy what you keep. */
    @FunctionalInterface
    public interface RowSink {
        void accept(Object[] row) throws IOException;
    }

    /** Called every {@code every} rows with the rows so far and the COPY bytes read so far. */
    @FunctionalInterface
    public interface Tick {
        void at(long rows, long copyBytes) throws IOException;
    }

    private TableScan() {}

    static String copySql(TableName table, List<ArchiveColumn> columns) {
        StringBuilder sql = new StringBuilder("COPY (SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            ArchiveColumn col = columns.get(i);
            sql.append(i == 0 ? "" : ", ").append(TableName.quoteIdent(col.name()));
            if (col.kind().readAsText()) {
                sql.append("::text");
            }
        }
        return sql.append(" FROM ")
                .append(table.quoted())
                .append(") TO STDOUT (FORMAT binary)")
                .toString();
    }

    /**
     * Reads every row of {@code table}. The connection must be in a transaction (autocommit off): the text
     * form settings are applied with {@code SET LOCAL}.
     *
     * @return rows read
     */
    public static long scan(
            Connection c, TableName table, List<ArchiveColumn> columns, RowSink sink, long every, Tick tick)
            throws SQLException, IOException {
        TextFormSettings.applyLocal(c);
        PGConnection pg = c.unwrap(PGConnection.class);
        Object[] row = new Object[columns.size()];
        long rows = 0;
        // closing cancels a COPY that is still running, e.g. when the sink throws
        try (CopyOutStream in = new CopyOutStream(pg, copySql(table, columns))) {
            PgCopyBinaryReader reader = new PgCopyBinaryReader(in, columns);
            while (reader.next(row)) {
                sink.accept(row);
                rows++;
                if (tick != null && rows % every == 0) {
                    tick.at(rows, reader.bytesRead());
                }
            }
        }
        return rows;
    }

    public static long scan(Connection c, TableName table, List<ArchiveColumn> columns, RowSink sink)
            throws SQLException, IOException {
        return scan(c, table, columns, sink, Long.MAX_VALUE, null);
    }
}

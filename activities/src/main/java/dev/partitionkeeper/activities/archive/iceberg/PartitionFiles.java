package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.PgTextValue;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.activities.archive.copy.PgText;
import dev.partitionkeeper.activities.archive.copy.TableScan;
import dev.partitionkeeper.activities.archive.copy.Transactions;
import dev.partitionkeeper.activities.archive.copy.UnrepresentableValueException;
import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.archive.export.UnexportableValueException;
import dev.partitionkeeper.activities.archive.parquet.HashedOutputFile;
import dev.partitionkeeper.activities.archive.parquet.ParquetPartWriter;
import dev.partitionkeeper.activities.archive.summary.RowSummary;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.transforms.Transform;
import org.apache.iceberg.util.SerializableFunction;

/**
 * One pass over a detached partition into local Parquet files carrying Iceberg field ids, split above
 * {@code maxFileBytes}; computes the {@link RowSummary} (of the source values) and the Iceberg partition value
 * of the rows on the way. Nothing is stored or committed here.
 *
 * <p>A value the column's Iceberg type cannot hold ({@link PgTextColumns}) is written as NULL in the column and
 * as its PostgreSQL text in the column's companion. The first such value of a column closes the current file
 * and asks {@link Companions} for the companion's field id (adding it to the table's schema); later files carry
 * the companion, earlier ones do not and read it as NULL, as Iceberg reads any column a file lacks.
 */
final class PartitionFiles {

    private static final int BATCH_ROWS = 512;
    private static final int SIZE_CHECK_ROWS = 256;

    record LocalFile(Path path, long rows, long bytes) {}

    /**
     * {@code keyLow}/{@code keyHigh}: the key's min/max as Iceberg values (integers, microseconds), null for
     * other keys and when a key value went to its companion;
     * {@code pgTextColumns}: the companions this partition wrote.
     */
    record Result(
            List<LocalFile> files,
            RowSummary summary,
            Object partitionValue,
            Long keyLow,
            Long keyHigh,
            List<String> pgTextColumns) {}

    /** Gives the Iceberg field id of a column's companion, adding it to the table's schema when missing. */
    @FunctionalInterface
    interface Companions {
        /** {@code example}: the value that needs it, for a refusal's message. */
        int fieldId(ArchiveColumn column, Object example);
    }

    private final List<ArchiveColumn> columns;
    /** The columns written to the files: {@link #columns}, then the companions added so far. */
    private final List<ArchiveColumn> written;

    private int[] writtenIds;
    /** Indexes of the columns whose values can need a companion. */
    private final int[] candidates;
    /** Per column, the index of its companion in {@link #written}; -1 while it has none. */
    private final int[] companionAt;

    private final Companions companions;
    private final ExportOptions options;
    private final Map<String, String> footer;
    private final Path workDir;
    private final int keyIndex;
    private final SerializableFunction<Object, Object> transform;
    private final String keyColumn;

    private final List<LocalFile> files = new ArrayList<>();
    private Object[][] batch;
    private int batchSize;
    private ParquetPartWriter writer;
    private HashedOutputFile out;
    private Object partitionValue;
    private boolean sawKey;
    private Long keyLow;
    private Long keyHigh;
    private boolean keyInCompanion;

    @SuppressWarnings("unchecked")
    PartitionFiles(
            List<ArchiveColumn> columns,
            Schema schema,
            PartitionSpec spec,
            String keyColumn,
            ExportOptions options,
            Map<String, String> footer,
            Companions companions) {
        this.columns = columns;
        this.written = new ArrayList<>(columns);
        this.writtenIds = IcebergSchemas.fieldIds(schema, columns);
        this.candidates = IntStream.range(0, columns.size())
                .filter(i -> PgTextColumns.possibleIn(columns.get(i).kind()))
                .toArray();
        this.companionAt = new int[columns.size()];
        Arrays.fill(companionAt, -1);
        this.companions = companions;
        this.options = options;
        this.footer = footer;
        this.workDir = options.workDir() == null ? Path.of(System.getProperty("java.io.tmpdir")) : options.workDir();
        this.keyColumn = keyColumn;
        int k = -1;
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(keyColumn)) {
                k = i;
            }
        }
        this.keyIndex = k;
        if (spec.isPartitioned()) {
            PartitionField f = spec.fields().get(0);
            this.transform = ((Transform<Object, Object>) f.transform())
                    .bind(schema.findField(f.sourceId()).type());
        } else {
            this.transform = null;
        }
        this.batch = new Object[BATCH_ROWS][columns.size()];
    }

    Result write(Connection c, TableName source, ProgressListener listener) throws SQLException, IOException {
        RowSummary summary = new RowSummary(columns, keyColumn);
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        boolean done = false;
        try {
            TableScan.scan(
                    c,
                    source,
                    columns,
                    row -> {
                        partition(row[keyIndex], source);
                        summary.add(row);
                        add(row);
                    },
                    options.progressEveryRows(),
                    (rows, bytes) -> listener.onRows(rows, bytes));
            flush();
            if (writer != null) {
                finishFile();
            }
            done = true;
            List<String> pgText = written.subList(columns.size(), written.size()).stream()
                    .map(ArchiveColumn::name)
                    .toList();
            return keyInCompanion
                    ? new Result(List.copyOf(files), summary, partitionValue, null, null, pgText)
                    : new Result(List.copyOf(files), summary, partitionValue, keyLow, keyHigh, pgText);
        } catch (UnrepresentableValueException e) {
            // a numeric with more digits than its column's scale: not a value PostgreSQL stores in numeric(p,s)
            throw new UnexportableValueException(
                    e.column(),
                    "column \"" + e.column() + "\" of " + source + " holds a value its Iceberg type cannot: "
                            + e.getMessage(),
                    e);
        } finally {
            Transactions.end(c, autoCommit);
            if (!done) {
                discard();
            }
        }
    }

    /** The row into the batch, each value the column's type cannot hold moved to the column's companion. */
    private void add(Object[] row) throws IOException {
        for (int i : candidates) {
            Object v = row[i];
            if (v != null
                    && companionAt[i] < 0
                    && PgTextColumns.needed(columns.get(i).kind(), v)) {
                addCompanion(i, v);
            }
        }
        Object[] out = batch[batchSize++];
        System.arraycopy(row, 0, out, 0, row.length);
        for (int i : candidates) {
            int at = companionAt[i];
            Object v = row[i];
            if (at >= 0 && v != null && PgTextColumns.needed(columns.get(i).kind(), v)) {
                out[at] = PgTextColumns.text(columns.get(i).kind(), v);
                out[i] = null;
            }
        }
        if (batchSize == BATCH_ROWS) {
            flush();
        }
    }

    /** The rows so far stay in files without the companion; the files from here on carry it. */
    private void addCompanion(int i, Object example) throws IOException {
        flush();
        if (writer != null) {
            finishFile();
        }
        int id = companions.fieldId(columns.get(i), example);
        companionAt[i] = written.size();
        written.add(PgTextColumns.column(columns.get(i)));
        writtenIds = Arrays.copyOf(writtenIds, written.size());
        writtenIds[written.size() - 1] = id;
        batch = new Object[BATCH_ROWS][written.size()];
    }

    /** Every row must fall in one Iceberg partition: the spec mirrors the interval, so a stray row is a conflict. */
    private void partition(Object key, TableName source) {
        ValueKind kind = columns.get(keyIndex).kind();
        if (key != null && PgTextColumns.needed(kind, key)) {
            // only a partition bounded by MINVALUE or MAXVALUE holds one. Without a transform the key goes to its
            // companion like any column; with one the row would have no partition value, and a PgTextValue has no
            // place in the key's min/max
            if (key instanceof PgTextValue || transform != null) {
                throw new UnexportableValueException(
                        keyColumn,
                        "the partition key \"" + keyColumn + "\" of " + source + " holds " + PgText.render(kind, key)
                                + ", which its Iceberg type " + IcebergSchemas.type(columns.get(keyIndex))
                                + " cannot hold"
                                + (transform != null
                                        ? ", so the row has no value for the table's Iceberg partition spec"
                                        : "")
                                + ". The partition stays detached: archive the table as Parquet"
                                + " (archive.format: parquet), which can hold it",
                        null);
            }
            // NULL in the Iceberg key: no range filter on the key may leave the row out (verify, conflict check)
            keyInCompanion = true;
            return;
        }
        if (key instanceof Integer || key instanceof Long) {
            long k = ((Number) key).longValue();
            keyLow = keyLow == null || k < keyLow ? k : keyLow;
            keyHigh = keyHigh == null || k > keyHigh ? k : keyHigh;
        }
        if (transform == null) {
            return;
        }
        Object v = key == null ? null : transform.apply(key);
        if (!sawKey) {
            partitionValue = v;
            sawKey = true;
        } else if (!Objects.equals(v, partitionValue)) {
            throw new ArchiveFormat.Refused(
                    IcebergSchemas.SCHEMA_CHANGE,
                    "rows of " + source + " fall into more than one Iceberg partition of the key (" + partitionValue
                            + " and " + v + "): the table's interval no longer matches its Iceberg partition spec");
        }
    }

    private void flush() throws IOException {
        for (int from = 0; from < batchSize; from += SIZE_CHECK_ROWS) {
            if (writer == null) {
                out = new HashedOutputFile(Files.createTempFile(workDir, "pk-iceberg-", ".parquet"));
                writer = new ParquetPartWriter(out, List.copyOf(written), writtenIds, footer, options);
            }
            writer.write(batch, from, Math.min(batchSize, from + SIZE_CHECK_ROWS));
            if (writer.dataSize() >= options.maxFileBytes()) {
                finishFile();
            }
        }
        for (int i = 0; i < batchSize; i++) {
            Arrays.fill(batch[i], null);
        }
        batchSize = 0;
    }

    private void finishFile() throws IOException {
        writer.close();
        files.add(new LocalFile(out.path(), writer.rows(), Files.size(out.path())));
        writer = null;
        out = null;
    }

    /** Deletes every local file this pass made. */
    void discard() {
        if (writer != null) {
            writer.abort();
            writer = null;
        }
        try {
            if (out != null) {
                Files.deleteIfExists(out.path());
            }
            for (LocalFile f : files) {
                Files.deleteIfExists(f.path());
            }
        } catch (IOException ignored) {
            // a leftover temp file is harmless; the failure that got us here matters more
        }
    }
}

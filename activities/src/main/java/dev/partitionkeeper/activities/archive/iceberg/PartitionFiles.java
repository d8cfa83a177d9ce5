package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
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
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.transforms.Transform;
import org.apache.iceberg.util.SerializableFunction;

/**
 * One pass over a detached partition into local Parquet files carrying Iceberg field ids, split above
 * {@code maxFileBytes}; computes the {@link RowSummary} and the Iceberg partition value of the rows on the
 * way. Nothing is stored or committed here.
 */
final class PartitionFiles {

    private static final int BATCH_ROWS = 512;
    private static final int SIZE_CHECK_ROWS = 256;

    record LocalFile(Path path, long rows, long bytes) {}

    /** {@code keyLow}/{@code keyHigh}: the key's min/max as Iceberg values, null unless the key is integral. */
    record Result(List<LocalFile> files, RowSummary summary, Object partitionValue, Long keyLow, Long keyHigh) {}

    private final List<ArchiveColumn> columns;
    private final int[] fieldIds;
    private final ExportOptions options;
    private final Map<String, String> footer;
    private final Path workDir;
    private final int keyIndex;
    private final SerializableFunction<Object, Object> transform;
    private final String keyColumn;

    private final List<LocalFile> files = new ArrayList<>();
    private final Object[][] batch;
    private int batchSize;
    private ParquetPartWriter writer;
    private HashedOutputFile out;
    private Object partitionValue;
    private boolean sawKey;
    private Long keyLow;
    private Long keyHigh;

    @SuppressWarnings("unchecked")
    PartitionFiles(
            List<ArchiveColumn> columns,
            Schema schema,
            PartitionSpec spec,
            String keyColumn,
            ExportOptions options,
            Map<String, String> footer) {
        this.columns = columns;
        this.fieldIds = IcebergSchemas.fieldIds(schema, columns);
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
                        summary.add(row);
                        partition(row[keyIndex], source);
                        System.arraycopy(row, 0, batch[batchSize++], 0, row.length);
                        if (batchSize == BATCH_ROWS) {
                            flush();
                        }
                    },
                    options.progressEveryRows(),
                    (rows, bytes) -> listener.onRows(rows, bytes));
            flush();
            if (writer != null) {
                finishFile();
            }
            done = true;
            return new Result(List.copyOf(files), summary, partitionValue, keyLow, keyHigh);
        } catch (UnrepresentableValueException e) {
            // the Iceberg column's type is fixed for every partition: no falling back to the text form here
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

    /** Every row must fall in one Iceberg partition: the spec mirrors the interval, so a stray row is a conflict. */
    private void partition(Object key, TableName source) {
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
                writer = new ParquetPartWriter(out, columns, fieldIds, footer, options);
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

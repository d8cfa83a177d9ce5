package dev.partitionkeeper.activities.archive.parquet;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.export.ExportOptions;
import java.io.Closeable;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.schema.MessageType;

/**
 * One Parquet file on local disk, hashed as it is written ({@link HashedOutputFile}).
 *
 * <p>Rows arrive in batches and are written column by column: each column appends the batch's values to its
 * current page with a loop of its own (PLAIN values, definition levels RLE / bit-packed, as Parquet's data
 * page v1 defines them), a full page is compressed with ZSTD at once and kept, and a full row group is written
 * through Parquet's {@link ParquetFileWriter}, which lays out the column chunks, the page and column indexes
 * and the footer. Going through Parquet's record API instead (one call per value into a tree of generic
 * writers) cost as much CPU as the COPY read itself, most of it compiling that tree in a fresh JVM.
 *
 * <p>Memory is bounded by the row group size, as with Parquet's own writer: the compressed pages of one row
 * group plus one open page per column. Pages close at {@code pageBytes} of values or {@link #PAGE_ROW_LIMIT}
 * rows (Parquet's defaults), so readers' page indexes stay as useful as with Parquet's writer.
 *
 * <p>The parts: {@link ColumnWriter} (a column's open page, definition levels, finished pages) and one subclass
 * per physical type ({@link IntegerColumnWriter}, {@link BinaryColumnWriter} with its {@link BinaryDictionary},
 * {@link OtherColumnWriter}); {@link PageCompressor} compresses the pages of all columns.
 */
public final class ParquetPartWriter implements Closeable {

    /** Parquet's default page row limit (ParquetProperties.DEFAULT_PAGE_ROW_COUNT_LIMIT). */
    static final int PAGE_ROW_LIMIT = 20_000;

    private final ParquetFileWriter file;
    private final Map<String, String> footerMetadata;
    private final ColumnWriter[] columns;
    private final PageCompressor pages;
    private final long rowGroupBytes;
    private long rows;
    private long groupRows;
    private boolean closed;

    public ParquetPartWriter(
            HashedOutputFile out,
            List<ArchiveColumn> columns,
            Map<String, String> footerMetadata,
            ExportOptions options)
            throws IOException {
        this(out, columns, null, footerMetadata, options);
    }

    /** {@code fieldIds}: the Iceberg field id of each column, written into the file's schema; null for none. */
    public ParquetPartWriter(
            HashedOutputFile out,
            List<ArchiveColumn> columns,
            int[] fieldIds,
            Map<String, String> footerMetadata,
            ExportOptions options)
            throws IOException {
        MessageType schema = ParquetSchemas.schema(columns, fieldIds);
        this.rowGroupBytes = Math.min(options.rowGroupBytes(), options.maxFileBytes());
        this.footerMetadata = footerMetadata;
        this.pages = new PageCompressor(options.zstdLevel());
        boolean started = false;
        try {
            this.file = new ParquetFileWriter(
                    out,
                    schema,
                    ParquetFileWriter.Mode.OVERWRITE,
                    rowGroupBytes,
                    0,
                    ParquetProperties.DEFAULT_COLUMN_INDEX_TRUNCATE_LENGTH,
                    ParquetProperties.DEFAULT_STATISTICS_TRUNCATE_LENGTH,
                    true);
            this.columns = new ColumnWriter[columns.size()];
            List<ColumnDescriptor> descriptors = schema.getColumns();
            for (int i = 0; i < this.columns.length; i++) {
                this.columns[i] =
                        ColumnWriter.of(columns.get(i).kind(), descriptors.get(i), i, options.pageBytes(), pages);
            }
            file.start();
            started = true;
        } finally {
            if (!started) {
                pages.close();
            }
        }
    }

    /** Writes {@code batch[from..to)}; each row holds one value (or null) per column, in the columns' order. */
    public void write(Object[][] batch, int from, int to) throws IOException {
        for (ColumnWriter c : columns) {
            c.append(batch, from, to);
        }
        rows += to - from;
        groupRows += to - from;
        if (bufferedBytes() >= rowGroupBytes) {
            flushRowGroup();
        }
    }

    public long rows() {
        return rows;
    }

    /** Bytes written to the file so far plus what is buffered for the current row group. */
    public long dataSize() throws IOException {
        return file.getPos() + bufferedBytes();
    }

    private long bufferedBytes() {
        long b = 0;
        for (ColumnWriter c : columns) {
            b += c.bufferedBytes();
        }
        return b;
    }

    private void flushRowGroup() throws IOException {
        for (ColumnWriter c : columns) {
            c.closePage();
        }
        file.startBlock(groupRows);
        for (ColumnWriter c : columns) {
            c.writeChunk(file);
        }
        file.endBlock();
        groupRows = 0;
    }

    /** Finishes the file: the last row group, the indexes and the footer. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (groupRows > 0) {
                flushRowGroup();
            }
            Map<String, String> extra = new HashMap<>(footerMetadata);
            extra.put(ParquetWriter.OBJECT_MODEL_NAME_PROP, "partition-keeper");
            file.end(extra);
        } finally {
            pages.close();
        }
    }

    /** Abandons the file (after a failure): closes it without a footer, so it is not a readable Parquet file. */
    public void abort() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            file.close();
        } catch (IOException | RuntimeException ignored) {
            // the failure that made us abort is the one to report
        } finally {
            pages.close();
        }
    }
}

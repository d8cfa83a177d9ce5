package dev.partitionkeeper.activities.archive.parquet;

import static dev.partitionkeeper.activities.archive.parquet.LittleEndian.INT_LE;
import static dev.partitionkeeper.activities.archive.parquet.ParquetPartWriter.PAGE_ROW_LIMIT;

import dev.partitionkeeper.activities.archive.column.ValueKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.PrimitiveType;

/**
 * One column's open page and the finished pages of the current row group. Subclasses append a batch of
 * values in a loop of their own and keep the page's min/max the way Parquet orders their type.
 */
abstract class ColumnWriter {
    final ColumnDescriptor descriptor;
    final PrimitiveType type;
    final int index;
    final int pageBytes;
    final PageCompressor pages;
    /** PLAIN-encoded values of the open page. */
    byte[] values = new byte[16 * 1024];

    int size;
    /** Definition level (0 = null, 1 = value) of each row of the open page. */
    final byte[] defined = new byte[PAGE_ROW_LIMIT];

    int count;
    int nulls;
    final List<Page> finished = new ArrayList<>();
    long finishedBytes;
    long chunkValues;

    ColumnWriter(ColumnDescriptor descriptor, int index, int pageBytes, PageCompressor pages) {
        this.descriptor = descriptor;
        this.type = descriptor.getPrimitiveType();
        this.index = index;
        this.pageBytes = pageBytes;
        this.pages = pages;
    }

    static ColumnWriter of(ValueKind kind, ColumnDescriptor d, int index, int pageBytes, PageCompressor pages) {
        PrimitiveType.PrimitiveTypeName physical = d.getPrimitiveType().getPrimitiveTypeName();
        return switch (kind) {
            case INT16, INT32, DATE, INT64, TIMESTAMP, TIMESTAMPTZ ->
                new IntegerColumnWriter(d, index, pageBytes, pages, false);
            case DECIMAL ->
                switch (physical) {
                    case INT32, INT64 -> new IntegerColumnWriter(d, index, pageBytes, pages, true);
                    default -> new OtherColumnWriter(d, index, pageBytes, pages);
                };
            case STRING, JSON, TEXT_FORM, BYTES -> new BinaryColumnWriter(d, index, pageBytes, pages);
            case UUID, FLOAT32, FLOAT64, BOOLEAN -> new OtherColumnWriter(d, index, pageBytes, pages);
        };
    }

    abstract void append(Object[][] batch, int from, int to) throws IOException;

    /** The open page's statistics (min/max of its values, its nulls); resets them for the next page. */
    abstract Statistics<?> takeStats();

    /** Call at the end of a page: the length of its encoded values in {@code values}. */
    int valueBytes() throws IOException {
        return size;
    }

    /** The open page's encoding; asked when it closes. */
    Encoding pageEncoding() {
        return Encoding.PLAIN;
    }

    /** Writes the chunk's dictionary page, if its pages use one, and forgets the dictionary. */
    void writeDictionary(ParquetFileWriter file) throws IOException {}

    final void ensure(int more) {
        if (size + more > values.length) {
            values = Arrays.copyOf(values, Math.max(size + more, values.length * 2));
        }
    }

    /** Call after each row: closes the page when it is full. */
    final void rowDone() throws IOException {
        count++;
        if (count == PAGE_ROW_LIMIT || size >= pageBytes) {
            closePage();
        }
    }

    final void putNull() {
        defined[count] = 0;
        nulls++;
    }

    final void closePage() throws IOException {
        if (count == 0) {
            return;
        }
        int bytes = valueBytes();
        Statistics<?> stats = takeStats();
        stats.incrementNumNulls(nulls);
        Page page = pages.compress(levels(), values, bytes, count, stats, pageEncoding());
        finished.add(page);
        finishedBytes += page.bytes().length;
        chunkValues += count;
        size = 0;
        count = 0;
        nulls = 0;
    }

    /** The page's definition levels, RLE / bit-packed hybrid with the 4-byte length data page v1 puts first. */
    private byte[] levels() throws IOException {
        if (nulls == 0 || nulls == count) {
            // one RLE run: header varint(count << 1), then the level in one byte
            byte[] run = new byte[4 + 5 + 1];
            int p = 4;
            int header = count << 1;
            while ((header & ~0x7f) != 0) {
                run[p++] = (byte) ((header & 0x7f) | 0x80);
                header >>>= 7;
            }
            run[p++] = (byte) header;
            run[p++] = (byte) (nulls == 0 ? 1 : 0);
            INT_LE.set(run, 0, p - 4);
            return Arrays.copyOf(run, p);
        }
        try (RunLengthBitPackingHybridEncoder rle =
                new RunLengthBitPackingHybridEncoder(1, 1024, PAGE_ROW_LIMIT, HeapByteBufferAllocator.getInstance())) {
            for (int i = 0; i < count; i++) {
                rle.writeInt(defined[i]);
            }
            byte[] encoded = ZstdCodecFactory.toArray(rle.toBytes());
            byte[] out = new byte[4 + encoded.length];
            INT_LE.set(out, 0, encoded.length);
            System.arraycopy(encoded, 0, out, 4, encoded.length);
            return out;
        }
    }

    long bufferedBytes() {
        return finishedBytes + size + count;
    }

    @SuppressWarnings("deprecation") // BIT_PACKED / PLAIN_DICTIONARY: data page v1 names, as Parquet's v1 writer uses
    final void writeChunk(ParquetFileWriter file) throws IOException {
        file.startColumn(descriptor, chunkValues, CompressionCodecName.ZSTD);
        writeDictionary(file);
        for (Page p : finished) {
            // max repetition level 0: no repetition levels (BIT_PACKED is what Parquet names that)
            file.writeDataPage(
                    p.values(),
                    p.uncompressedSize(),
                    BytesInput.from(p.bytes()),
                    p.stats(),
                    p.values(),
                    Encoding.BIT_PACKED,
                    Encoding.RLE,
                    p.encoding());
        }
        file.endColumn();
        finished.clear();
        finishedBytes = 0;
        chunkValues = 0;
    }
}

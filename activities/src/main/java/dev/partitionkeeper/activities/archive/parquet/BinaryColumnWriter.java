package dev.partitionkeeper.activities.archive.parquet;

import static dev.partitionkeeper.activities.archive.parquet.LittleEndian.INT_LE;
import static dev.partitionkeeper.activities.archive.parquet.ParquetPartWriter.PAGE_ROW_LIMIT;

import java.io.IOException;
import java.util.Arrays;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.io.api.Binary;

/**
 * BINARY: text, json(b), text forms, bytea; min/max in unsigned byte order, as Parquet orders them.
 *
 * <p>Each row group starts with a dictionary, as Parquet's writer does, so a column of few distinct values
 * (a status, a currency) is stored as small integers that readers can use as such. Unlike Parquet's writer,
 * the dictionary gives up early ({@link #DICTIONARY_MAX_ENTRIES} values or {@link #DICTIONARY_MAX_BYTES})
 * and a column that gave up once is written PLAIN for the rest of the file, so ids, free text and JSON do
 * not pay for a dictionary in every row group.
 */
final class BinaryColumnWriter extends ColumnWriter {
    static final int DICTIONARY_MAX_ENTRIES = 4096;
    static final int DICTIONARY_MAX_BYTES = 256 * 1024;

    private byte[] min;
    private byte[] max;
    /** Values of this row group's dictionary; null once the column writes PLAIN for the rest of the file. */
    private BinaryDictionary dictionary = new BinaryDictionary();
    /** The open page's dictionary ids, one per non-null value, when the page is dictionary-encoded. */
    private int[] ids = new int[PAGE_ROW_LIMIT];

    private int idCount;
    private boolean pageUsesDictionary = true;
    /** Whether the page being closed holds dictionary ids (a page of NULLs only holds none: PLAIN). */
    private boolean closingDictionaryPage;
    /** Whether a dictionary page must precede this chunk's pages. */
    private boolean chunkUsesDictionary;

    BinaryColumnWriter(ColumnDescriptor d, int index, int pageBytes, PageCompressor pages) {
        super(d, index, pageBytes, pages);
    }

    @Override
    void append(Object[][] batch, int from, int to) throws IOException {
        for (int r = from; r < to; r++) {
            Object v = batch[r][index];
            if (v == null) {
                putNull();
            } else {
                byte[] x = (byte[]) v;
                defined[count] = 1;
                if (pageUsesDictionary) {
                    int id = dictionary.idOf(x);
                    if (id >= 0) {
                        ids[idCount++] = id;
                        size += 4;
                        rowDone();
                        continue;
                    }
                    giveUpDictionary(); // closes the open page: this value starts a PLAIN page
                    defined[count] = 1;
                }
                ensure(4 + x.length);
                INT_LE.set(values, size, x.length);
                System.arraycopy(x, 0, values, size + 4, x.length);
                size += 4 + x.length;
                minMax(x);
            }
            rowDone();
        }
    }

    /** The page's min/max in Parquet's order for BINARY: unsigned, byte by byte. */
    private void minMax(byte[] x) {
        if (min == null) {
            min = max = x;
        } else if (Arrays.compareUnsigned(x, min) < 0) {
            min = x;
        } else if (Arrays.compareUnsigned(x, max) > 0) {
            max = x;
        }
    }

    private void giveUpDictionary() throws IOException {
        closePage();
        pageUsesDictionary = false;
        dictionary.full = true; // stays in use for the pages written so far; none after them in this file
    }

    @Override
    int valueBytes() throws IOException {
        closingDictionaryPage = pageUsesDictionary && idCount > 0;
        if (!closingDictionaryPage) {
            return size;
        }
        // the bit width of the largest id, then the ids RLE / bit-packed (Parquet's dictionary-encoded data)
        int bitWidth = BytesUtils.getWidthFromMaxInt(dictionary.size() - 1);
        byte[] encoded;
        try (RunLengthBitPackingHybridEncoder rle = new RunLengthBitPackingHybridEncoder(
                bitWidth, 1024, pageBytes, HeapByteBufferAllocator.getInstance())) {
            for (int i = 0; i < idCount; i++) {
                rle.writeInt(ids[i]);
            }
            encoded = ZstdCodecFactory.toArray(rle.toBytes());
        }
        size = 0;
        ensure(1 + encoded.length);
        values[0] = (byte) bitWidth;
        System.arraycopy(encoded, 0, values, 1, encoded.length);
        chunkUsesDictionary = true;
        return 1 + encoded.length;
    }

    @Override
    @SuppressWarnings("deprecation") // BIT_PACKED / PLAIN_DICTIONARY: data page v1 names, as Parquet's v1 writer uses
    Encoding pageEncoding() {
        // data page v1, as Parquet's writer names dictionary-encoded pages there
        return closingDictionaryPage ? Encoding.PLAIN_DICTIONARY : Encoding.PLAIN;
    }

    @Override
    Statistics<?> takeStats() {
        if (pageUsesDictionary) {
            for (int i = 0; i < idCount; i++) {
                if (dictionary.markOnce(ids[i])) {
                    minMax(dictionary.value(ids[i]));
                }
            }
            dictionary.clearMarks();
            idCount = 0;
        }
        Statistics<?> s = Statistics.createStats(type);
        if (min != null) {
            s.updateStats(Binary.fromConstantByteArray(min));
            s.updateStats(Binary.fromConstantByteArray(max));
        }
        min = max = null;
        return s;
    }

    @Override
    long bufferedBytes() {
        return super.bufferedBytes() + (dictionary == null ? 0 : dictionary.bytes());
    }

    @Override
    @SuppressWarnings("deprecation") // BIT_PACKED / PLAIN_DICTIONARY: data page v1 names, as Parquet's v1 writer uses
    void writeDictionary(ParquetFileWriter file) throws IOException {
        if (chunkUsesDictionary) {
            byte[] plain = dictionary.plain();
            byte[] compressed = pages.compress(new byte[0], plain, plain.length);
            file.writeDictionaryPage(new DictionaryPage(
                    BytesInput.from(compressed), plain.length, dictionary.size(), Encoding.PLAIN_DICTIONARY));
        }
        chunkUsesDictionary = false;
        if (dictionary != null && dictionary.full) {
            dictionary = null;
            pageUsesDictionary = false;
        } else if (dictionary != null) {
            dictionary = new BinaryDictionary();
            pageUsesDictionary = true;
        }
    }
}

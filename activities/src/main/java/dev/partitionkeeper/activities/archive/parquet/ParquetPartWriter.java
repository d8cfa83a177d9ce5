package dev.partitionkeeper.activities.archive.parquet;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.Zstd;
import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.activities.archive.export.ExportOptions;
import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;

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
 */
public final class ParquetPartWriter implements Closeable {

  /** Parquet's default page row limit (ParquetProperties.DEFAULT_PAGE_ROW_COUNT_LIMIT). */
  static final int PAGE_ROW_LIMIT = 20_000;

  private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final ParquetFileWriter file;
  private final Map<String, String> footerMetadata;
  private final Column[] columns;
  private final Pages pages;
  private final long rowGroupBytes;
  private long rows;
  private long groupRows;
  private boolean closed;

  public ParquetPartWriter(HashedOutputFile out, List<ArchiveColumn> columns, Map<String, String> footerMetadata,
      ExportOptions options) throws IOException {
    MessageType schema = ParquetSchemas.schema(columns);
    this.rowGroupBytes = Math.min(options.rowGroupBytes(), options.maxFileBytes());
    this.footerMetadata = footerMetadata;
    this.pages = new Pages(options.zstdLevel());
    boolean started = false;
    try {
      this.file = new ParquetFileWriter(out, schema, ParquetFileWriter.Mode.OVERWRITE, rowGroupBytes, 0,
          ParquetProperties.DEFAULT_COLUMN_INDEX_TRUNCATE_LENGTH, ParquetProperties.DEFAULT_STATISTICS_TRUNCATE_LENGTH,
          true);
      this.columns = new Column[columns.size()];
      List<ColumnDescriptor> descriptors = schema.getColumns();
      for (int i = 0; i < this.columns.length; i++) {
        this.columns[i] = Column.of(columns.get(i).kind(), descriptors.get(i), i, options.pageBytes(), pages);
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
    for (Column c : columns) {
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
    for (Column c : columns) {
      b += c.bufferedBytes();
    }
    return b;
  }

  private void flushRowGroup() throws IOException {
    for (Column c : columns) {
      c.closePage();
    }
    file.startBlock(groupRows);
    for (Column c : columns) {
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

  /**
   * The unscaled value of a decimal of at most 18 digits. Same as {@code unscaledValue().longValueExact()}
   * without the BigInteger: a BigDecimal moved to scale 0 answers longValueExact from its compact long.
   */
  static long unscaled(BigDecimal v) {
    return v.scaleByPowerOfTen(v.scale()).longValueExact();
  }

  // ------------------------------------------------------------------ pages

  /** A compressed data page waiting for its row group to be written. */
  private record Page(byte[] bytes, int uncompressedSize, int values, Statistics<?> stats, Encoding encoding) {}

  /** Assembles and compresses pages; one ZSTD context and two reused buffers for every column. */
  private static final class Pages {
    private final ZstdCompressCtx ctx;
    private byte[] body = new byte[64 * 1024];
    private byte[] compressed = new byte[0];

    Pages(int level) {
      this.ctx = new ZstdCompressCtx().setLevel(level);
    }

    /** {@code levels} then {@code values[0..valueBytes)}, compressed into a page of its own. */
    Page compress(byte[] levels, byte[] values, int valueBytes, int count, Statistics<?> stats, Encoding encoding)
        throws IOException {
      byte[] page = compress(levels, values, valueBytes);
      return new Page(page, levels.length + valueBytes, count, stats, encoding);
    }

    byte[] compress(byte[] levels, byte[] values, int valueBytes) throws IOException {
      int levelBytes = levels.length;
      int n = levelBytes + valueBytes;
      if (body.length < n) {
        body = new byte[Math.max(n, body.length * 2)];
      }
      System.arraycopy(levels, 0, body, 0, levelBytes);
      System.arraycopy(values, 0, body, levelBytes, valueBytes);
      long bound = Zstd.compressBound(n);
      if (compressed.length < bound) {
        compressed = new byte[(int) Math.min(Integer.MAX_VALUE - 8, bound)];
      }
      try {
        int size = ctx.compressByteArray(compressed, 0, compressed.length, body, 0, n);
        return Arrays.copyOf(compressed, size);
      } catch (ZstdException e) {
        throw new IOException("ZSTD compression failed: " + e.getMessage(), e);
      }
    }

    void close() {
      ctx.close();
    }
  }

  /**
   * Parquet's RLE / bit-packed hybrid encoding, written as bit-packed runs only: each run is a varint header
   * {@code (groups << 1) | 1} and then {@code groups} groups of 8 values, {@code bitWidth} bits each, least
   * significant bit first; the last group is padded with zeros. At most 63 groups per run, so the header is
   * one byte, as Parquet's own writer does. Readers know the value count and ignore the padding.
   */
  static final class BitPacked {
    private static final int MAX_GROUPS = 63;

    private BitPacked() {}

    /** Bytes {@link #write} may need for {@code count} values. */
    static int maxBytes(int count, int bitWidth) {
      int groups = (count + 7) / 8;
      return groups * bitWidth + (groups + MAX_GROUPS - 1) / MAX_GROUPS;
    }

    /** Encodes {@code values[0..count)} into {@code out} from {@code off}; returns the bytes written. */
    static int write(int[] values, int count, int bitWidth, byte[] out, int off) {
      int p = off;
      int groups = (count + 7) / 8;
      int i = 0;
      for (int done = 0; done < groups; ) {
        int run = Math.min(MAX_GROUPS, groups - done);
        out[p++] = (byte) ((run << 1) | 1);
        long acc = 0;
        int bits = 0;
        for (int end = (done + run) * 8; i < end; i++) {
          acc |= (long) (i < count ? values[i] : 0) << bits;
          bits += bitWidth;
          while (bits >= 8) {
            out[p++] = (byte) acc;
            acc >>>= 8;
            bits -= 8;
          }
        }
        done += run;
      }
      return p - off;
    }
  }

  // ------------------------------------------------------------------ columns

  /**
   * One column's open page and the finished pages of the current row group. Subclasses append a batch of
   * values in a loop of their own and keep the page's min/max the way Parquet orders their type.
   */
  private abstract static class Column {
    final ColumnDescriptor descriptor;
    final PrimitiveType type;
    final int index;
    final int pageBytes;
    final Pages pages;
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

    Column(ColumnDescriptor descriptor, int index, int pageBytes, Pages pages) {
      this.descriptor = descriptor;
      this.type = descriptor.getPrimitiveType();
      this.index = index;
      this.pageBytes = pageBytes;
      this.pages = pages;
    }

    static Column of(ValueKind kind, ColumnDescriptor d, int index, int pageBytes, Pages pages) {
      PrimitiveType.PrimitiveTypeName physical = d.getPrimitiveType().getPrimitiveTypeName();
      return switch (kind) {
        case INT16, INT32, DATE, INT64, TIMESTAMP, TIMESTAMPTZ -> new IntegerColumn(d, index, pageBytes, pages, false);
        case DECIMAL -> switch (physical) {
          case INT32, INT64 -> new IntegerColumn(d, index, pageBytes, pages, true);
          default -> new OtherColumn(d, index, pageBytes, pages);
        };
        case STRING, JSON, TEXT_FORM, BYTES -> new BinaryColumn(d, index, pageBytes, pages);
        case UUID, FLOAT32, FLOAT64, BOOLEAN -> new OtherColumn(d, index, pageBytes, pages);
      };
    }

    abstract void append(Object[][] batch, int from, int to) throws IOException;

    /** The open page's statistics (min/max of its values, its nulls); resets them for the next page. */
    abstract Statistics<?> takeStats();

    /** Call at the end of a page: the length of its encoded values in {@code values}. */
    int valueBytes() {
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
    private byte[] levels() {
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
      int[] levels = new int[count];
      for (int i = 0; i < count; i++) {
        levels[i] = defined[i];
      }
      byte[] out = new byte[4 + BitPacked.maxBytes(count, 1)];
      int n = BitPacked.write(levels, count, 1, out, 4);
      INT_LE.set(out, 0, n);
      return Arrays.copyOf(out, 4 + n);
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
        file.writeDataPage(p.values(), p.uncompressedSize(), BytesInput.from(p.bytes()), p.stats(), p.values(),
            Encoding.BIT_PACKED, Encoding.RLE, p.encoding());
      }
      file.endColumn();
      finished.clear();
      finishedBytes = 0;
      chunkValues = 0;
    }
  }

  /**
   * INT32 (smallint, integer, date, numeric of up to 9 digits) and INT64 (bigint, timestamp(tz) as
   * microseconds, numeric of 10 to 18 digits); a numeric as its unscaled value. Signed min/max.
   */
  private static final class IntegerColumn extends Column {
    private final boolean int64;
    private final boolean decimal;
    private long min;
    private long max;
    private boolean any;

    IntegerColumn(ColumnDescriptor d, int index, int pageBytes, Pages pages, boolean decimal) {
      super(d, index, pageBytes, pages);
      this.int64 = d.getPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT64;
      this.decimal = decimal;
    }

    @Override
    void append(Object[][] batch, int from, int to) throws IOException {
      for (int r = from; r < to; r++) {
        Object v = batch[r][index];
        if (v == null) {
          putNull();
        } else {
          long x = decimal ? unscaled((BigDecimal) v) : ((Number) v).longValue();
          defined[count] = 1;
          ensure(8);
          if (int64) {
            LONG_LE.set(values, size, x);
            size += 8;
          } else {
            INT_LE.set(values, size, Math.toIntExact(x));
            size += 4;
          }
          if (!any) {
            min = max = x;
            any = true;
          } else if (x < min) {
            min = x;
          } else if (x > max) {
            max = x;
          }
        }
        rowDone();
      }
    }

    @Override
    Statistics<?> takeStats() {
      Statistics<?> s = Statistics.createStats(type);
      if (any && int64) {
        s.updateStats(min);
        s.updateStats(max);
      } else if (any) {
        s.updateStats((int) min);
        s.updateStats((int) max);
      }
      any = false;
      return s;
    }
  }

  /**
   * BINARY: text, json(b), text forms, bytea; min/max in unsigned byte order, as Parquet orders them.
   *
   * <p>Each row group starts with a dictionary, as Parquet's writer does, so a column of few distinct values
   * (a status, a currency) is stored as small integers that readers can use as such. Unlike Parquet's writer,
   * the dictionary gives up early ({@link #DICTIONARY_MAX_ENTRIES} values or {@link #DICTIONARY_MAX_BYTES})
   * and a column that gave up once is written PLAIN for the rest of the file, so ids, free text and JSON do
   * not pay for a dictionary in every row group.
   */
  private static final class BinaryColumn extends Column {
    static final int DICTIONARY_MAX_ENTRIES = 4096;
    static final int DICTIONARY_MAX_BYTES = 256 * 1024;

    private byte[] min;
    private byte[] max;
    /** Values of this row group's dictionary; null once the column writes PLAIN for the rest of the file. */
    private Dictionary dictionary = new Dictionary();
    /** The open page's dictionary ids, one per non-null value, when the page is dictionary-encoded. */
    private int[] ids = new int[PAGE_ROW_LIMIT];
    private int idCount;
    private boolean pageUsesDictionary = true;
    /** Whether the page being closed holds dictionary ids (a page of NULLs only holds none: PLAIN). */
    private boolean closingDictionaryPage;
    /** Whether a dictionary page must precede this chunk's pages. */
    private boolean chunkUsesDictionary;

    BinaryColumn(ColumnDescriptor d, int index, int pageBytes, Pages pages) {
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
    int valueBytes() {
      closingDictionaryPage = pageUsesDictionary && idCount > 0;
      if (!closingDictionaryPage) {
        return size;
      }
      // the bit width of the ids (at least 1), then the ids bit-packed (Parquet's dictionary-encoded data)
      int bitWidth = Math.max(1, 32 - Integer.numberOfLeadingZeros(dictionary.size() - 1));
      size = 0;
      ensure(1 + BitPacked.maxBytes(idCount, bitWidth));
      values[0] = (byte) bitWidth;
      chunkUsesDictionary = true;
      return 1 + BitPacked.write(ids, idCount, bitWidth, values, 1);
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
        file.writeDictionaryPage(new DictionaryPage(BytesInput.from(compressed), plain.length, dictionary.size(),
            Encoding.PLAIN_DICTIONARY));
      }
      chunkUsesDictionary = false;
      if (dictionary != null && dictionary.full) {
        dictionary = null;
        pageUsesDictionary = false;
      } else if (dictionary != null) {
        dictionary = new Dictionary();
        pageUsesDictionary = true;
      }
    }
  }

  /** Distinct values to ids, in the order they were first seen; open addressing on the values' bytes. */
  private static final class Dictionary {
    private final List<byte[]> values = new ArrayList<>();
    private final int[] slots = new int[Integer.highestOneBit(BinaryColumn.DICTIONARY_MAX_ENTRIES) * 4];
    private final boolean[] marks = new boolean[BinaryColumn.DICTIONARY_MAX_ENTRIES];
    private final int[] marked = new int[BinaryColumn.DICTIONARY_MAX_ENTRIES];
    private int markedCount;
    private int bytes;
    /** Set when a value did not fit: no new values are added. */
    boolean full;

    /** The value's id, adding it if it is new and fits; -1 when it is new and does not fit. */
    int idOf(byte[] v) {
      int mask = slots.length - 1;
      int i = Arrays.hashCode(v) & mask;
      while (true) {
        int slot = slots[i];
        if (slot == 0) {
          break;
        }
        if (Arrays.equals(values.get(slot - 1), v)) {
          return slot - 1;
        }
        i = (i + 1) & mask;
      }
      if (full || values.size() == BinaryColumn.DICTIONARY_MAX_ENTRIES
          || bytes + 4 + v.length > BinaryColumn.DICTIONARY_MAX_BYTES) {
        return -1;
      }
      values.add(v);
      bytes += 4 + v.length;
      slots[i] = values.size();
      return values.size() - 1;
    }

    int size() {
      return values.size();
    }

    int bytes() {
      return bytes;
    }

    byte[] value(int id) {
      return values.get(id);
    }

    /** True the first time {@code id} is marked since {@link #clearMarks}. */
    boolean markOnce(int id) {
      if (marks[id]) {
        return false;
      }
      marks[id] = true;
      marked[markedCount++] = id;
      return true;
    }

    void clearMarks() {
      for (int i = 0; i < markedCount; i++) {
        marks[marked[i]] = false;
      }
      markedCount = 0;
    }

    /** The dictionary page's values: PLAIN, in id order. */
    byte[] plain() {
      byte[] out = new byte[bytes];
      int p = 0;
      for (byte[] v : values) {
        INT_LE.set(out, p, v.length);
        System.arraycopy(v, 0, out, p + 4, v.length);
        p += 4 + v.length;
      }
      return out;
    }
  }

  /**
   * FLOAT, DOUBLE, BOOLEAN and FIXED_LEN_BYTE_ARRAY (uuid; numeric of more than 18 digits as its two's
   * complement, sign-extended). Statistics through Parquet's own per-value update, which knows the NaN rules
   * and that a decimal orders as a signed number.
   */
  private static final class OtherColumn extends Column {
    private final PrimitiveType.PrimitiveTypeName physical;
    private final int length;
    private Statistics<?> stats;
    /** BOOLEAN: values are bit-packed, LSB first; {@code bits} counts them. */
    private int bits;

    OtherColumn(ColumnDescriptor d, int index, int pageBytes, Pages pages) {
      super(d, index, pageBytes, pages);
      this.physical = d.getPrimitiveType().getPrimitiveTypeName();
      this.length = d.getPrimitiveType().getTypeLength();
      this.stats = Statistics.createStats(type);
    }

    @Override
    void append(Object[][] batch, int from, int to) throws IOException {
      for (int r = from; r < to; r++) {
        Object v = batch[r][index];
        if (v == null) {
          putNull();
        } else {
          defined[count] = 1;
          switch (physical) {
            case FLOAT -> {
              float x = (Float) v;
              ensure(4);
              INT_LE.set(values, size, Float.floatToIntBits(x));
              size += 4;
              stats.updateStats(x);
            }
            case DOUBLE -> {
              double x = (Double) v;
              ensure(8);
              LONG_LE.set(values, size, Double.doubleToLongBits(x));
              size += 8;
              stats.updateStats(x);
            }
            case FIXED_LEN_BYTE_ARRAY -> {
              byte[] x = v instanceof BigDecimal d ? twosComplement(d.unscaledValue(), length) : (byte[]) v;
              if (x.length != length) {
                throw new IOException(
                    "column " + descriptor + " holds values of " + length + " bytes, got " + x.length);
              }
              ensure(length);
              System.arraycopy(x, 0, values, size, length);
              size += length;
              stats.updateStats(Binary.fromConstantByteArray(x));
            }
            default -> {
              boolean x = (Boolean) v;
              if ((bits & 7) == 0) {
                ensure(1);
                values[size++] = 0;
              }
              if (x) {
                values[size - 1] |= (byte) (1 << (bits & 7));
              }
              bits++;
              stats.updateStats(x);
            }
          }
        }
        rowDone();
      }
    }

    @Override
    Statistics<?> takeStats() {
      bits = 0;
      Statistics<?> s = stats;
      stats = Statistics.createStats(type);
      return s;
    }

    /** Big-endian two's complement, sign-extended to exactly {@code length} bytes. */
    static byte[] twosComplement(BigInteger v, int length) {
      byte[] raw = v.toByteArray();
      if (raw.length > length) {
        throw new ArithmeticException("decimal " + v + " needs " + raw.length + " bytes, the column holds " + length);
      }
      byte[] out = new byte[length];
      if (v.signum() < 0) {
        Arrays.fill(out, 0, length - raw.length, (byte) 0xff);
      }
      System.arraycopy(raw, 0, out, length - raw.length, raw.length);
      return out;
    }
  }
}

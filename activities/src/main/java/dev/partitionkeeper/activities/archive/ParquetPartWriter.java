package dev.partitionkeeper.activities.archive;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;

/**
 * One Parquet file on local disk, hashed as it is written ({@link HashedOutputFile}). Memory is bounded by
 * the row group size: Parquet buffers one row group of encoded, compressed pages, then flushes it to the file.
 */
final class ParquetPartWriter implements Closeable {

  private final ParquetWriter<Object[]> writer;
  private final ZstdCodecFactory codecs;
  private long rows;

  /** {@code plainColumns}: columns written without trying a dictionary first ({@link ColumnDistinctness}). */
  ParquetPartWriter(HashedOutputFile file, List<ArchiveColumn> columns, Set<String> plainColumns,
      Map<String, String> footerMetadata, ExportOptions options) throws IOException {
    this.codecs = new ZstdCodecFactory(options.zstdLevel());
    Builder builder = new Builder(file, new RowWriteSupport(columns, footerMetadata))
        // PlainParquetConfiguration: no Hadoop Configuration, which would need the Hadoop runtime
        .withConf(new PlainParquetConfiguration())
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withCompressionCodec(CompressionCodecName.ZSTD)
        .withCodecFactory(codecs)
        .withRowGroupSize(Math.min(options.rowGroupBytes(), options.maxFileBytes()))
        .withPageSize(options.pageBytes())
        .withDictionaryEncoding(true)
        .withPageWriteChecksumEnabled(true);
    for (String column : plainColumns) {
      builder.withDictionaryEncoding(column, false);
    }
    this.writer = builder.build();
  }

  void write(Object[] row) throws IOException {
    writer.write(row);
    rows++;
  }

  long rows() {
    return rows;
  }

  /** Bytes written to the file so far plus what is buffered for the current row group. */
  long dataSize() {
    return writer.getDataSize();
  }

  @Override
  public void close() throws IOException {
    try {
      writer.close();
    } finally {
      codecs.release();
    }
  }

  private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {
    private final RowWriteSupport support;

    Builder(OutputFile file, RowWriteSupport support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** Still abstract in Parquet, so it must exist; build() calls the ParquetConfiguration variant. */
    @Override
    @Deprecated
    protected WriteSupport<Object[]> getWriteSupport(Configuration conf) {
      return support;
    }

    @Override
    protected WriteSupport<Object[]> getWriteSupport(ParquetConfiguration conf) {
      return support;
    }
  }
}

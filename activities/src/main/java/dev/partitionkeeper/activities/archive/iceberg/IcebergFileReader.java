package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.parquet.ZstdCodecFactory;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.parquet.ParquetValueReader;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;

/**
 * Reads one Iceberg data file into Iceberg generic records: the file's columns resolved by their Iceberg
 * field ids against the table's schema and converted by Iceberg's own value readers
 * ({@link GenericParquetReaders}), as any Iceberg reader resolves them. The pages are decompressed by
 * {@link ZstdCodecFactory} rather than Parquet's Hadoop codec classes, which need the Hadoop runtime (this is
 * the one part of Iceberg's {@code Parquet.read} not used).
 */
final class IcebergFileReader {

    private IcebergFileReader() {}

    /** @return rows read */
    static long read(FileIO io, String location, Schema projection, Consumer<Record> sink) throws IOException {
        ZstdCodecFactory codecs = new ZstdCodecFactory();
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(codecs)
                .usePageChecksumVerification(true)
                .build();
        long rows = 0;
        try (ParquetFileReader r = ParquetFileReader.open(input(io, location), options)) {
            MessageType fileSchema = r.getFileMetaData().getSchema();
            if (!ParquetSchemaUtil.hasIds(fileSchema)) {
                throw new IOException("data file " + location + " has no Iceberg field ids in its schema");
            }
            ParquetValueReader<Record> reader = GenericParquetReaders.buildReader(projection, fileSchema);
            PageReadStore pages;
            while ((pages = r.readNextRowGroup()) != null) {
                reader.setPageSource(pages);
                for (long i = 0; i < pages.getRowCount(); i++) {
                    sink.accept(reader.read(null));
                    rows++;
                }
            }
        } finally {
            codecs.release();
        }
        return rows;
    }

    private static InputFile input(FileIO io, String location) {
        if (io instanceof LocalFileIO) {
            return new LocalInputFile(LocalFileIO.file(location).toPath());
        }
        org.apache.iceberg.io.InputFile f = io.newInputFile(location);
        return new InputFile() {
            @Override
            public long getLength() {
                return f.getLength();
            }

            @Override
            public SeekableInputStream newStream() {
                org.apache.iceberg.io.SeekableInputStream s = f.newStream();
                return new DelegatingSeekableInputStream(s) {
                    @Override
                    public long getPos() throws IOException {
                        return s.getPos();
                    }

                    @Override
                    public void seek(long newPos) throws IOException {
                        s.seek(newPos);
                    }
                };
            }
        };
    }
}

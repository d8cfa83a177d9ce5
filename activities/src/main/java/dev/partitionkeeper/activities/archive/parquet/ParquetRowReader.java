package dev.partitionkeeper.activities.archive.parquet;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.activities.archive.copy.TableScan;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/** Reads an archive's Parquet file back into rows of the same {@link ValueKind} values that were written. */
public final class ParquetRowReader {

    private ParquetRowReader() {}

    /** The file does not hold the manifest's columns, or is not readable Parquet. */
    public static final class UnreadableFileException extends IOException {
        private static final long serialVersionUID = 1L;

        UnreadableFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Streams every row of {@code file} into {@code sink}.
     *
     * @return rows read
     * @throws UnreadableFileException when the file is corrupt or its schema differs from {@code columns}
     */
    public static long read(Path file, List<ArchiveColumn> columns, TableScan.RowSink sink) throws IOException {
        ZstdCodecFactory codecs = new ZstdCodecFactory();
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(codecs)
                .usePageChecksumVerification(true)
                .build();
        long rows = 0;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            String difference = ParquetSchemas.difference(schema, columns);
            if (difference != null) {
                throw new UnreadableFileException(difference, null);
            }
            MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
            RowMaterializer materializer = new RowMaterializer(columns, schema);
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Object[]> records = io.getRecordReader(pages, materializer);
                for (long i = 0, n = pages.getRowCount(); i < n; i++) {
                    Object[] row = records.read();
                    try {
                        sink.accept(row);
                    } catch (IOException | RuntimeException e) {
                        throw new SinkFailure(e);
                    }
                    rows++;
                }
            }
        } catch (UnreadableFileException e) {
            throw e;
        } catch (SinkFailure e) {
            // the sink's own failure (a COPY into PostgreSQL, ...) is not a problem of the file
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e.getCause();
        } catch (IOException | RuntimeException e) {
            // Parquet reports corruption as all sorts of exceptions; a store failure cannot happen here (local file)
            throw new UnreadableFileException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } finally {
            codecs.release();
        }
        return rows;
    }

    /** Carries a sink's exception past the handler that blames the file. */
    private static final class SinkFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SinkFailure(Exception cause) {
            super(cause);
        }
    }

    /** Builds one fresh Object[] per record; fields that are absent stay null. */
    private static final class RowMaterializer extends RecordMaterializer<Object[]> {
        private final int width;
        private final Converter[] converters;
        private Object[] current;
        private final GroupConverter root = new GroupConverter() {
            @Override
            public Converter getConverter(int fieldIndex) {
                return converters[fieldIndex];
            }

            @Override
            public void start() {
                current = new Object[width];
            }

            @Override
            public void end() {}
        };

        RowMaterializer(List<ArchiveColumn> columns, MessageType schema) {
            this.width = columns.size();
            this.converters = new Converter[width];
            for (int i = 0; i < width; i++) {
                converters[i] = converter(
                        i, columns.get(i), schema.getType(i).asPrimitiveType().getPrimitiveTypeName());
            }
        }

        private Converter converter(int i, ArchiveColumn col, PrimitiveTypeName physical) {
            return switch (col.kind()) {
                case INT16, INT32, DATE ->
                    new PrimitiveConverter() {
                        @Override
                        public void addInt(int value) {
                            current[i] = value;
                        }
                    };
                case INT64, TIMESTAMP, TIMESTAMPTZ ->
                    new PrimitiveConverter() {
                        @Override
                        public void addLong(long value) {
                            current[i] = value;
                        }
                    };
                case FLOAT32 ->
                    new PrimitiveConverter() {
                        @Override
                        public void addFloat(float value) {
                            current[i] = value;
                        }
                    };
                case FLOAT64 ->
                    new PrimitiveConverter() {
                        @Override
                        public void addDouble(double value) {
                            current[i] = value;
                        }
                    };
                case BOOLEAN ->
                    new PrimitiveConverter() {
                        @Override
                        public void addBoolean(boolean value) {
                            current[i] = value;
                        }
                    };
                case DECIMAL -> decimal(i, col.scale(), physical);
                case STRING, JSON, TEXT_FORM, UUID, BYTES ->
                    new PrimitiveConverter() {
                        @Override
                        public void addBinary(Binary value) {
                            current[i] = value.getBytes();
                        }
                    };
            };
        }

        private Converter decimal(int i, int scale, PrimitiveTypeName physical) {
            return new PrimitiveConverter() {
                @Override
                public void addInt(int value) {
                    current[i] = BigDecimal.valueOf(value, scale);
                }

                @Override
                public void addLong(long value) {
                    current[i] = BigDecimal.valueOf(value, scale);
                }

                @Override
                public void addBinary(Binary value) {
                    current[i] = new BigDecimal(new BigInteger(value.getBytes()), scale);
                }
            };
        }

        @Override
        public Object[] getCurrentRecord() {
            return current;
        }

        @Override
        public GroupConverter getRootConverter() {
            return root;
        }
    }
}

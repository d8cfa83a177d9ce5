package dev.partitionkeeper.activities.archive;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/** Writes rows of {@link ValueKind} values; a null value is simply an absent OPTIONAL field. */
final class RowWriteSupport extends WriteSupport<Object[]> {

  private final List<ArchiveColumn> columns;
  private final MessageType schema;
  private final Map<String, String> footerMetadata;
  private final PrimitiveTypeName[] physical;
  private final int[] fixedLength;
  private RecordConsumer out;

  RowWriteSupport(List<ArchiveColumn> columns, Map<String, String> footerMetadata) {
    this.columns = columns;
    this.schema = ParquetSchemas.schema(columns);
    this.footerMetadata = footerMetadata;
    this.physical = new PrimitiveTypeName[columns.size()];
    this.fixedLength = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      physical[i] = schema.getType(i).asPrimitiveType().getPrimitiveTypeName();
      fixedLength[i] = schema.getType(i).asPrimitiveType().getTypeLength();
    }
  }

  /** Still abstract in Parquet, so it must exist; the writer calls the ParquetConfiguration variant. */
  @Override
  @Deprecated
  public WriteContext init(Configuration configuration) {
    return new WriteContext(schema, footerMetadata);
  }

  @Override
  public WriteContext init(ParquetConfiguration configuration) {
    return new WriteContext(schema, footerMetadata);
  }

  @Override
  public String getName() {
    return "partition-keeper";
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.out = recordConsumer;
  }

  @Override
  public void write(Object[] row) {
    out.startMessage();
    for (int i = 0; i < row.length; i++) {
      Object v = row[i];
      if (v == null) {
        continue;
      }
      String name = columns.get(i).name();
      out.startField(name, i);
      switch (columns.get(i).kind()) {
        case INT16, INT32, DATE -> out.addInteger((Integer) v);
        case INT64, TIMESTAMP, TIMESTAMPTZ -> out.addLong((Long) v);
        case FLOAT32 -> out.addFloat((Float) v);
        case FLOAT64 -> out.addDouble((Double) v);
        case BOOLEAN -> out.addBoolean((Boolean) v);
        case DECIMAL -> writeDecimal(i, (BigDecimal) v);
        case STRING, JSON, TEXT_FORM, UUID, BYTES -> out.addBinary(Binary.fromConstantByteArray((byte[]) v));
      }
      out.endField(name, i);
    }
    out.endMessage();
  }

  private void writeDecimal(int i, BigDecimal v) {
    BigInteger unscaled = v.unscaledValue();
    switch (physical[i]) {
      case INT32 -> out.addInteger(unscaled.intValueExact());
      case INT64 -> out.addLong(unscaled.longValueExact());
      default -> out.addBinary(Binary.fromConstantByteArray(twosComplement(unscaled, fixedLength[i])));
    }
  }

  /** Big-endian two's complement, sign-extended to exactly {@code length} bytes. */
  static byte[] twosComplement(BigInteger v, int length) {
    byte[] raw = v.toByteArray();
    if (raw.length > length) {
      throw new ArithmeticException("decimal " + v + " needs " + raw.length + " bytes, the column holds " + length);
    }
    byte[] out = new byte[length];
    byte pad = (byte) (v.signum() < 0 ? 0xff : 0);
    for (int i = 0; i < length - raw.length; i++) {
      out[i] = pad;
    }
    System.arraycopy(raw, 0, out, length - raw.length, raw.length);
    return out;
  }
}

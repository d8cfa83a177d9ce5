package dev.partitionkeeper.activities.archive.parquet;

import static dev.partitionkeeper.activities.archive.parquet.LittleEndian.INT_LE;
import static dev.partitionkeeper.activities.archive.parquet.LittleEndian.LONG_LE;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType;

/**
 * FLOAT, DOUBLE, BOOLEAN and FIXED_LEN_BYTE_ARRAY (uuid; numeric of more than 18 digits as its two's
 * complement, sign-extended). Statistics through Parquet's own per-value update, which knows the NaN rules
 * and that a decimal orders as a signed number.
 */
final class OtherColumnWriter extends ColumnWriter {
    private final PrimitiveType.PrimitiveTypeName physical;
    private final int length;
    private Statistics<?> stats;
    /** BOOLEAN: values are bit-packed, LSB first; {@code bits} counts them. */
    private int bits;

    OtherColumnWriter(ColumnDescriptor d, int index, int pageBytes, PageCompressor pages) {
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
            throw new ArithmeticException(
                    "decimal " + v + " needs " + raw.length + " bytes, the column holds " + length);
        }
        byte[] out = new byte[length];
        if (v.signum() < 0) {
            Arrays.fill(out, 0, length - raw.length, (byte) 0xff);
        }
        System.arraycopy(raw, 0, out, length - raw.length, raw.length);
        return out;
    }
}

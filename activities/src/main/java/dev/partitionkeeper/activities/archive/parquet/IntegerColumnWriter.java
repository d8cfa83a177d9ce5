package dev.partitionkeeper.activities.archive.parquet;

import static dev.partitionkeeper.activities.archive.parquet.LittleEndian.INT_LE;
import static dev.partitionkeeper.activities.archive.parquet.LittleEndian.LONG_LE;

import java.io.IOException;
import java.math.BigDecimal;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.schema.PrimitiveType;

/**
 * INT32 (smallint, integer, date, numeric of up to 9 digits) and INT64 (bigint, timestamp(tz) as
 * microseconds, numeric of 10 to 18 digits); a numeric as its unscaled value. Signed min/max.
 */
final class IntegerColumnWriter extends ColumnWriter {
    private final boolean int64;
    private final boolean decimal;
    private long min;
    private long max;
    private boolean any;

    IntegerColumnWriter(ColumnDescriptor d, int index, int pageBytes, PageCompressor pages, boolean decimal) {
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

    /**
     * The unscaled value of a decimal of at most 18 digits. Same as {@code unscaledValue().longValueExact()}
     * without the BigInteger: a BigDecimal moved to scale 0 answers longValueExact from its compact long.
     */
    static long unscaled(BigDecimal v) {
        return v.scaleByPowerOfTen(v.scale()).longValueExact();
    }
}

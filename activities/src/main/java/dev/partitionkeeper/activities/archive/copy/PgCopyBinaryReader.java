package dev.partitionkeeper.activities.archive.copy;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.PgTextValue;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes {@code COPY ... TO STDOUT (FORMAT binary)} into rows of {@link ValueKind} Java values, or a {@link
 * PgTextValue} for a value the kind has no Java form for (numeric NaN and infinities, timestamps after year
 * 294246). Reads through its own buffer so memory stays constant whatever the table's size.
 */
final class PgCopyBinaryReader {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** Days and microseconds between PostgreSQL's epoch (2000-01-01) and Unix's (1970-01-01). */
    static final int PG_EPOCH_DAYS = 10_957;

    static final long PG_EPOCH_MICROS = PG_EPOCH_DAYS * 86_400L * 1_000_000L;

    private static final int NUMERIC_POS = 0x0000;
    private static final int NUMERIC_NEG = 0x4000;
    private static final int NUMERIC_NAN = 0xC000;
    private static final int NUMERIC_PINF = 0xD000;
    private static final int NUMERIC_NINF = 0xF000;
    private static final BigInteger NBASE = BigInteger.valueOf(10_000);

    private final InputStream in;
    private final List<ArchiveColumn> columns;
    private final ValueKind[] kinds;
    private byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private boolean headerRead;
    private long bytesRead;

    PgCopyBinaryReader(InputStream in, List<ArchiveColumn> columns) {
        this.in = in;
        this.columns = columns;
        this.kinds = columns.stream().map(ArchiveColumn::kind).toArray(ValueKind[]::new);
    }

    /** Bytes of COPY data consumed so far. */
    long bytesRead() {
        return bytesRead - (limit - pos);
    }

    /**
     * Fills {@code row} (one slot per column) with the next row.
     *
     * @return false after the last row
     */
    boolean next(Object[] row) throws IOException {
        if (!headerRead) {
            readHeader();
        }
        short fields = readShort();
        if (fields == -1) {
            return false;
        }
        if (fields != kinds.length) {
            throw new IOException("COPY row has " + fields + " fields, expected " + kinds.length);
        }
        for (int i = 0; i < kinds.length; i++) {
            int length = readInt();
            row[i] = length < 0 ? null : decode(i, length);
        }
        return true;
    }

    private void readHeader() throws IOException {
        ensure(SIGNATURE.length + 8);
        if (!Arrays.equals(buf, pos, pos + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw new IOException("COPY output does not start with the binary COPY signature");
        }
        pos += SIGNATURE.length;
        readInt(); // flags: bit 16 (OIDs) is never set for COPY (query)
        int extension = readInt();
        skip(extension);
        headerRead = true;
    }

    private Object decode(int i, int length) throws IOException {
        ensure(length);
        ValueKind kind = kinds[i];
        Object v = switch (kind) {
            case INT16 -> (int) getShort(pos);
            case INT32 -> getInt(pos);
            case INT64 -> getLong(pos);
            case FLOAT32 -> Float.intBitsToFloat(getInt(pos));
            case FLOAT64 -> Double.longBitsToDouble(getLong(pos));
            case BOOLEAN -> buf[pos] != 0;
            case DATE -> date(getInt(pos));
            case TIMESTAMP, TIMESTAMPTZ -> timestamp(getLong(pos), kind == ValueKind.TIMESTAMPTZ);
            case DECIMAL -> decimal(i, length);
            case STRING, JSON, TEXT_FORM, UUID, BYTES -> Arrays.copyOfRange(buf, pos, pos + length);
        };
        pos += length;
        return v;
    }

    private static int date(int pgDays) {
        if (pgDays == Integer.MAX_VALUE || pgDays == Integer.MIN_VALUE) {
            return pgDays; // infinity, -infinity
        }
        return pgDays + PG_EPOCH_DAYS; // cannot overflow: PostgreSQL dates end in 5874897 AD
    }

    private static Object timestamp(long pgMicros, boolean utc) {
        if (pgMicros == Long.MAX_VALUE || pgMicros == Long.MIN_VALUE) {
            return pgMicros; // infinity, -infinity
        }
        if (pgMicros >= Long.MAX_VALUE - PG_EPOCH_MICROS) {
            // after year 294246: no microseconds since 1970 in a long, but PostgreSQL goes on to 294276
            return new PgTextValue(PgText.timestampSincePgEpoch(pgMicros, utc));
        }
        return pgMicros + PG_EPOCH_MICROS;
    }

    private Object decimal(int i, int length) {
        int ndigits = getShort(pos) & 0xffff;
        int weight = getShort(pos + 2);
        int sign = getShort(pos + 4) & 0xffff;
        int dscale = getShort(pos + 6) & 0xffff;
        if (sign == NUMERIC_NAN) {
            return new PgTextValue("NaN");
        }
        if (sign == NUMERIC_PINF || sign == NUMERIC_NINF) {
            return new PgTextValue(sign == NUMERIC_PINF ? "Infinity" : "-Infinity");
        }
        if (sign != NUMERIC_POS && sign != NUMERIC_NEG || length != 8 + 2 * ndigits) {
            throw new IllegalStateException(
                    "malformed binary numeric in column \"" + columns.get(i).name() + "\"");
        }
        BigDecimal value;
        if (ndigits <= 4) {
            long acc = 0; // 4 base-10000 digits fit a long comfortably: the common case without BigInteger
            for (int d = 0; d < ndigits; d++) {
                acc = acc * 10_000 + getShort(pos + 8 + 2 * d);
            }
            value = BigDecimal.valueOf(sign == NUMERIC_NEG ? -acc : acc, 4 * (ndigits - 1 - weight));
        } else {
            BigInteger acc = BigInteger.ZERO;
            for (int d = 0; d < ndigits; d++) {
                acc = acc.multiply(NBASE).add(BigInteger.valueOf(getShort(pos + 8 + 2 * d)));
            }
            value = new BigDecimal(sign == NUMERIC_NEG ? acc.negate() : acc, 4 * (ndigits - 1 - weight));
        }
        int scale = columns.get(i).scale();
        try {
            // PostgreSQL keeps numeric(p,s) values at scale s; trailing zero digits past it are exact to drop
            return value.setScale(Math.max(scale, 0), RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new UnrepresentableValueException(
                    columns.get(i).name(),
                    "value " + value.toPlainString() + " (display scale " + dscale + ") has more digits than scale "
                            + scale);
        }
    }

    private short readShort() throws IOException {
        ensure(2);
        short v = getShort(pos);
        pos += 2;
        return v;
    }

    private int readInt() throws IOException {
        ensure(4);
        int v = getInt(pos);
        pos += 4;
        return v;
    }

    private void skip(int n) throws IOException {
        ensure(n);
        pos += n;
    }

    private short getShort(int p) {
        return (short) (((buf[p] & 0xff) << 8) | (buf[p + 1] & 0xff));
    }

    private int getInt(int p) {
        return ((buf[p] & 0xff) << 24) | ((buf[p + 1] & 0xff) << 16) | ((buf[p + 2] & 0xff) << 8) | (buf[p + 3] & 0xff);
    }

    private long getLong(int p) {
        return ((long) getInt(p) << 32) | (getInt(p + 4) & 0xffffffffL);
    }

    /** Makes {@code n} bytes available at {@code pos}, growing the buffer for values larger than it. */
    private void ensure(int n) throws IOException {
        if (limit - pos >= n) {
            return;
        }
        int remaining = limit - pos;
        if (n > buf.length) {
            buf = Arrays.copyOf(Arrays.copyOfRange(buf, pos, limit), Math.max(n, buf.length * 2));
        } else {
            System.arraycopy(buf, pos, buf, 0, remaining);
        }
        pos = 0;
        limit = remaining;
        while (limit < n) {
            int r = in.read(buf, limit, buf.length - limit);
            if (r < 0) {
                throw new EOFException("COPY output ended in the middle of a row");
            }
            limit += r;
            bytesRead += r;
        }
    }
}

package dev.partitionkeeper.activities.archive.summary;

import dev.partitionkeeper.activities.archive.column.PgTextValue;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.activities.archive.store.Sha256;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * An order-independent checksum of a multiset of rows: the sum modulo 2^128 of the first 16 bytes (read
 * as an unsigned big-endian number) of each row's SHA-256. Adding is commutative, so the order rows come
 * in does not matter; unlike XOR, a duplicated row counts twice.
 *
 * <p>A row is encoded for hashing as its values in column order, each as one tag byte and a big-endian
 * payload: {@code 0} NULL (no payload); {@code 1} Integer (4 bytes); {@code 2} Long (8); {@code 3} Float
 * ({@link Float#floatToIntBits}, so all NaNs are equal, 4); {@code 4} Double ({@link
 * Double#doubleToLongBits}, 8); {@code 5} Boolean (1 byte, 0 or 1); {@code 6} byte[] (4-byte length, then
 * the bytes); {@code 7} BigDecimal (4-byte scale, 4-byte length, the unscaled value in two's complement).
 * {@code 8} {@link PgTextValue} (4-byte length, then its text's UTF-8 bytes; no checksum made before it
 * existed can hold one, since such values stopped the export or went into a text-form column, so the
 * algorithm's name stays). The Java values are those of {@link ValueKind}: text is its UTF-8 bytes, dates are
 * days and timestamps microseconds since 1970.
 */
public final class ContentChecksum {

    /** Recorded in the manifest next to the value, so a later change of algorithm is detectable. */
    public static final String ALGORITHM = "sum128-sha256-v1";

    private static final int HASH_BYTES = 32;

    private final MessageDigest md = Sha256.newDigest();
    private final byte[] hash = new byte[HASH_BYTES];
    private byte[] buf = new byte[256];
    private int len;
    private long hi;
    private long lo;
    private long rows;

    /** Adds one row. */
    public void add(Object[] row) {
        len = 0;
        for (Object v : row) {
            encode(v);
        }
        md.update(buf, 0, len);
        try {
            md.digest(hash, 0, HASH_BYTES);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 digest into a 32-byte array failed", e);
        }
        long h = readLong(hash, 0);
        long l = readLong(hash, 8);
        long sum = lo + l;
        hi += h + (Long.compareUnsigned(sum, lo) < 0 ? 1 : 0);
        lo = sum;
        rows++;
    }

    /** Rows added so far. */
    public long rows() {
        return rows;
    }

    /** The checksum as 32 lower-case hex digits. */
    public String value() {
        return String.format("%016x%016x", hi, lo);
    }

    @Override
    public String toString() {
        return value() + " (" + rows + " rows)";
    }

    private void encode(Object v) {
        if (v == null) {
            put((byte) 0);
        } else if (v instanceof Integer i) {
            put((byte) 1);
            putInt(i);
        } else if (v instanceof Long l) {
            put((byte) 2);
            putLong(l);
        } else if (v instanceof Float f) {
            put((byte) 3);
            putInt(Float.floatToIntBits(f));
        } else if (v instanceof Double d) {
            put((byte) 4);
            putLong(Double.doubleToLongBits(d));
        } else if (v instanceof Boolean b) {
            put((byte) 5);
            put((byte) (b ? 1 : 0));
        } else if (v instanceof byte[] bytes) {
            put((byte) 6);
            putInt(bytes.length);
            putBytes(bytes);
        } else if (v instanceof BigDecimal d) {
            put((byte) 7);
            putInt(d.scale());
            if (d.precision() <= 18) {
                // BigInteger.toByteArray's bytes without a BigInteger: bitLength/8 + 1 bytes, big-endian, sign
                // included. Up to 18 digits the unscaled value is a long, which scale 0 hands out as is.
                long u = d.scaleByPowerOfTen(d.scale()).longValueExact();
                int bits = Long.SIZE - Long.numberOfLeadingZeros(u < 0 ? ~u : u); // BigInteger.bitLength()
                int n = bits / 8 + 1;
                putInt(n);
                ensure(n);
                for (int shift = 8 * (n - 1); shift >= 0; shift -= 8) {
                    buf[len++] = (byte) (u >>> shift);
                }
            } else {
                byte[] bytes = d.unscaledValue().toByteArray();
                putInt(bytes.length);
                putBytes(bytes);
            }
        } else if (v instanceof PgTextValue t) {
            put((byte) 8);
            byte[] bytes = t.text().getBytes(StandardCharsets.UTF_8);
            putInt(bytes.length);
            putBytes(bytes);
        } else {
            throw new IllegalArgumentException(
                    "no checksum encoding for " + v.getClass().getName());
        }
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void putInt(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private void putBytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }
}

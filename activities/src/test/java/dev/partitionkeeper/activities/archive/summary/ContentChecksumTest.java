package dev.partitionkeeper.activities.archive.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.partitionkeeper.activities.archive.column.PgTextValue;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContentChecksumTest {

    private static String checksum(List<Object[]> rows) {
        ContentChecksum c = new ContentChecksum();
        rows.forEach(c::add);
        return c.value();
    }

    private static Object[] row(Object... values) {
        return values;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void emptyIsZeroAndRowsAreCounted() {
        ContentChecksum c = new ContentChecksum();
        assertEquals("00000000000000000000000000000000", c.value());
        c.add(row(1, 2L));
        c.add(row(1, 2L));
        assertEquals(2, c.rows());
        assertEquals(32, c.value().length());
    }

    @Test
    void orderOfRowsDoesNotMatter() {
        List<Object[]> rows = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            rows.add(row(
                    i,
                    random.nextLong(),
                    utf8("row " + i),
                    i % 7 == 0 ? null : BigDecimal.valueOf(i, 2),
                    random.nextDouble(),
                    i % 2 == 0));
        }
        String inOrder = checksum(rows);
        Collections.shuffle(rows, random);
        assertEquals(inOrder, checksum(rows));
        Collections.reverse(rows);
        assertEquals(inOrder, checksum(rows));
    }

    @Test
    void aDuplicatedRowCountsTwice() {
        Object[] a = row(1, utf8("a"));
        Object[] b = row(2, utf8("b"));
        assertNotEquals(checksum(List.of(a, b)), checksum(List.of(a, a, b)));
        // XOR would make a pair of equal rows vanish; a sum does not
        assertNotEquals(checksum(List.<Object[]>of(b)), checksum(List.of(a, a, b)));
    }

    @Test
    void valuesAreTypedAndNullIsNotEmpty() {
        assertNotEquals(checksum(List.<Object[]>of(row((Object) null))), checksum(List.<Object[]>of(row(utf8("")))));
        assertNotEquals(checksum(List.<Object[]>of(row(1))), checksum(List.<Object[]>of(row(1L))));
        assertNotEquals(checksum(List.<Object[]>of(row(1.0f))), checksum(List.<Object[]>of(row(1.0d))));
        // numeric(p,s) values carry their scale: 1.0 and 1.00 are different archives of a column
        assertNotEquals(
                checksum(List.<Object[]>of(row(new BigDecimal("1.0")))),
                checksum(List.<Object[]>of(row(new BigDecimal("1.00")))));
        // a value moved to the next column is a different row
        assertNotEquals(
                checksum(List.<Object[]>of(row(utf8("ab"), utf8("")))),
                checksum(List.<Object[]>of(row(utf8("a"), utf8("b")))));
    }

    @Test
    void aPgTextValueIsNotTheSameTextAsBytes() {
        assertNotEquals(
                checksum(List.<Object[]>of(row(new PgTextValue("NaN")))),
                checksum(List.<Object[]>of(row(utf8("NaN")))));
        assertEquals(
                checksum(List.<Object[]>of(row(new PgTextValue("NaN")))),
                checksum(List.<Object[]>of(row(new PgTextValue("NaN")))));
        assertNotEquals(
                checksum(List.<Object[]>of(row(new PgTextValue("NaN")))),
                checksum(List.<Object[]>of(row((Object) null))));
    }

    @Test
    void everyNaNIsTheSameNaN() {
        float otherNaN = Float.intBitsToFloat(0x7fc00001);
        assertEquals(checksum(List.<Object[]>of(row(Float.NaN))), checksum(List.<Object[]>of(row(otherNaN))));
        assertNotEquals(checksum(List.<Object[]>of(row(0.0d))), checksum(List.<Object[]>of(row(-0.0d))));
    }

    @Test
    void theSameRowsGiveTheSameValueAcrossInstances() {
        List<Object[]> rows = List.of(row(1, utf8("x"), null), row(2, utf8("y"), 3L));
        assertEquals(checksum(rows), checksum(new ArrayList<>(rows)));
        assertEquals(32, checksum(rows).length());
    }

    @Test
    void unknownJavaTypesAreRefused() {
        ContentChecksum c = new ContentChecksum();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.add(row(new Object())));
        assertEquals("no checksum encoding for java.lang.Object", e.getMessage());
    }

    @Test
    void aDecimalIsHashedAsItsScaleAndTheTwosComplementOfItsUnscaledValue() throws Exception {
        // the definition (sum128-sha256-v1), written out the slow way: the archives already written depend on it
        List<BigDecimal> values = new ArrayList<>();
        for (String v : List.of(
                "0",
                "0.00",
                "1",
                "-1",
                "1.27",
                "1.28",
                "-1.28",
                "-1.29",
                "327.67",
                "327.68",
                "-327.68",
                "12345678.90",
                "-9999999999999999.99",
                "92233720368547758.07",
                "-92233720368547758.08",
                "92233720368547758.08",
                "-92233720368547758.09",
                "123456789012345678901234567890.123")) {
            values.add(new BigDecimal(v));
        }
        for (int bits = 0; bits < 64; bits++) {
            values.add(BigDecimal.valueOf(1L << bits, 2));
            values.add(BigDecimal.valueOf(-(1L << bits), 2));
            values.add(BigDecimal.valueOf((1L << bits) - 1, 4));
        }
        for (BigDecimal v : values) {
            byte[] unscaled = v.unscaledValue().toByteArray();
            ByteBuffer encoding = ByteBuffer.allocate(9 + unscaled.length);
            encoding.put((byte) 7).putInt(v.scale()).putInt(unscaled.length).put(unscaled);
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(encoding.array());
            String expected = HexFormat.of().formatHex(sha, 0, 16);
            assertEquals(expected, checksum(List.<Object[]>of(row(v))), v.toPlainString());
        }
    }
}

package dev.partitionkeeper.activities.archive.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partitionkeeper.activities.archive.column.PgTextValue;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PgTextTest {

    @Test
    void datesAreIsoWithBcForYearsBeforeOne() {
        assertEquals("1970-01-01", PgText.date(0));
        assertEquals("1969-12-31", PgText.date(-1));
        assertEquals("9999-12-31", PgText.date((int) LocalDate.of(9999, 12, 31).toEpochDay()));
        assertEquals("0001-01-01", PgText.date((int) LocalDate.of(1, 1, 1).toEpochDay()));
        // ISO year 0 is 1 BC
        assertEquals("0001-12-31 BC", PgText.date((int) LocalDate.of(0, 12, 31).toEpochDay()));
        assertEquals(
                "4713-01-01 BC", PgText.date((int) LocalDate.of(-4712, 1, 1).toEpochDay()));
        assertEquals("infinity", PgText.date(Integer.MAX_VALUE));
        assertEquals("-infinity", PgText.date(Integer.MIN_VALUE));
    }

    @Test
    void timestampsKeepMicrosecondsAndSayUtcForTimestamptz() {
        assertEquals("1970-01-01 00:00:00", PgText.timestamp(0, false));
        assertEquals("1970-01-01 00:00:00+00", PgText.timestamp(0, true));
        assertEquals("1969-12-31 23:59:59.999999", PgText.timestamp(-1, false));
        assertEquals("1970-01-01 00:00:00.12", PgText.timestamp(120_000, false));
        assertEquals(
                "0044-03-15 12:00:00+00 BC",
                PgText.timestamp(LocalDate.of(-43, 3, 15).toEpochDay() * 86_400_000_000L + 12 * 3_600_000_000L, true));
        // after year 294246 only PostgreSQL's own epoch (2000-01-01) holds the microseconds in a long
        long pgEpochMicros = PgCopyBinaryReader.PG_EPOCH_MICROS;
        assertEquals("294247-01-10 04:00:54.775806", PgText.timestamp(Long.MAX_VALUE - 1, false));
        assertEquals(
                "294247-01-10 04:00:54.775807+00", PgText.timestampSincePgEpoch(Long.MAX_VALUE - pgEpochMicros, true));
        assertEquals("1970-01-01 00:00:00", PgText.timestampSincePgEpoch(-pgEpochMicros, false));
        assertEquals("NaN", PgText.render(ValueKind.DECIMAL, new PgTextValue("NaN")));
        assertEquals("infinity", PgText.timestamp(Long.MAX_VALUE, true));
        assertEquals("-infinity", PgText.timestamp(Long.MIN_VALUE, false));
    }

    @Test
    void numbersReadBackExactly() {
        assertEquals("NaN", PgText.render(ValueKind.FLOAT64, Double.NaN));
        assertEquals("-Infinity", PgText.render(ValueKind.FLOAT32, Float.NEGATIVE_INFINITY));
        assertEquals("4.9E-324", PgText.render(ValueKind.FLOAT64, Double.MIN_VALUE));
        assertEquals("0.00000000001", PgText.render(ValueKind.DECIMAL, new BigDecimal("1E-11")));
        assertEquals("t", PgText.render(ValueKind.BOOLEAN, true));
    }

    @Test
    void bytesAndUuidsUsePostgresForms() {
        assertEquals("\\x00ff", PgText.render(ValueKind.BYTES, new byte[] {0, (byte) 0xff}));
        byte[] uuid = new byte[16];
        uuid[15] = 1;
        assertEquals("00000000-0000-0000-0000-000000000001", PgText.render(ValueKind.UUID, uuid));
    }
}

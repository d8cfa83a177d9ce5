package dev.partitionkeeper.activities.archive.copy;

import dev.partitionkeeper.activities.archive.column.PgTextValue;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * Renders {@link ValueKind} values in a text form PostgreSQL reads back exactly, whatever the session's
 * DateStyle or TimeZone: ISO dates with an explicit {@code BC}, timestamptz in UTC with {@code +00},
 * shortest round-trip floats, {@code \x} hex bytea. Used for COPY on restore and for min/max in the
 * manifest.
 */
public final class PgText {

    private static final HexFormat HEX = HexFormat.of();

    private PgText() {}

    public static String render(ValueKind kind, Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof PgTextValue t) {
            return t.text();
        }
        return switch (kind) {
            case INT16, INT32, INT64, BOOLEAN -> kind == ValueKind.BOOLEAN ? ((Boolean) v ? "t" : "f") : v.toString();
            case DECIMAL -> ((BigDecimal) v).toPlainString();
            case FLOAT32 -> floatText((Float) v);
            case FLOAT64 -> doubleText((Double) v);
            case STRING, JSON, TEXT_FORM -> new String((byte[]) v, StandardCharsets.UTF_8);
            case BYTES -> "\\x" + HEX.formatHex((byte[]) v);
            case UUID -> uuid((byte[]) v);
            case DATE -> date((Integer) v);
            case TIMESTAMP -> timestamp((Long) v, false);
            case TIMESTAMPTZ -> timestamp((Long) v, true);
        };
    }

    private static String floatText(float f) {
        if (Float.isNaN(f)) {
            return "NaN";
        }
        if (Float.isInfinite(f)) {
            return f > 0 ? "Infinity" : "-Infinity";
        }
        return Float.toString(f); // enough digits to read back the same float
    }

    private static String doubleText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return Double.toString(d);
    }

    private static String uuid(byte[] b) {
        String h = HEX.formatHex(b);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20);
    }

    static String date(int days) {
        if (days == Integer.MAX_VALUE) {
            return "infinity";
        }
        if (days == Integer.MIN_VALUE) {
            return "-infinity";
        }
        LocalDate d = LocalDate.ofEpochDay(days);
        StringBuilder s = new StringBuilder(16);
        appendDate(s, d.getYear(), d.getMonthValue(), d.getDayOfMonth());
        if (d.getYear() <= 0) {
            s.append(" BC");
        }
        return s.toString();
    }

    static String timestamp(long micros, boolean utc) {
        if (micros == Long.MAX_VALUE) {
            return "infinity";
        }
        if (micros == Long.MIN_VALUE) {
            return "-infinity";
        }
        return timestamp(Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L), utc);
    }

    /**
     * A timestamp given as PostgreSQL stores it, microseconds since 2000-01-01, which reaches past what
     * microseconds since 1970 hold in a long (after year 294246, up to PostgreSQL's 294276).
     */
    static String timestampSincePgEpoch(long pgMicros, boolean utc) {
        long seconds = Math.floorDiv(pgMicros, 1_000_000L) + PgCopyBinaryReader.PG_EPOCH_DAYS * 86_400L;
        return timestamp(seconds, (int) Math.floorMod(pgMicros, 1_000_000L), utc);
    }

    private static String timestamp(long seconds, int fraction, boolean utc) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, fraction * 1000, ZoneOffset.UTC);
        StringBuilder s = new StringBuilder(40);
        appendDate(s, t.getYear(), t.getMonthValue(), t.getDayOfMonth());
        s.append(' ');
        pad2(s, t.getHour()).append(':');
        pad2(s, t.getMinute()).append(':');
        pad2(s, t.getSecond());
        if (fraction != 0) {
            String f = String.format("%06d", fraction);
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            s.append('.').append(f, 0, end);
        }
        if (utc) {
            s.append("+00");
        }
        if (t.getYear() <= 0) {
            s.append(" BC");
        }
        return s.toString();
    }

    /** Years before 1 AD are written as PostgreSQL does: year 0 is 1 BC, -1 is 2 BC, and so on. */
    private static void appendDate(StringBuilder s, int isoYear, int month, int day) {
        int year = isoYear <= 0 ? 1 - isoYear : isoYear;
        String y = Integer.toString(year);
        for (int i = y.length(); i < 4; i++) {
            s.append('0');
        }
        s.append(y).append('-');
        pad2(s, month).append('-');
        pad2(s, day);
    }

    private static StringBuilder pad2(StringBuilder s, int v) {
        if (v < 10) {
            s.append('0');
        }
        return s.append(v);
    }
}

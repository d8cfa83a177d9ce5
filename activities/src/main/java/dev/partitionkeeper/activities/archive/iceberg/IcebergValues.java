package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * Iceberg's generic values read back, in the Java form of each column's {@code ValueKind} (the form the
 * export checksummed and COPY writes), so the checksum of what Iceberg returns compares with the source's.
 */
final class IcebergValues {

    private IcebergValues() {}

    /**
     * {@code record}'s fields in {@code columns}' order, by name, into {@code row}; where a column is NULL and
     * its companion ({@code pgText[i]}, null for none) is not, the value is the companion's.
     */
    static void toRow(Record record, List<ArchiveColumn> columns, String[] pgText, Object[] row) {
        for (int i = 0; i < row.length; i++) {
            ArchiveColumn c = columns.get(i);
            Object v = record.getField(c.name());
            if (v == null && pgText[i] != null) {
                Object text = record.getField(pgText[i]);
                row[i] = text == null ? null : PgTextColumns.value(c.kind(), text.toString());
            } else {
                row[i] = value(c, v);
            }
        }
    }

    static Object value(ArchiveColumn c, Object v) {
        if (v == null) {
            return null;
        }
        return switch (c.kind()) {
            // a column widened later (int to long) reads back in the wider type
            case INT16, INT32 -> ((Number) v).intValue();
            case INT64 -> ((Number) v).longValue();
            case DECIMAL -> ((BigDecimal) v).setScale(c.scale());
            case FLOAT32 -> ((Number) v).floatValue();
            case FLOAT64 -> ((Number) v).doubleValue();
            case BOOLEAN -> v;
            case STRING, JSON, TEXT_FORM -> v.toString().getBytes(StandardCharsets.UTF_8);
            case DATE -> DateTimeUtil.daysFromDate((LocalDate) v);
            case TIMESTAMP -> DateTimeUtil.microsFromTimestamp((LocalDateTime) v);
            case TIMESTAMPTZ -> DateTimeUtil.microsFromTimestamptz((OffsetDateTime) v);
            case UUID -> uuidBytes((UUID) v);
            case BYTES -> bytes((ByteBuffer) v);
        };
    }

    private static byte[] uuidBytes(UUID u) {
        return ByteBuffer.allocate(16)
                .putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits())
                .array();
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}

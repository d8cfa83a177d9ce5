package dev.partitionkeeper.activities.archive.summary;

import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.activities.archive.copy.PgText;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Comparator;

/** Smallest and largest non-NULL value of one column, compared as PostgreSQL orders that type. */
final class KeyRange {

    private final ValueKind kind;
    private final Comparator<Object> order;
    private Object min;
    private Object max;

    KeyRange(ValueKind kind) {
        this.kind = kind;
        this.order = comparator(kind);
    }

    @SuppressWarnings("unchecked")
    private static Comparator<Object> comparator(ValueKind kind) {
        return switch (kind) {
            case INT16, INT32, DATE -> Comparator.comparing(o -> (Integer) o);
            case INT64, TIMESTAMP, TIMESTAMPTZ -> Comparator.comparing(o -> (Long) o);
            case DECIMAL -> Comparator.comparing(o -> (BigDecimal) o);
            case FLOAT32 -> Comparator.comparing(o -> (Float) o);
            case FLOAT64 -> Comparator.comparing(o -> (Double) o);
            case BOOLEAN -> Comparator.comparing(o -> (Boolean) o);
            // byte order: the same as PostgreSQL's only under the C collation, and good enough to compare
            // archive with source, which is all the text kinds are used for here
            case STRING, JSON, TEXT_FORM, UUID, BYTES -> (a, b) -> Arrays.compareUnsigned((byte[]) a, (byte[]) b);
        };
    }

    void accept(Object v) {
        if (v == null) {
            return;
        }
        if (min == null || order.compare(v, min) < 0) {
            min = v;
        }
        if (max == null || order.compare(v, max) > 0) {
            max = v;
        }
    }

    /** PostgreSQL text of the smallest value, null when every value was NULL or there were no rows. */
    String minText() {
        return PgText.render(kind, min);
    }

    String maxText() {
        return PgText.render(kind, max);
    }
}

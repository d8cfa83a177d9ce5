package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * PostgreSQL columns as Iceberg types (the same {@link ValueKind}s the Parquet export writes), the partition
 * spec that mirrors the PostgreSQL interval, and the schema changes Iceberg can take.
 */
final class IcebergSchemas {

    /** The failure type of a column change Iceberg cannot express; not retried, the partition stays detached. */
    static final String SCHEMA_CHANGE = "ArchiveSchemaChange";
    /** Iceberg's largest decimal precision; wider numeric(p,s) columns are archived in their text form. */
    static final int MAX_DECIMAL_PRECISION = 38;

    private IcebergSchemas() {}

    /** The columns as they are written to Iceberg: numeric wider than Iceberg's decimals in text form. */
    static List<ArchiveColumn> exported(List<ArchiveColumn> catalog) {
        List<ArchiveColumn> out = new ArrayList<>(catalog.size());
        for (ArchiveColumn c : catalog) {
            out.add(c.kind() == ValueKind.DECIMAL && c.precision() > MAX_DECIMAL_PRECISION ? c.asTextForm() : c);
        }
        return out;
    }

    static Type type(ArchiveColumn c) {
        return switch (c.kind()) {
            case INT16, INT32 -> Types.IntegerType.get();
            case INT64 -> Types.LongType.get();
            case DECIMAL -> Types.DecimalType.of(c.precision(), c.scale());
            case FLOAT32 -> Types.FloatType.get();
            case FLOAT64 -> Types.DoubleType.get();
            case BOOLEAN -> Types.BooleanType.get();
            case STRING, JSON, TEXT_FORM -> Types.StringType.get();
            case DATE -> Types.DateType.get();
            case TIMESTAMP -> Types.TimestampType.withoutZone();
            case TIMESTAMPTZ -> Types.TimestampType.withZone();
            case UUID -> Types.UUIDType.get();
            case BYTES -> Types.BinaryType.get();
        };
    }

    /** Every column optional: a NULL needs no special case, and a column added later is NULL in older files. */
    static Schema schema(List<ArchiveColumn> columns) {
        List<Types.NestedField> fields = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            ArchiveColumn c = columns.get(i);
            fields.add(Types.NestedField.optional(i + 1, c.name(), type(c), c.pgType()));
        }
        return new Schema(fields);
    }

    /**
     * {@code hour}/{@code day}/{@code month}/{@code year} of the key when every PostgreSQL partition falls in one
     * such period (1 hour or less, 1 day or a divisor of it, 1 month, a divisor of a year, 1 year), else no
     * partition transform (engines still prune by the files' key min/max). A timestamptz key counts days in
     * the policy's zone, Iceberg in UTC: they agree only for a UTC policy, else the key is left unpartitioned.
     */
    static PartitionSpec spec(Schema schema, String key, ValueKind kind, TablePolicy policy) {
        PartitionSpec.Builder b = PartitionSpec.builderFor(schema);
        if (policy.interval().unit() == PartitionInterval.Unit.VALUES) {
            // integer ids in steps of key values: partitions start at multiples of the step, as truncate's do
            long step = policy.interval().step();
            boolean whole = kind == ValueKind.INT16
                    || kind == ValueKind.INT32
                    || kind == ValueKind.INT64
                    || kind == ValueKind.DECIMAL;
            return whole && step > 0 && step <= Integer.MAX_VALUE
                    ? b.truncate(key, (int) step).build()
                    : PartitionSpec.unpartitioned();
        }
        String transform = transform(kind, policy.interval(), policy.timezone());
        return switch (transform) {
            case "hour" -> b.hour(key).build();
            case "day" -> b.day(key).build();
            case "month" -> b.month(key).build();
            case "year" -> b.year(key).build();
            default -> PartitionSpec.unpartitioned();
        };
    }

    static String transform(ValueKind kind, PartitionInterval interval, String timezone) {
        boolean time = kind == ValueKind.TIMESTAMP || kind == ValueKind.TIMESTAMPTZ;
        if (!time && kind != ValueKind.DATE) {
            return "none";
        }
        boolean utc = timezone == null || timezone.equals("UTC") || timezone.equals("Etc/UTC") || timezone.equals("Z");
        int n = interval.amount();
        String t = switch (interval.unit()) {
            case MINUTES -> 60 % n == 0 ? "hour" : "day";
            case HOURS -> n == 1 ? "hour" : "day";
            case DAYS -> n == 1 ? "day" : "none";
            case WEEKS -> "none";
            case MONTHS -> n == 1 ? "month" : 12 % n == 0 ? "year" : "none";
            case YEARS -> n == 1 ? "year" : "none";
            case VALUES -> "none"; // a step of key values: see spec
        };
        if (kind == ValueKind.DATE && t.equals("hour")) {
            return "none";
        }
        if (kind == ValueKind.TIMESTAMPTZ && !utc && !t.equals("hour")) {
            return "none";
        }
        return t;
    }

    /**
     * Brings the Iceberg schema up to {@code columns} before a commit: a column added in PostgreSQL is added;
     * a type Iceberg can widen (int to long, float to double, a wider decimal) is widened. Anything else
     * refuses, naming the column and both types.
     *
     * @return true when the schema changed
     */
    static boolean evolve(Table table, List<ArchiveColumn> columns, String source) {
        Schema current = table.schema();
        UpdateSchema update = null;
        for (ArchiveColumn c : columns) {
            Type want = type(c);
            Types.NestedField f = current.findField(c.name());
            if (f == null) {
                update = update == null ? table.updateSchema() : update;
                update.addColumn(c.name(), want, c.pgType());
                continue;
            }
            PgTextColumns.refuseReal(f, c, source, table);
            if (f.type().equals(want)) {
                continue;
            }
            if (want.isPrimitiveType() && TypeUtil.isPromotionAllowed(f.type(), want.asPrimitiveType())) {
                update = update == null ? table.updateSchema() : update;
                update.updateColumn(c.name(), want.asPrimitiveType());
                continue;
            }
            throw new ArchiveFormat.Refused(
                    SCHEMA_CHANGE,
                    "column \"" + c.name() + "\" of " + source + " is " + c.pgType() + " (Iceberg " + want
                            + ") but " + f.type() + " in Iceberg table " + table.name()
                            + "; Iceberg can only widen int to long, float to double and decimal(P,S) to a larger P."
                            + " The partition stays detached: change the column back, or archive the table under"
                            + " another Iceberg name (archive.iceberg_table)");
        }
        if (update == null) {
            return false;
        }
        update.commit();
        return true;
    }

    /** The Iceberg field id of each column, by name. */
    static int[] fieldIds(Schema schema, List<ArchiveColumn> columns) {
        int[] ids = new int[columns.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = schema.findField(columns.get(i).name()).fieldId();
        }
        return ids;
    }
}

package dev.partitionkeeper.activities.archive.parquet;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import java.util.List;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/** The Parquet schema for archived columns. Every column is OPTIONAL so NULLs need no special case. */
public final class ParquetSchemas {

    static final String MESSAGE_NAME = "row";

    private ParquetSchemas() {}

    static MessageType schema(List<ArchiveColumn> columns) {
        return schema(columns, null);
    }

    /**
     * With {@code fieldIds} (one per column, or null for none) each field carries its Iceberg field id, which
     * Iceberg readers resolve columns by.
     */
    static MessageType schema(List<ArchiveColumn> columns, int[] fieldIds) {
        Types.MessageTypeBuilder message = Types.buildMessage();
        for (int i = 0; i < columns.size(); i++) {
            PrimitiveType f = field(columns.get(i));
            message.addField(fieldIds == null ? f : f.withId(fieldIds[i]));
        }
        return message.named(MESSAGE_NAME);
    }

    static PrimitiveType field(ArchiveColumn col) {
        return switch (col.kind()) {
            case INT16 ->
                Types.optional(PrimitiveTypeName.INT32)
                        .as(LogicalTypeAnnotation.intType(16, true))
                        .named(col.name());
            case INT32 -> Types.optional(PrimitiveTypeName.INT32).named(col.name());
            case INT64 -> Types.optional(PrimitiveTypeName.INT64).named(col.name());
            case DECIMAL -> decimal(col.precision(), col.scale()).named(col.name());
            case FLOAT32 -> Types.optional(PrimitiveTypeName.FLOAT).named(col.name());
            case FLOAT64 -> Types.optional(PrimitiveTypeName.DOUBLE).named(col.name());
            case BOOLEAN -> Types.optional(PrimitiveTypeName.BOOLEAN).named(col.name());
            case STRING, JSON, TEXT_FORM ->
                Types.optional(PrimitiveTypeName.BINARY)
                        .as(LogicalTypeAnnotation.stringType())
                        .named(col.name());
            case DATE ->
                Types.optional(PrimitiveTypeName.INT32)
                        .as(LogicalTypeAnnotation.dateType())
                        .named(col.name());
            case TIMESTAMP ->
                Types.optional(PrimitiveTypeName.INT64)
                        .as(LogicalTypeAnnotation.timestampType(false, TimeUnit.MICROS))
                        .named(col.name());
            case TIMESTAMPTZ ->
                Types.optional(PrimitiveTypeName.INT64)
                        .as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
                        .named(col.name());
            case UUID ->
                Types.optional(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY)
                        .length(16)
                        .as(LogicalTypeAnnotation.uuidType())
                        .named(col.name());
            case BYTES -> Types.optional(PrimitiveTypeName.BINARY).named(col.name());
        };
    }

    private static Types.PrimitiveBuilder<PrimitiveType> decimal(int precision, int scale) {
        LogicalTypeAnnotation annotation = LogicalTypeAnnotation.decimalType(scale, precision);
        if (precision <= 9) {
            return Types.optional(PrimitiveTypeName.INT32).as(annotation);
        }
        if (precision <= 18) {
            return Types.optional(PrimitiveTypeName.INT64).as(annotation);
        }
        return Types.optional(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY)
                .length(decimalBytes(precision))
                .as(annotation);
    }

    /** The fewest bytes whose two's complement holds every value of {@code precision} decimal digits. */
    static int decimalBytes(int precision) {
        // bits for 10^p - 1 plus a sign bit
        int bits = (int) Math.ceil(precision * (Math.log(10) / Math.log(2))) + 1;
        return (bits + 7) / 8;
    }

    /** Human-readable Parquet type for the manifest, e.g. {@code INT64 DECIMAL(18,2)}. */
    public static String describe(ValueKind kind, int precision, int scale) {
        ArchiveColumn probe = new ArchiveColumn("c", "", false, null, null, null, kind, precision, scale, "");
        PrimitiveType t = field(probe);
        StringBuilder s = new StringBuilder(t.getPrimitiveTypeName().name());
        if (t.getPrimitiveTypeName() == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY) {
            s.append('(').append(t.getTypeLength()).append(')');
        }
        if (t.getLogicalTypeAnnotation() != null) {
            s.append(' ').append(t.getLogicalTypeAnnotation());
        }
        if (kind == ValueKind.TEXT_FORM) {
            s.append(" (PostgreSQL text form)");
        }
        return s.toString();
    }

    /** Null when the file's schema holds the columns as we would write them, else what differs. */
    static String difference(MessageType fileSchema, List<ArchiveColumn> columns) {
        MessageType expected = schema(columns);
        if (fileSchema.getFieldCount() != expected.getFieldCount()) {
            return "the file has " + fileSchema.getFieldCount() + " columns, the manifest " + expected.getFieldCount();
        }
        for (int i = 0; i < expected.getFieldCount(); i++) {
            Type want = expected.getType(i);
            Type got = fileSchema.getType(i);
            if (!got.isPrimitive()
                    || !want.getName().equals(got.getName())
                    || !want.asPrimitiveType()
                            .getPrimitiveTypeName()
                            .equals(got.asPrimitiveType().getPrimitiveTypeName())
                    || want.asPrimitiveType().getTypeLength()
                            != got.asPrimitiveType().getTypeLength()) {
                return "column " + (i + 1) + " is " + got + " in the file but " + want + " in the manifest";
            }
        }
        return null;
    }
}

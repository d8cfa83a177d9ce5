package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.PgTextValue;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.activities.archive.copy.PgText;
import dev.partitionkeeper.activities.archive.export.UnexportableValueException;
import dev.partitionkeeper.activities.archive.parquet.ParquetSchemas;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;

/**
 * The {@code <column>__pg_text} companion of an Iceberg column: an optional {@code string} holding, for a row
 * whose value the column's Iceberg type cannot hold, that value's PostgreSQL text, while the column itself is
 * NULL in that row. An Iceberg column's type is the same for every partition, so it cannot fall back to the
 * text form as the Parquet format does; engines keep reading the column in its natural type.
 *
 * <p>Such values: NaN and ±Infinity in {@code numeric(p,s)}, a timestamp after year 294246 (both a {@link
 * PgTextValue}), and {@code infinity}/{@code -infinity} in {@code date}, {@code timestamp} and {@code
 * timestamptz}, which Iceberg's types could carry only as dates in the years 294247 or 5881580 that an engine
 * would show as such.
 *
 * <p>A companion is added to the table's schema (optional, so every earlier file reads it as NULL) when a
 * partition first needs it, and only then. Its field doc starts with {@link #DOC}: that is how it is told apart
 * from a real column of the same name, which is refused both ways ({@link #fieldId}, {@link #refuseReal}).
 */
final class PgTextColumns {

    static final String SUFFIX = "__pg_text";
    /** The start of a companion field's doc, followed by the column's name and PostgreSQL type. */
    static final String DOC = "partition-keeper: PostgreSQL text of the values its Iceberg type cannot hold, of ";

    private PgTextColumns() {}

    static String name(String column) {
        return column + SUFFIX;
    }

    /** Kinds whose values can need a companion. */
    static boolean possibleIn(ValueKind kind) {
        return kind == ValueKind.DATE || PgTextValue.possibleIn(kind);
    }

    /** Whether {@code v} (non-null, of {@code kind}) goes into the companion rather than the column. */
    static boolean needed(ValueKind kind, Object v) {
        if (v instanceof PgTextValue) {
            return true;
        }
        return switch (kind) {
            case DATE -> (Integer) v == Integer.MAX_VALUE || (Integer) v == Integer.MIN_VALUE;
            case TIMESTAMP, TIMESTAMPTZ -> (Long) v == Long.MAX_VALUE || (Long) v == Long.MIN_VALUE;
            default -> false;
        };
    }

    /** The companion's value: the PostgreSQL text of {@code v}, as written to the Parquet file. */
    static byte[] text(ValueKind kind, Object v) {
        return PgText.render(kind, v).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The Java form of a companion's text, as COPY decoding gives it for the source (so the checksums agree):
     * infinities as the kind's sentinels, anything else a {@link PgTextValue}.
     */
    static Object value(ValueKind kind, String text) {
        boolean plus = text.equals("infinity");
        boolean minus = text.equals("-infinity");
        if (plus || minus) {
            if (kind == ValueKind.DATE) {
                return plus ? Integer.MAX_VALUE : Integer.MIN_VALUE;
            }
            if (kind == ValueKind.TIMESTAMP || kind == ValueKind.TIMESTAMPTZ) {
                return plus ? Long.MAX_VALUE : Long.MIN_VALUE;
            }
        }
        return new PgTextValue(text);
    }

    /** The companion as a column the Parquet writer writes. */
    static ArchiveColumn column(ArchiveColumn of) {
        return new ArchiveColumn(
                name(of.name()),
                "text",
                false,
                null,
                null,
                null,
                ValueKind.STRING,
                0,
                0,
                ParquetSchemas.describe(ValueKind.STRING, 0, 0));
    }

    static boolean isCompanion(Types.NestedField f) {
        return f.doc() != null && f.doc().startsWith(DOC);
    }

    /** The companion's name in {@code schema} for each of {@code columns}, null where there is none. */
    static String[] find(Schema schema, List<ArchiveColumn> columns) {
        String[] out = new String[columns.size()];
        for (int i = 0; i < out.length; i++) {
            ArchiveColumn c = columns.get(i);
            Types.NestedField f = possibleIn(c.kind()) ? schema.findField(name(c.name())) : null;
            out[i] = f != null && isCompanion(f) ? f.name() : null;
        }
        return out;
    }

    /**
     * The field id of {@code c}'s companion in {@code table}, adding the companion to the schema if it is not
     * there yet. Refused when the name is a real column: of the source ({@code columns}), or of the Iceberg
     * table (a column archived earlier and since dropped).
     *
     * @param example the value that needs the companion, for the message
     */
    static int fieldId(Table table, List<ArchiveColumn> columns, ArchiveColumn c, Object example, String source) {
        String name = name(c.name());
        table.refresh();
        Types.NestedField f = table.schema().findField(name);
        boolean real = columns.stream().anyMatch(col -> col.name().equals(name));
        if (real || f != null && !isCompanion(f)) {
            throw new UnexportableValueException(
                    c.name(),
                    "column \"" + c.name() + "\" of " + source + " holds " + PgText.render(c.kind(), example)
                            + ", which its Iceberg type " + IcebergSchemas.type(c) + " cannot hold; such values go"
                            + " into the companion column \"" + name + "\", but " + (real ? source : table.name())
                            + " has a column of that name. The partition stays detached: rename that column,"
                            + " or archive the table under another Iceberg name (archive.iceberg_table) or as"
                            + " Parquet (archive.format: parquet)",
                    null);
        }
        if (f == null) {
            table.updateSchema()
                    .addColumn(name, Types.StringType.get(), DOC + "\"" + c.name() + "\" (" + c.pgType() + ")")
                    .commit();
            f = table.schema().findField(name);
        }
        return f.fieldId();
    }

    /** A real column may not take a companion's name: its values would read as the other column's. */
    static void refuseReal(Types.NestedField existing, ArchiveColumn c, String source, Table table) {
        if (isCompanion(existing)) {
            throw new ArchiveFormat.Refused(
                    IcebergSchemas.SCHEMA_CHANGE,
                    "column \"" + c.name() + "\" of " + source + " has the name of the companion column that"
                            + " Iceberg table " + table.name() + " keeps for the values column \""
                            + c.name().substring(0, c.name().length() - SUFFIX.length())
                            + "\"'s Iceberg type cannot hold. The partition stays detached: rename the column, or"
                            + " archive the table under another Iceberg name (archive.iceberg_table)");
        }
    }
}

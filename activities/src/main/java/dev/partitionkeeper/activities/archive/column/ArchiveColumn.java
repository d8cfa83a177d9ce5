package dev.partitionkeeper.activities.archive.column;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.partitionkeeper.activities.archive.parquet.ParquetSchemas;

/**
 * One column as the catalog describes it and as the archive stores it. Part of the manifest.
 *
 * @param name column name, exactly as PostgreSQL stores it
 * @param pgType {@code format_type(atttypid, atttypmod)}, e.g. {@code numeric(12,2)}
 * @param notNull attnotnull
 * @param defaultExpr the default expression ({@code pg_get_expr}), null when none
 * @param generatedExpr the expression of a {@code GENERATED ALWAYS AS (...) STORED} column, null otherwise;
 *     its values are archived but not loaded on restore, where PostgreSQL computes them again
 * @param collation a schema-qualified, quoted collation when it differs from the type's default, else null
 * @param kind how values are carried, see {@link ValueKind}
 * @param precision DECIMAL precision, 0 for other kinds
 * @param scale DECIMAL scale, 0 for other kinds
 * @param parquetType the Parquet type written, e.g. {@code INT64 DECIMAL(18,2)}, for people reading the manifest
 */
public record ArchiveColumn(
        String name,
        String pgType,
        boolean notNull,
        String defaultExpr,
        String generatedExpr,
        String collation,
        ValueKind kind,
        int precision,
        int scale,
        String parquetType) {

    /** The same column carried in its text form, as when a value of its own kind cannot hold all rows. */
    public ArchiveColumn asTextForm() {
        return new ArchiveColumn(
                name,
                pgType,
                notNull,
                defaultExpr,
                generatedExpr,
                collation,
                ValueKind.TEXT_FORM,
                0,
                0,
                ParquetSchemas.describe(ValueKind.TEXT_FORM, 0, 0));
    }

    @JsonIgnore
    public boolean isGenerated() {
        return generatedExpr != null;
    }
}

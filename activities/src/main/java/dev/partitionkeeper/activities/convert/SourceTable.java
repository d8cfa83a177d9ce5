package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.bookkeeping.ConversionState;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The table being converted, as the copy and replay statements need it.
 *
 * @param columns the columns rows are copied through (generated columns are left out: the target computes them)
 * @param primaryKey primary key column names, in order
 * @param primaryKeyTypes their types as {@code format_type} prints them
 * @param identityColumns identity columns (PostgreSQL 17+): rows are copied with OVERRIDING SYSTEM VALUE and the
 *     sequences handed over at the swap
 */
record SourceTable(
        TableName name,
        long oid,
        String owner,
        String keyColumn,
        KeyType keyType,
        List<String> columns,
        List<String> primaryKey,
        List<String> primaryKeyTypes,
        List<String> identityColumns) {

    /** The table as its conversion's row recorded it, named {@code at} (the original before the swap, the twin after). */
    static SourceTable of(ConversionState.Row r, TableName at) {
        return new SourceTable(
                at,
                r.sourceOid(),
                null,
                r.keyColumn(),
                r.keyType(),
                r.columns(),
                r.primaryKey(),
                r.primaryKeyTypes(),
                r.identityColumns());
    }

    /** The row that records the start of this table's conversion. */
    ConversionState.Row newRow(String twin, String oldName, String phase) {
        return new ConversionState.Row(
                name,
                oid,
                twin,
                oldName,
                keyColumn,
                keyType,
                columns,
                primaryKey,
                primaryKeyTypes,
                phase,
                List.of(),
                0,
                List.of(),
                identityColumns);
    }

    /** What an INSERT into either table says so that copied identity values are kept. */
    String overriding() {
        return identityColumns == null || identityColumns.isEmpty() ? "" : " OVERRIDING SYSTEM VALUE";
    }

    String columnList() {
        return columns.stream().map(TableName::quoteIdent).collect(Collectors.joining(", "));
    }

    String keyList(String alias) {
        return primaryKey.stream()
                .map(c -> (alias == null ? "" : alias + ".") + TableName.quoteIdent(c))
                .collect(Collectors.joining(", "));
    }
}

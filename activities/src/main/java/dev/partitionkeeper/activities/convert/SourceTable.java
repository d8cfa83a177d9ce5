package dev.partitionkeeper.activities.convert;

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
 */
record SourceTable(TableName name, long oid, String owner, String keyColumn, KeyType keyType, List<String> columns,
    List<String> primaryKey, List<String> primaryKeyTypes) {

  String columnList() {
    return columns.stream().map(TableName::quoteIdent).collect(Collectors.joining(", "));
  }

  String keyList(String alias) {
    return primaryKey.stream().map(c -> (alias == null ? "" : alias + ".") + TableName.quoteIdent(c))
        .collect(Collectors.joining(", "));
  }
}

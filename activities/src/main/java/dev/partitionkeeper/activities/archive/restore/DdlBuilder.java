package dev.partitionkeeper.activities.archive.restore;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.workflows.model.TableName;
import java.util.List;

/**
 * Renders {@code CREATE TABLE} from archived column descriptions: names, types, collations, NOT NULL,
 * defaults and stored generated columns. Constraints other than NOT NULL, indexes and identity are not
 * carried: the restored table is for reading the data back (or attaching it to a parent that has them).
 */
public final class DdlBuilder {

    private DdlBuilder() {}

    public static String createTable(TableName table, List<ArchiveColumn> columns) {
        StringBuilder sql =
                new StringBuilder("CREATE TABLE ").append(table.quoted()).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            ArchiveColumn col = columns.get(i);
            sql.append(i == 0 ? "\n  " : ",\n  ")
                    .append(TableName.quoteIdent(col.name()))
                    .append(' ')
                    .append(col.pgType());
            if (col.collation() != null) {
                sql.append(" COLLATE ").append(col.collation());
            }
            if (col.generatedExpr() != null) {
                sql.append(" GENERATED ALWAYS AS (").append(col.generatedExpr()).append(") STORED");
            } else if (col.defaultExpr() != null) {
                sql.append(" DEFAULT ").append(col.defaultExpr());
            }
            if (col.notNull()) {
                sql.append(" NOT NULL");
            }
        }
        return sql.append("\n)").toString();
    }
}

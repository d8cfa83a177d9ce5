package dev.partitionkeeper.activities.archive.column;

import dev.partitionkeeper.activities.archive.parquet.ParquetSchemas;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads a table's columns from the catalog, in attnum order, skipping dropped columns. */
public final class CatalogColumns {

    private static final String COLUMNS_SQL = """
      SELECT a.attname,
             format_type(a.atttypid, a.atttypmod) AS pg_type,
             a.atttypid::int8 AS type_oid,
             a.atttypmod,
             a.attnotnull,
             CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default_expr,
             CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated_expr,
             cn.nspname AS collation_schema,
             co.collname AS collation_name
        FROM pg_attribute a
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
       WHERE a.attrelid = ?
         AND a.attnum > 0
         AND NOT a.attisdropped
       ORDER BY a.attnum
      """;

    private static final String RELATION_SQL = """
      SELECT c.oid::int8
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = ? AND c.relname = ?
      """;

    private CatalogColumns() {}

    /** The relation's OID, or -1 when there is no such table. */
    public static long relationOid(Connection c, TableName table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RELATION_SQL)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /**
     * @throws IllegalArgumentException when the table does not exist or has no columns
     */
    public static List<ArchiveColumn> read(Connection c, TableName table) throws SQLException {
        long oid = relationOid(c, table);
        if (oid < 0) {
            throw new IllegalArgumentException("table " + table + " does not exist: check the schema and name"
                    + " (a detached partition may have been moved to the archive schema)");
        }
        List<ArchiveColumn> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS_SQL)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TypeMapping.Mapping m = TypeMapping.map(rs.getLong("type_oid"), rs.getInt("atttypmod"));
                    String collSchema = rs.getString("collation_schema");
                    String collName = rs.getString("collation_name");
                    String collation = collName == null
                            ? null
                            : TableName.quoteIdent(collSchema) + "." + TableName.quoteIdent(collName);
                    columns.add(new ArchiveColumn(
                            rs.getString("attname"),
                            rs.getString("pg_type"),
                            rs.getBoolean("attnotnull"),
                            rs.getString("default_expr"),
                            rs.getString("generated_expr"),
                            collation,
                            m.kind(),
                            m.precision(),
                            m.scale(),
                            ParquetSchemas.describe(m.kind(), m.precision(), m.scale())));
                }
            }
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("table " + table + " has no columns: there is nothing to archive");
        }
        return columns;
    }
}

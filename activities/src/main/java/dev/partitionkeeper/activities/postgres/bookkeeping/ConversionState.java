package dev.partitionkeeper.activities.postgres.bookkeeping;

import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One row per conversion in {@code <bookkeeping schema>.conversion}, keyed by the table's name (which is the
 * original table before the swap and the partitioned one after it). Each step updates it in the same transaction
 * as its work, which is what makes every step safe to kill and re-run.
 */
public final class ConversionState {

    /** The row. {@code indexRenames} holds triples: original name, the old table's index's new name, the twin's. */
    public record Row(
            TableName table,
            long sourceOid,
            String twin,
            String oldName,
            String keyColumn,
            KeyType keyType,
            List<String> columns,
            List<String> primaryKey,
            List<String> primaryKeyTypes,
            String phase,
            List<String> copyPosition,
            long rowsCopied,
            List<String> indexRenames,
            List<String> identityColumns) {

        public TableName twinName() {
            return new TableName(table.schema(), twin);
        }

        public TableName oldTable() {
            return new TableName(table.schema(), oldName);
        }
    }

    private final String schema;

    public ConversionState(String schema) {
        this.schema = schema;
    }

    public String schema() {
        return schema;
    }

    /** The conversion table's quoted, schema-qualified name, for SQL and messages. */
    public String table() {
        return BookkeepingTable.CONVERSION.in(schema);
    }

    public String qualified(String name) {
        return TableName.quoteIdent(schema) + "." + TableName.quoteIdent(name);
    }

    /** Creates the schema and table when missing (advisory-locked: two workers may start at once). */
    public void ensure(Connection c) throws SQLException {
        Bookkeeping.inSchemaLock(c, schema, () -> {
            Sql.exec(c, "CREATE TABLE IF NOT EXISTS " + table() + """
           (
            table_schema      text        NOT NULL,
            table_name        text        NOT NULL,
            source_oid        bigint      NOT NULL,
            twin_name         text        NOT NULL,
            old_name          text        NOT NULL,
            key_column        text        NOT NULL,
            key_type          text        NOT NULL,
            columns           text[]      NOT NULL,
            primary_key       text[]      NOT NULL,
            primary_key_types text[]      NOT NULL,
            phase             text        NOT NULL,
            copy_position     text[],
            rows_copied       bigint      NOT NULL DEFAULT 0,
            index_renames     text[],
            identity_columns  text[],
            started_at        timestamptz NOT NULL DEFAULT now(),
            swapped_at        timestamptz,
            updated_at        timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (table_schema, table_name)
          )""");
            Sql.exec(c, """
          CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $fn$
          BEGIN
            RAISE EXCEPTION 'table %%.%% is being converted by partition-keeper; TRUNCATE would empty it behind the'
              ' conversion''s back. Roll the conversion back first (partition-keeper convert --rollback)',
              TG_TABLE_SCHEMA, TG_TABLE_NAME;
          END $fn$""".formatted(qualified("convert_refuse_truncate")));
        });
    }

    public boolean exists(Connection c) throws SQLException {
        return Sql.queryLong(
                        c,
                        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname = ? AND c.relname = 'conversion'",
                        schema)
                > 0;
    }

    public Optional<Row> find(Connection c, TableName t, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT source_oid, twin_name, old_name, key_column, key_type,"
                + " columns, primary_key, primary_key_types, phase, copy_position, rows_copied, index_renames, identity_columns"
                + " FROM "
                + table() + " WHERE table_schema = ? AND table_name = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Row(
                        t,
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        KeyType.valueOf(rs.getString(5)),
                        list(rs.getArray(6)),
                        list(rs.getArray(7)),
                        list(rs.getArray(8)),
                        rs.getString(9),
                        list(rs.getArray(10)),
                        rs.getLong(11),
                        list(rs.getArray(12)),
                        list(rs.getArray(13))));
            }
        }
    }

    /** Records a new conversion: {@code row}'s table, twin, old name, key, columns, phase and identity columns. */
    public void insert(Connection c, Row s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table() + " (table_schema,"
                + " table_name, source_oid, twin_name, old_name, key_column, key_type, columns, primary_key, primary_key_types,"
                + " phase, identity_columns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.table().schema());
            ps.setString(2, s.table().table());
            ps.setLong(3, s.sourceOid());
            ps.setString(4, s.twin());
            ps.setString(5, s.oldName());
            ps.setString(6, s.keyColumn());
            ps.setString(7, s.keyType().name());
            ps.setArray(8, c.createArrayOf("text", s.columns().toArray()));
            ps.setArray(9, c.createArrayOf("text", s.primaryKey().toArray()));
            ps.setArray(10, c.createArrayOf("text", s.primaryKeyTypes().toArray()));
            ps.setString(11, s.phase());
            ps.setArray(12, c.createArrayOf("text", s.identityColumns().toArray()));
            ps.executeUpdate();
        }
    }

    public void copied(Connection c, TableName t, List<String> position, long rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table() + " SET copy_position = ?,"
                + " rows_copied = rows_copied + ?, updated_at = now() WHERE table_schema = ? AND table_name = ?")) {
            ps.setArray(1, c.createArrayOf("text", position.toArray()));
            ps.setLong(2, rows);
            ps.setString(3, t.schema());
            ps.setString(4, t.table());
            ps.executeUpdate();
        }
    }

    public void phase(Connection c, TableName t, String phase) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table() + " SET phase = ?,"
                + " updated_at = now() WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, phase);
            ps.setString(2, t.schema());
            ps.setString(3, t.table());
            ps.executeUpdate();
        }
    }

    public void swapped(Connection c, TableName t, String phase, List<String> indexRenames) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE " + table() + " SET phase = ?,"
                        + " index_renames = ?, swapped_at = now(), updated_at = now() WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, phase);
            ps.setArray(2, c.createArrayOf("text", indexRenames.toArray()));
            ps.setString(3, t.schema());
            ps.setString(4, t.table());
            ps.executeUpdate();
        }
    }

    public void delete(Connection c, TableName t) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM " + table() + " WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            ps.executeUpdate();
        }
    }

    private static List<String> list(Array a) throws SQLException {
        return a == null ? null : Arrays.asList((String[]) a.getArray());
    }
}

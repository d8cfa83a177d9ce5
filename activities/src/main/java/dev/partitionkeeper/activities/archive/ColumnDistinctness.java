package dev.partitionkeeper.activities.archive;

import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which columns are too varied for a Parquet dictionary, from PostgreSQL's planner statistics. Parquet
 * tries a dictionary for every column of every row group and falls back to plain encoding once the
 * dictionary outgrows its page; for a nearly unique column (ids, timestamps, free text) that attempt is
 * pure cost: hashing a few hundred thousand values per row group only to throw the dictionary away. This
 * only changes how values are encoded, never which values are written: a wrong or missing estimate makes a
 * file a little larger or an export a little slower, nothing else.
 */
final class ColumnDistinctness {

  /**
   * A column whose estimated distinct values would need more than this much dictionary is written plain:
   * twice Parquet's dictionary page limit (1 MiB), so only columns that would clearly overflow it.
   */
  static final long DICTIONARY_LIMIT_BYTES = 2L * 1024 * 1024;

  // n_distinct < 0 is a fraction of the rows (-1: unique); reltuples is -1 for a table never analyzed
  private static final String SQL = """
      SELECT s.attname
        FROM pg_stats s
        JOIN pg_namespace n ON n.nspname = s.schemaname
        JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
       WHERE s.schemaname = ? AND s.tablename = ? AND NOT s.inherited
         AND (CASE WHEN s.n_distinct < 0 THEN -s.n_distinct * greatest(c.reltuples, 0) ELSE s.n_distinct END)
             * (s.avg_width + 4) > ?
      """;

  private ColumnDistinctness() {}

  /** Names of the columns not worth a dictionary; empty when the table has no statistics (never analyzed). */
  static Set<String> tooVariedForDictionary(Connection c, TableName table) throws SQLException {
    Set<String> names = new LinkedHashSet<>();
    try (PreparedStatement ps = c.prepareStatement(SQL)) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      ps.setLong(3, DICTIONARY_LIMIT_BYTES);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }
}

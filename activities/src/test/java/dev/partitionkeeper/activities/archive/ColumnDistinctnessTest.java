package dev.partitionkeeper.activities.archive;

import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("postgres")
class ColumnDistinctnessTest {

  private static final TableName TABLE = new TableName("archive", "orders_p1");

  @Test
  void nearlyUniqueColumnsOfAnAnalyzedTableGetNoDictionary() throws Exception {
    String url = PgTestSupport.newDatabase("distinctness");
    exec(url, "CREATE SCHEMA archive",
        "CREATE TABLE archive.orders_p1 (id bigint, note text, status text, country char(2), empty text)",
        "INSERT INTO archive.orders_p1 SELECT g, md5(g::text), (ARRAY['new','paid','sent'])[1 + g % 3],"
            + " chr(65 + g % 26) || chr(65 + g % 7), NULL FROM generate_series(1, 300000) g");
    try (Connection c = DriverManager.getConnection(url)) {
      // never analyzed: no statistics, so every column keeps Parquet's default (try a dictionary)
      assertEquals(Set.of(), ColumnDistinctness.tooVariedForDictionary(c, TABLE));
      exec(url, "ANALYZE archive.orders_p1");
      // 300000 ids x 12 bytes and 300000 md5s x 37 bytes overflow the limit; 3 statuses, 182 countries and
      // an all-NULL column do not
      assertEquals(Set.of("id", "note"), ColumnDistinctness.tooVariedForDictionary(c, TABLE));
      assertEquals(Set.of(), ColumnDistinctness.tooVariedForDictionary(c, new TableName("archive", "missing")));
    }
  }
}

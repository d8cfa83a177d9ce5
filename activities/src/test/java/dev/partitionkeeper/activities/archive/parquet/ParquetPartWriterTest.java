package dev.partitionkeeper.activities.archive.parquet;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.fileStore;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ParquetExporter;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.archive.verify.ArchiveVerifier;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The column writer's page and row group boundaries: more rows than one page holds
 * ({@link ParquetPartWriter#PAGE_ROW_LIMIT}), pages closed by size too, several row groups in one file, and NULLs
 * in every pattern a page can have (none, some, a run across a page boundary, all). DuckDB reads the file; its
 * row-group skipping on {@code WHERE} uses our statistics, so a wrong min/max shows up as a wrong count.
 */
@Tag("postgres")
class ParquetPartWriterTest {

    private static final int ROWS = 45_000;

    @TempDir
    Path dir;

    @Test
    void pagesAndRowGroupsAcrossBoundariesReadBackByDuckDbAndVerified() throws Exception {
        String url = PgTestSupport.newDatabase("archive_pages");
        exec(url, "CREATE SCHEMA archive", """
        CREATE TABLE archive.readings_p1 (
          id bigint NOT NULL, taken_at timestamptz NOT NULL, v integer, amount numeric(12,2), big numeric(30,4),
          label text, ok boolean, ratio real, x double precision, ref uuid, nothing text, status text, code text)""", """
        INSERT INTO archive.readings_p1
        SELECT g, timestamptz '2024-05-01 00:00:00+00' + g * interval '1 minute',
               CASE WHEN g % 3 = 0 THEN NULL ELSE g - 20000 END,
               CASE WHEN g BETWEEN 19990 AND 20500 THEN NULL ELSE g * 1.5 - 9000 END,
               CASE WHEN g % 1000 = 0 THEN NULL ELSE g * -98765432101.1234 END,
               CASE WHEN g % 7 = 0 THEN NULL WHEN g % 2 = 0 THEN repeat('é', g % 40) ELSE 'label ' || g END,
               CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 = 1 END,
               CASE WHEN g % 11 = 0 THEN NULL ELSE g / 3.0 END,
               CASE WHEN g = 44000 THEN 'NaN'::float8 ELSE g / -7.0 END,
               CASE WHEN g % 13 = 0 THEN NULL ELSE md5(g::text)::uuid END,
               NULL,
               CASE WHEN g BETWEEN 30000 AND 41000 OR g % 19 = 0 THEN NULL
                    ELSE (ARRAY['pending','settled','declined'])[1 + g % 3] END,
               'code ' || (g::bigint * 7919 % 45000) || repeat('.', 100)
        FROM generate_series(1, ROWS) g""".replace("ROWS", Integer.toString(ROWS)));
        Path work = Files.createDirectories(dir.resolve("work"));
        FileSystemArchiveStore store = fileStore(dir.resolve("store"));
        // one file, small row groups and pages: several row groups, pages closed by rows and by size
        ExportOptions options = ExportOptions.newBuilder()
                .rowGroupBytes(1024 * 1024)
                .pageBytes(16 * 1024)
                .workDir(work)
                .build();
        ExportRequest request = new ExportRequest(
                new TableName("archive", "readings_p1"),
                new TableName("public", "readings"),
                "readings_p1",
                "2024-05-01",
                "2024-06-01",
                "taken_at");
        ExportResult exported =
                new ParquetExporter(dataSource(url), store, options).export(request, ProgressListener.NONE);
        assertEquals(1, exported.files(), exported.toString());

        VerifyResult verified =
                new ArchiveVerifier(dataSource(url), store, work).verify(request.layout(), request.source());
        assertTrue(verified.ok(), verified.toString());

        String file = store.root()
                .resolve(request.layout().dir())
                .resolve("part-00000.parquet")
                .toString();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                Connection pg = DriverManager.getConnection(url)) {
            long rowGroups = Long.parseLong(
                    row(duck, "SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + file + "')")
                            .get(0));
            assertTrue(rowGroups > 2, "row groups: " + rowGroups);
            // a column of three values keeps its dictionary in every row group; long near-unique codes give it up
            // in the first row group and are PLAIN from then on; a column of NULLs only has no dictionary at all
            String chunks =
                    "SELECT count(*) FILTER (WHERE encodings LIKE '%DICTIONARY%'), count(*) FROM parquet_metadata('"
                            + file + "') WHERE path_in_schema = ";
            String all = Long.toString(rowGroups);
            assertEquals(List.of(all, all), row(duck, chunks + "'status'"));
            assertEquals(List.of("1", all), row(duck, chunks + "'code'"));
            assertEquals(List.of("0", all), row(duck, chunks + "'nothing'"));

            String aggregates = "count(*), count(v), sum(v), min(v), max(v), count(amount), sum(amount), min(amount),"
                    + " max(amount), count(big), sum(big), min(big), max(big), count(label), min(label), max(label),"
                    + " sum(length(label)), count(ok), sum(CASE WHEN ok THEN 1 ELSE 0 END), count(ratio), min(ratio),"
                    + " max(ratio), count(x), min(ref::varchar), max(ref::varchar), count(ref), count(nothing), count(status),"
                    + " min(status), max(status), sum(length(status)), count(DISTINCT code), min(code), max(code)";
            assertEquals(
                    row(pg, "SELECT " + aggregates + " FROM archive.readings_p1"),
                    row(duck, "SELECT " + aggregates + " FROM read_parquet('" + file + "')"));
            assertEquals(
                    row(pg, "SELECT count(*) FROM archive.readings_p1 WHERE x = 'NaN'"),
                    row(duck, "SELECT count(*) FROM read_parquet('" + file + "') WHERE isnan(x)"));

            // filters that DuckDB answers with the help of row-group statistics
            String[] filters = {
                "id BETWEEN 20000 AND 20001",
                "id > 44990",
                "v < -19990",
                "amount > 58000",
                "big < -4444000000000000",
                "label > 'label 9998'",
                "label = 'label 44999'",
                "status = 'declined'",
                "status IS NULL",
                "code LIKE 'code 17.%'",
                "code > 'code 44990'",
                "taken_at < '2024-05-01 00:05:00+00'"
            };
            for (String f : filters) {
                assertEquals(
                        row(pg, "SELECT count(*), sum(id) FROM archive.readings_p1 WHERE " + f),
                        row(duck, "SELECT count(*), sum(id) FROM read_parquet('" + file + "') WHERE " + f),
                        f);
            }
        }
    }

    private static List<String> row(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            List<String> row = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            for (int i = 1; i <= n; i++) {
                Object v = rs.getObject(i);
                if (v instanceof Float || v instanceof Double) {
                    v = String.format("%.4e", ((Number) v).doubleValue());
                } else if (v instanceof Number num) {
                    v = new BigDecimal(num.toString()).stripTrailingZeros().toPlainString();
                }
                row.add(v == null ? null : v.toString());
            }
            return row;
        }
    }
}

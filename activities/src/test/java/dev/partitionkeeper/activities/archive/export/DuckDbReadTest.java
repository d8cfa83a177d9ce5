package dev.partitionkeeper.activities.archive.export;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.fileStore;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ExportResult;
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

/** An archive is useful without us: DuckDB, an independent Parquet reader, sees the same rows. */
@Tag("postgres")
class DuckDbReadTest {

    @TempDir
    Path dir;

    @Test
    void duckDbReadsTheSameRows() throws Exception {
        String url = PgTestSupport.newDatabase("archive_duckdb");
        exec(url, "CREATE SCHEMA archive", """
        CREATE TABLE archive.payments_p3 (
          id bigint NOT NULL, paid_at timestamptz NOT NULL, amount numeric(12,2), big numeric(30,4),
          payer text, ok boolean, day date, ref uuid, attrs jsonb, small smallint, ratio double precision)""", """
        INSERT INTO archive.payments_p3
        SELECT g, timestamptz '2024-03-01 00:00:00+00' + g * interval '37 seconds', g * 1.01 - 500,
               g * 12345678901.2345, CASE WHEN g % 17 = 0 THEN NULL ELSE 'payer ' || g || ' ü' END, g % 3 = 0,
               date '2024-03-01' + g % 30, md5(g::text)::uuid, jsonb_build_object('g', g), (g % 300)::smallint, g / 8.0
        FROM generate_series(1, 1500) g""");
        Path work = Files.createDirectories(dir.resolve("work"));
        FileSystemArchiveStore store = fileStore(dir.resolve("store"));
        ExportRequest request = new ExportRequest(
                new TableName("archive", "payments_p3"),
                new TableName("public", "payments"),
                "payments_p3",
                "2024-03-01",
                "2024-04-01",
                "paid_at");
        ExportResult exported =
                new ParquetExporter(dataSource(url), store, smallFiles(work)).export(request, ProgressListener.NONE);
        assertTrue(exported.files() > 1, exported.toString());
        String files = store.root()
                .resolve(request.layout().dir())
                .resolve("*.parquet")
                .toString();

        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                Connection pg = DriverManager.getConnection(url)) {
            String duckTotals =
                    "SELECT count(*), sum(amount), sum(big), count(payer), sum(small), min(paid_at) = TIMESTAMPTZ"
                            + " '2024-03-01 00:00:37+00', epoch_us(max(paid_at)), sum(CASE WHEN ok THEN 1 ELSE 0 END)"
                            + " FROM read_parquet('" + files + "')";
            String pgTotals = "SELECT count(*), sum(amount), sum(big), count(payer), sum(small), min(paid_at) ="
                    + " '2024-03-01 00:00:37+00', (extract(epoch FROM max(paid_at)) * 1000000)::bigint,"
                    + " sum(CASE WHEN ok THEN 1 ELSE 0 END) FROM archive.payments_p3";
            assertEquals(row(pg, pgTotals), row(duck, duckTotals));

            String duckRows =
                    "SELECT id, epoch_us(paid_at), amount, payer, ok, day::varchar, ref::varchar, attrs, small,"
                            + " ratio FROM read_parquet('" + files + "') WHERE id IN (1, 17, 750, 1500) ORDER BY id";
            String pgRows = "SELECT id, (extract(epoch FROM paid_at) * 1000000)::bigint, amount, payer, ok, day::text,"
                    + " ref::text, attrs::text, small, ratio FROM archive.payments_p3 WHERE id IN (1, 17, 750, 1500) ORDER BY id";
            List<List<String>> expected = rows(pg, pgRows);
            assertEquals(4, expected.size());
            assertEquals(expected, rows(duck, duckRows));
        }
    }

    private static List<String> row(Connection c, String sql) throws Exception {
        List<List<String>> all = rows(c, sql);
        assertEquals(1, all.size());
        return all.get(0);
    }

    /** Every value as text; numbers normalised so 1.50 from one reader equals 1.5 from the other. */
    private static List<List<String>> rows(Connection c, String sql) throws Exception {
        List<List<String>> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    Object v = rs.getObject(i);
                    if (v instanceof Number num && !(v instanceof Double) && !(v instanceof Float)) {
                        v = new BigDecimal(num.toString()).stripTrailingZeros().toPlainString();
                    } else if (v instanceof Number num) {
                        v = Double.toString(num.doubleValue());
                    }
                    row.add(v == null ? null : v.toString());
                }
                out.add(row);
            }
        }
        return out;
    }
}

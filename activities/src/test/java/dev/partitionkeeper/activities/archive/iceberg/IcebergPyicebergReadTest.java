package dev.partitionkeeper.activities.archive.iceberg;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static dev.partitionkeeper.activities.testing.PgTestSupport.queryLong;
import static dev.partitionkeeper.activities.testing.PgTestSupport.queryString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The independent reader: pyiceberg, with its SQL catalog on the JDBC catalog tables partition-keeper wrote,
 * reads the archive of three partitions (a column added between the second and the third, a NaN in a
 * numeric(12,2) column of the third that reads as NULL there and as text in its companion; the first export
 * killed after its commit, the second after its files were written, both run again) and must see exactly the
 * rows and per-column sums PostgreSQL has, and prune a scan on the key to one partition's files.
 *
 * <p>Needs the virtualenv of {@code .ci/pyiceberg.sh} (or {@code PK_PYICEBERG_PYTHON}); skipped without it
 * unless {@code PK_REQUIRE_PYICEBERG=1}, which CI sets.
 */
@Tag("postgres")
class IcebergPyicebergReadTest {

    private static final String[] MONTHS = {"01", "02", "03"};

    @TempDir
    Path dir;

    static Path python() {
        String env = System.getenv("PK_PYICEBERG_PYTHON");
        Path p = env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache/partition-keeper/pyiceberg/bin/python");
        boolean found = Files.isExecutable(p);
        if (!found && "1".equals(System.getenv("PK_REQUIRE_PYICEBERG"))) {
            throw new AssertionError(
                    "PK_REQUIRE_PYICEBERG=1 but there is no pyiceberg python at " + p + ": run bash .ci/pyiceberg.sh");
        }
        assumeTrue(found, "no pyiceberg at " + p + " (bash .ci/pyiceberg.sh installs it)");
        return p;
    }

    @Test
    void pyicebergReadsTheSameRowsAndSumsAndPrunesByTheKey() throws Exception {
        Path python = python();
        String url = PgTestSupport.newDatabase("iceberg_pyiceberg");
        exec(url, "CREATE SCHEMA archive");
        for (String m : MONTHS) {
            exec(
                    url,
                    "CREATE TABLE archive.events_p2024_" + m + " (id bigint NOT NULL, qty integer, small smallint,"
                            + " amount numeric(12,2), big numeric(30,4), f double precision, note text,"
                            + " tstz timestamptz NOT NULL)",
                    "INSERT INTO archive.events_p2024_" + m + " SELECT g, g % 97, (g % 300)::smallint,"
                            + " g * 1.25, g * 1000000.0001, g / 3.0, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END,"
                            + " timestamptz '2024-" + m + "-01 00:00:00+00' + g * interval '1 minute'"
                            + " FROM generate_series(1, " + (700 + Integer.parseInt(m) * 100) + ") g");
        }
        // the schema change between the second and third partition, and a NaN numeric(12,2) cannot hold
        exec(
                url,
                "ALTER TABLE archive.events_p2024_03 ADD COLUMN added_later integer",
                "UPDATE archive.events_p2024_03 SET added_later = id % 11",
                "UPDATE archive.events_p2024_03 SET amount = 'NaN' WHERE id = 5");

        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        IcebergSettings s = IcebergFixture.settings(url, dir.resolve("wh"));
        for (String m : MONTHS) {
            ExportRequest r = request(m);
            String kill = m.equals("01") ? "committed" : m.equals("02") ? "files-written" : null;
            if (kill != null) {
                IcebergArchiveFormat killed = new IcebergArchiveFormat(ds, s, smallFiles(work), at -> {
                    if (at.equals(kill)) {
                        throw new IllegalStateException("killed at " + at);
                    }
                });
                assertThrows(
                        IllegalStateException.class,
                        () -> killed.export(IcebergFixture.policy(IcebergFixture.PARENT), r, ProgressListener.NONE));
                killed.close();
            }
            try (IcebergArchiveFormat f = new IcebergArchiveFormat(ds, s, smallFiles(work))) {
                f.export(IcebergFixture.policy(IcebergFixture.PARENT), r, ProgressListener.NONE);
                assertTrue(f.verify(IcebergFixture.policy(IcebergFixture.PARENT), "events_p2024_" + m, r.source())
                        .ok());
            }
        }

        JsonNode out = read(python, url, "2024-02-01T00:00:00+00:00", "2024-03-01T00:00:00+00:00");
        String all = "(SELECT id, qty, small, amount, big, f, note, tstz, NULL::integer AS added_later"
                + " FROM archive.events_p2024_01 UNION ALL SELECT id, qty, small, amount, big, f, note, tstz, NULL"
                + " FROM archive.events_p2024_02 UNION ALL SELECT id, qty, small, amount, big, f, note, tstz,"
                + " added_later FROM archive.events_p2024_03) a";
        assertEquals(
                queryLong(url, "SELECT count(*) FROM " + all), out.get("rows").asLong(), out.toString());
        assertEquals(3, out.get("snapshots").asInt(), "one snapshot per partition, no more: " + out);
        // the NaN reads as NULL in the decimal column and as its text in the string companion beside it
        for (String col : List.of("id", "qty", "small", "amount", "big", "added_later")) {
            assertEquals(
                    queryString(
                            url,
                            "SELECT (sum(" + col + ") FILTER (WHERE " + col + "::text <> 'NaN'))::text FROM " + all),
                    out.get("sums").get(col).asText(),
                    col + ": " + out);
        }
        for (String col : List.of("id", "qty", "small", "amount", "big", "f", "note", "tstz", "added_later")) {
            assertEquals(
                    queryLong(url, "SELECT count(" + col + ") FILTER (WHERE " + col + "::text <> 'NaN') FROM " + all),
                    out.get("counts").get(col).asLong(),
                    col + ": " + out);
        }
        assertEquals("decimal128(12, 2)", out.get("types").get("amount").asText(), out.toString());
        assertTrue(out.get("types").get("amount__pg_text").asText().contains("string"), out.toString());
        assertEquals(1, out.get("counts").get("amount__pg_text").asLong(), out.toString());
        assertEquals("[\"NaN\"]", out.get("pg_text").get("amount__pg_text").toString(), out.toString());
        assertTrue(
                out.get("spec").asText().contains("month(tstz)")
                        || out.get("spec").asText().contains("month"),
                out.toString());
        assertEquals(
                queryLong(url, "SELECT count(*) FROM archive.events_p2024_02"),
                out.get("pruned_rows").asLong(),
                out.toString());
        assertFalse(out.get("pruned_files").isEmpty(), out.toString());
        for (JsonNode f : out.get("pruned_files")) {
            assertTrue(f.asText().contains("/data/events_p2024_02/"), "pruned to February's files: " + out);
        }
    }

    private static ExportRequest request(String m) {
        String next = m.equals("03") ? "04" : "0" + (Integer.parseInt(m) + 1);
        return IcebergFixture.request(
                new TableName("archive", "events_p2024_" + m),
                "events_p2024_" + m,
                "'2024-" + m + "-01 00:00:00+00'",
                "'2024-" + next + "-01 00:00:00+00'");
    }

    /** Runs the pyiceberg script and returns what it printed. */
    static JsonNode read(Path python, String jdbcUrl, String from, String to) throws IOException, InterruptedException {
        Path script = Path.of("src/test/resources/pyiceberg/read_table.py").toAbsolutePath();
        List<String> cmd = new ArrayList<>(List.of(
                python.toString(),
                script.toString(),
                sqlAlchemyUrl(jdbcUrl, "partition_keeper"),
                "public",
                "events",
                "tstz",
                from,
                to));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] stdout;
        byte[] stderr;
        try (InputStream o = p.getInputStream();
                InputStream e = p.getErrorStream()) {
            stdout = o.readAllBytes();
            stderr = e.readAllBytes();
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pyiceberg timed out");
        assertEquals(0, p.exitValue(), "pyiceberg failed: " + new String(stderr, StandardCharsets.UTF_8));
        return new ObjectMapper().readTree(stdout);
    }

    /** {@code jdbc:postgresql://h:p/db?user=u} as SQLAlchemy's psycopg2 URL, with the catalog's schema first. */
    static String sqlAlchemyUrl(String jdbcUrl, String schema) {
        String rest = jdbcUrl.substring("jdbc:".length()).replaceFirst("^postgresql:", "postgresql+psycopg2:");
        return rest + (rest.contains("?") ? "&" : "?") + "options=-csearch_path%3D" + schema;
    }
}

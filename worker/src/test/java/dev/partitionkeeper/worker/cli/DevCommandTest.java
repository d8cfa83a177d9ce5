package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * {@code dev --once} on the SDK's embedded test server and an embedded PostgreSQL: the first pass reaches every
 * step of the chain, lists the archive, and the screen shows our tables only (the worker's log goes to a file).
 */
@Tag("postgres")
class DevCommandTest {
    /** The steps of the chain, as the report's "Done" table names them. */
    static final List<String> STEPS = List.of("create ", "detach ", "export ", "verify archive of ", "drop detached ");

    @TempDir
    Path dir;

    @Test
    void theFirstPassShowsCreateDetachExportVerifyDropAndTheArchive() throws Exception {
        Cli.Result r = Cli.run("dev", "--once", "--test-server", "--rows-per-month", "200", "--dir", dir.toString());
        assertDevPass(r, dir);
        assertTrue(r.out().contains("the SDK's embedded test server"), r::toString);
        assertTrue(r.out().contains("bash .ci/temporal-cli.sh"), () -> "says in one line how to get the UI\n" + r);
    }

    /** What every {@code dev --once} must show, whichever Temporal it ran on. */
    static void assertDevPass(Cli.Result r, Path dir) throws Exception {
        assertEquals(Main.OK, r.exitCode(), r::toString);
        r.assertNoStackTrace();
        // the worker's INFO lines go to the log file, named once
        assertFalse(r.all().contains(" INFO "), () -> "log lines on the screen:\n" + r);
        Path log = dir.resolve("partition-keeper.log").toAbsolutePath();
        assertEquals(1, count(r.out(), log.toString()), () -> "the log file is named once\n" + r);
        assertTrue(Files.size(log) > 0, "the worker logged to " + log);

        List<String[]> done = doneRows(r.out());
        for (String step : STEPS) {
            List<String[]> rows =
                    done.stream().filter(row -> row[0].startsWith(step)).toList();
            assertFalse(rows.isEmpty(), () -> "no \"" + step + "\" step in the report\n" + r);
            for (String[] row : rows) {
                assertEquals("done", row[1], () -> String.join(" | ", row));
                // an idle database: every step succeeds at its first try
                assertEquals("1", row[4], () -> "attempts of " + row[0] + "\n" + r);
                // creates say how many rows they moved out of the default partition, the other steps the partition's
                // rows
                assertEquals(step.equals("create "), row[2].isEmpty(), () -> "rows of " + row[0] + "\n" + r);
                assertEquals(
                        !step.equals("create "), row[3].isEmpty(), () -> "moved from default of " + row[0] + "\n" + r);
            }
        }

        Path archive = dir.resolve("archive").toAbsolutePath();
        assertTrue(r.out().contains("Archive " + archive + "/:"), r::toString);
        String detached = done.stream()
                .filter(row -> row[0].startsWith("detach "))
                .findFirst()
                .orElseThrow()[0]
                .substring("detach ".length());
        Path partitionDir = archive.resolve("public/transactions/" + detached);
        assertTrue(Files.exists(partitionDir.resolve("manifest.json")), "archived to " + partitionDir);
        assertTrue(
                r.out().lines().anyMatch(l -> l.startsWith("| " + detached + " ") && l.contains(partitionDir + "/")),
                () -> "the archive listing names " + detached + " and its location\n" + r);
        // the DuckDB line reads the archive without partition-keeper: run its query as the user would
        String duck = r.out()
                .lines()
                .filter(l -> l.trim().startsWith("duckdb -c \"SELECT count(*)"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no DuckDB line\n" + r))
                .trim();
        String sql = duck.substring("duckdb -c \"".length(), duck.length() - 1);
        long archivedRows = Long.parseLong(done.stream()
                .filter(row -> row[0].startsWith("verify archive of "))
                .findFirst()
                .orElseThrow()[2]);
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = duckdb.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            assertEquals(archivedRows, rs.getLong(1), sql);
        }
        assertTrue(
                r.out()
                        .contains(" restore -c "
                                + dir.resolve("partition-keeper.yaml").toAbsolutePath() + " " + partitionDir + "/"),
                () -> "the restore command for the archive\n" + r);
        assertTrue(
                r.out().indexOf("Layout before") < r.out().indexOf("Plan for")
                        && r.out().indexOf("Plan for") < r.out().indexOf("Done:")
                        && r.out().indexOf("Done:") < r.out().indexOf("Layout after pass 1")
                        && r.out().indexOf("Layout after pass 1") < r.out().indexOf("\nArchive "),
                () -> "the story in order\n" + r);
    }

    /** The rows of the report's "Done:" table: action, outcome, rows, moved from default, attempts, detail. */
    static List<String[]> doneRows(String out) {
        List<String[]> rows = new ArrayList<>();
        boolean in = false;
        for (String line : out.lines().toList()) {
            if (line.equals("Done:")) {
                in = true;
            } else if (in && line.startsWith("| action ")) {
                continue; // the header
            } else if (in && line.startsWith("| ")) {
                String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].trim();
                }
                rows.add(cells);
            } else if (in && !line.startsWith("+")) {
                in = false;
            }
        }
        return rows;
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int at = s.indexOf(part); at >= 0; at = s.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}

package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code validate}, {@code plan} and {@code status} over a fleet of two databases, and {@code --database}. */
@Tag("postgres")
class FleetCommandsTest {
    @TempDir
    Path dir;

    private List<String> databases(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String url = PgTestSupport.newDatabase("fleetcli");
            PgTestSupport.exec(
                    url,
                    "CREATE TABLE public.events (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
            names.add(url.substring(url.lastIndexOf('/') + 1, url.indexOf('?') < 0 ? url.length() : url.indexOf('?')));
        }
        return names;
    }

    private Path config(List<String> dbs) throws Exception {
        StringBuilder y = new StringBuilder(
                "postgres:\n  url: '" + PgTestSupport.adminUrl() + "'\n  connect_timeout: 1s\n" + "databases:\n");
        for (String db : dbs) {
            y.append("  - name: ").append(db).append('\n');
        }
        y.append("tables:\n  - table: public.events\n    interval: daily\n    premake: 2\n");
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, y.toString());
        return f;
    }

    @Test
    void validateShowsTheDatabasesAndTheTablesWithTheirDatabase() throws Exception {
        Path f = dir.resolve("v.yaml");
        Files.writeString(f, """
        databases:
          - pattern: "tenant_%"
            url: jdbc:postgresql://db2:5432/postgres
        tables:
          - table: "tenant_*.events"
            interval: daily
          - table: public.audit
            database: tenant_1
            interval: monthly
        """);
        Cli.Result r = Cli.run("validate", "-c", f.toString());
        assertEquals(Main.OK, r.exitCode(), r::toString);
        assertTrue(r.out().contains("databases[0]") && r.out().contains("pattern tenant_%"), r::toString);
        assertTrue(r.out().contains("tenant_*.events") && r.out().contains("(every database)"), r::toString);
        assertTrue(r.out().contains("tenant_1"), r::toString);
    }

    @Test
    void planCoversEveryDatabaseAndNarrowsToOneAndADatabaseDownIsReportedAlone() throws Exception {
        List<String> dbs = databases(2);
        Path f = config(dbs);
        Cli.Result all = Cli.run("plan", "-c", f.toString());
        assertEquals(Main.ATTENTION, all.exitCode(), all::toString);
        for (String db : dbs) {
            assertTrue(all.out().contains("database " + db + ":"), all::toString);
        }
        assertEquals(
                6,
                all.out().lines().filter(l -> l.contains("| CreatePartition |")).count(),
                () -> "three partitions per database: " + all);

        Cli.Result one = Cli.run("plan", "-c", f.toString(), "--database", dbs.get(1));
        assertFalse(one.out().contains("database " + dbs.get(0) + ":"), one::toString);
        assertTrue(one.out().contains("database " + dbs.get(1) + ":"), one::toString);

        Cli.Result unknown = Cli.run("plan", "-c", f.toString(), "--database", "nope");
        assertEquals(Main.BAD_INPUT, unknown.exitCode(), unknown::toString);
        assertTrue(unknown.err().contains("database nope is not in the fleet"), unknown::toString);

        Cli.Result grants = Cli.run("validate", "-c", f.toString(), "--privileges");
        assertEquals(Main.OK, grants.exitCode(), grants::toString);
        assertTrue(grants.out().contains("privileges: the role holds every grant the policy needs"), grants::toString);

        PgTestSupport.exec(PgTestSupport.adminUrl(), "ALTER DATABASE \"" + dbs.get(0) + "\" ALLOW_CONNECTIONS false");
        try {
            Cli.Result refused = Cli.run("validate", "-c", f.toString(), "--privileges");
            assertEquals(Main.FAILED, refused.exitCode(), refused::toString);
            assertTrue(refused.err().contains("database " + dbs.get(0) + ": cannot connect"), refused::toString);
            Cli.Result down = Cli.run("plan", "-c", f.toString());
            assertEquals(Main.FAILED, down.exitCode(), down::toString);
            assertTrue(
                    down.out().contains("public.events: cannot plan: ")
                            && down.out().contains("accepting connections"),
                    down::toString);
            assertEquals(
                    3,
                    down.out()
                            .lines()
                            .filter(l -> l.contains("| CreatePartition |"))
                            .count(),
                    () -> "the other database is still planned: " + down);
            Cli.Result status = Cli.run("status", "-c", f.toString());
            assertEquals(Main.ATTENTION, status.exitCode(), status::toString);
            assertTrue(status.out().contains("== database " + dbs.get(0) + ": cannot read: "), status::toString);
            assertTrue(status.out().contains("==== database " + dbs.get(1) + ": 1 table(s)"), status::toString);
            Cli.Result narrowed = Cli.run("status", "-c", f.toString(), "--database", dbs.get(1));
            assertFalse(narrowed.out().contains(dbs.get(0)), narrowed::toString);
        } finally {
            PgTestSupport.exec(
                    PgTestSupport.adminUrl(), "ALTER DATABASE \"" + dbs.get(0) + "\" ALLOW_CONNECTIONS true");
        }
    }

    @Test
    void databaseNeedsAFleet() throws Exception {
        Path f = dir.resolve("one.yaml");
        Files.writeString(f, "tables:\n  - table: public.events\n    interval: daily\n");
        Cli.Result r = Cli.run("plan", "-c", f.toString(), "--database", "x");
        assertEquals(Main.BAD_INPUT, r.exitCode(), r::toString);
        assertTrue(r.err().contains("--database [x] needs a databases: list"), r::toString);
    }
}

package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code validate}: no database, no Temporal. */
class ValidateCommandTest {
    @TempDir
    Path dir;

    private Path file(String name, String yaml) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void goodFilePrintsThePolicyAsATableAndExitsZero() throws Exception {
        Path f = file("good.yaml", """
        tables:
          - table: public.transactions
            interval: monthly
            premake: 3
            retention: 12 months
            timezone: Europe/Berlin
            default_partition: create
          - table: 'public."Billing Events"'
            interval: daily
        """);
        Cli.Result r = Cli.run("validate", "--config", f.toString());
        assertEquals(Main.OK, r.exitCode(), r::toString);
        assertEquals("", r.err(), r::toString);
        List<String> lines = r.out().lines().toList();
        assertEquals(f + " is valid:", lines.get(0));
        assertTrue(
                lines.get(2)
                        .matches("\\| table +\\| interval \\| premake \\| retention +\\| timezone +\\| default \\| "
                                + "retention_action \\|"),
                lines.get(2));
        assertTrue(
                r.out()
                        .contains(
                                "| public.transactions     | monthly  | 3       | 12 months | Europe/Berlin | create  "
                                        + "| detach_only      |"),
                r::toString);
        assertTrue(
                r.out()
                        .contains(
                                "| public.\"Billing Events\" | daily    | 4       | forever   | UTC           | keep    "
                                        + "| detach_only      |"),
                r::toString);
    }

    @Test
    void anHourlyRunwayShorterThanTheTimeBetweenPassesIsWarnedAbout() throws Exception {
        String tables = """
        tables:
          - table: public.events
            interval: 1 hour
          - table: public.clicks
            interval: 15 minutes
            premake: 200
        """;
        Cli.Result daily =
                Cli.run("validate", "--config", file("daily.yaml", tables).toString());
        Cli.Result weekdays = Cli.run(
                "validate",
                "--config",
                file("weekdays.yaml", tables + "schedule:\n  days: mon-fri\n").toString());
        Cli.Result hourly = Cli.run(
                "validate",
                "--config",
                file("hourly.yaml", tables + "schedule:\n  every: 1h\n").toString());

        assertEquals(Main.OK, daily.exitCode(), daily::toString);
        assertTrue(
                daily.out()
                        .contains("warning: public.events: premake 4 of 1 hour keeps 4h ahead, but passes run daily"
                                + " at 02:00 UTC (up to 1d apart): rows past the runway go to the default partition or fail; set premake to 24"
                                + " or more, or run passes more often (schedule: every: 1h)\n"),
                daily::toString);
        assertTrue(!daily.out().contains("public.clicks: premake"), "200 quarter hours outlast a day: " + daily);
        assertTrue(weekdays.out().contains("(up to 3d apart)"), weekdays::toString);
        assertTrue(
                weekdays.out()
                        .contains("public.clicks: premake 200 of 15 minutes keeps 50h ahead, but passes"
                                + " run on mon,tue,wed,thu,fri at 02:00 UTC (up to 3d apart): rows past the runway go to the default partition"
                                + " or fail; set premake to 288 or more"),
                weekdays::toString);
        assertTrue(!hourly.out().contains("warning"), hourly::toString);
    }

    @Test
    void badFileExitsTwoAndPrintsEveryProblemWithoutAStackTrace() throws Exception {
        Path f = file("bad.yaml", """
        maintenance:
          lock_timeout: soon
        tables:
          - table: public.transactions
            interval: montly
            retention: 12 moths
          - table: public.events
            interval: monthly
            retension: 3 days
            premake: 0
          - table: "public.x; drop table y"
            interval: daily
        """);
        Cli.Result r = Cli.run("validate", "-c", f.toString());
        assertEquals(Main.BAD_INPUT, r.exitCode(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertTrue(r.err().startsWith("error: " + f + ": 6 problems\n"), r::toString);
        for (String expected : List.of(
                "  - maintenance.lock_timeout must be a duration",
                "  - tables[0] (public.transactions): interval must be daily, weekly, monthly, quarterly, yearly or a whole"
                        + " number of minutes, hours, days, weeks, months or years such as \"1 hour\", \"15 minutes\" or"
                        + " \"2 weeks\", got: \"montly\"",
                "  - tables[0] (public.transactions): retention must be a number of days, weeks, months or years such as "
                        + "\"12 months\", got: \"12 moths\"",
                "  - tables[1] (public.events): unknown key 'retension'",
                "  - tables[1] (public.events): premake must be at least 1",
                "  - tables[2]: table: table name \"public.x; drop table y\" is not a valid identifier")) {
            assertTrue(r.err().contains(expected), () -> expected + "\n" + r);
        }
        r.assertNoStackTrace();
    }

    @Test
    void invalidYamlExitsTwoWithTheLine() throws Exception {
        Path f = file("broken.yaml", "tables:\n  - table: public.events\n    interval: [monthly\n");
        Cli.Result r = Cli.run("validate", "-c", f.toString());
        assertEquals(Main.BAD_INPUT, r.exitCode(), r::toString);
        assertTrue(r.err().contains("is not valid YAML") && r.err().contains("(line "), r::toString);
        r.assertNoStackTrace();
    }

    @Test
    void missingFileExitsTwoNamingIt() {
        Path f = dir.resolve("nowhere.yaml");
        Cli.Result r = Cli.run("validate", "-c", f.toString());
        assertEquals(Main.BAD_INPUT, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("error: cannot read config file " + f), r::toString);
        r.assertNoStackTrace();
    }
}

package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert --embedded}: the workflow in this process against a real PostgreSQL, and its bad-input path. */
@Tag("postgres")
class ConvertCommandTest {
    @TempDir
    Path dir;

    Path config(String url) throws Exception {
        Path f = dir.resolve("partition-keeper.yaml");
        Files.writeString(f, """
        postgres:
          url: '%s'
        temporal:
          task_queue: convert-test
        tables:
          - table: public.events
            interval: monthly
        """.formatted(url));
        return f;
    }

    @Test
    void aFirstConversionNeedsNoPolicyAndPrintsTheEntryToAdd() throws Exception {
        String url = PgTestSupport.newDatabase("convert_no_policy");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.events (id bigserial, at timestamptz NOT NULL, PRIMARY KEY (id, at))",
                "INSERT INTO public.events (at) SELECT now() - i * interval '1 day' FROM generate_series(0, 49) i");
        Path f = dir.resolve("connection-only.yaml");
        Files.writeString(f, "postgres:\n  url: '" + url + "'\ntemporal:\n  task_queue: convert-first\n");

        Cli.Result r = Cli.run(
                "convert",
                "public.events",
                "--column",
                "at",
                "--interval",
                "daily",
                "--premake",
                "5",
                "--embedded",
                "-c",
                f.toString());

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("convert public.events: converted"), r::toString);
        String entry = r.out().substring(r.out().indexOf("  - table: public.events"));
        assertEquals(
                "  - table: public.events\n    interval: daily\n    premake: 5\n    default_partition: none\n",
                entry,
                r::toString);
        // the printed entry is a valid policy for the converted table
        Files.writeString(f, Files.readString(f) + "tables:\n" + entry);
        Cli.Result plan = Cli.run("plan", "-c", f.toString());
        assertTrue(plan.out().contains("Plan for public.events"), plan::toString);
        assertTrue(plan.exitCode() == Main.OK || plan.exitCode() == Main.ATTENTION, plan::toString);
    }

    @Test
    void convertsThenFinishesAndPrintsEachStep() throws Exception {
        String url = PgTestSupport.newDatabase("convert_cli");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.events (id bigserial, at timestamptz NOT NULL, PRIMARY KEY (id, at))",
                "INSERT INTO public.events (at) SELECT now() - i * interval '1 day' FROM generate_series(0, 99) i");
        Path f = config(url);
        Cli.Result r = Cli.run(
                "convert",
                "public.events",
                "--column",
                "at",
                "--interval",
                "monthly",
                "--embedded",
                "-c",
                f.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("convert public.events: converted"), r::toString);
        assertTrue(r.out().contains("before swap: public.events 100 rows"), r::toString);
        assertTrue(r.out().contains("public.events_old stays, untouched"), r::toString);
        assertEquals(100, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.events"));
        assertEquals(
                "p",
                PgTestSupport.queryString(
                        url, "SELECT relkind::text FROM pg_class WHERE oid = 'public.events'::regclass"));

        Cli.Result again = Cli.run("convert", "public.events", "--column", "at", "--embedded", "-c", f.toString());
        assertEquals(0, again.exitCode(), again::toString);
        assertTrue(again.out().contains("already converted"), again::toString);

        Cli.Result finish = Cli.run("convert", "public.events", "--finish", "--embedded", "-c", f.toString());
        assertEquals(0, finish.exitCode(), finish::toString);
        assertTrue(finish.out().contains("stopped recording changes"), finish::toString);
        assertEquals(0, PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"));
    }

    @Test
    void badInputIsExitTwoWithTheReasonAndNoStackTrace() throws Exception {
        String url = PgTestSupport.newDatabase("convert_cli_bad");
        PgTestSupport.exec(url, "CREATE TABLE public.events (id bigint PRIMARY KEY, at timestamptz NOT NULL)");
        Path f = config(url);
        Cli.Result noKey = Cli.run("convert", "public.events", "--column", "at", "--embedded", "-c", f.toString());
        assertEquals(Main.BAD_INPUT, noKey.exitCode(), noKey::toString);
        assertTrue(
                noKey.err()
                        .contains("the primary key events_pkey of public.events is (id) and does not include \"at\""),
                noKey::toString);
        noKey.assertNoStackTrace();
        // the refusal is the message and one line naming the log, where the SDK's warning and its stack trace went
        assertEquals(2, noKey.err().lines().count(), noKey::toString);
        Path log = Path.of(noKey.err()
                .lines()
                .toList()
                .get(1)
                .replaceAll("^log with details \\(\\d+ warning\\(s\\)\\): " + "(\\S+) .*$", "$1"));
        assertTrue(Files.readString(log).contains("\tat "), () -> "the stack trace is in " + log);
        Files.delete(log);
        // --verbose: the log, stack traces and all, on the screen (so the screen capture above sees them)
        Cli.Result verbose =
                Cli.run("convert", "public.events", "--column", "at", "--embedded", "--verbose", "-c", f.toString());
        assertEquals(Main.BAD_INPUT, verbose.exitCode(), verbose::toString);
        assertTrue(verbose.console().contains("\tat "), verbose::toString);

        Cli.Result noColumn = Cli.run("convert", "public.events", "--interval", "monthly", "-c", f.toString());
        assertEquals(Main.BAD_INPUT, noColumn.exitCode(), noColumn::toString);
        assertTrue(noColumn.err().contains("--column is required"), noColumn::toString);
        noColumn.assertNoStackTrace();

        Cli.Result both = Cli.run("convert", "public.events", "--rollback", "--finish", "-c", f.toString());
        assertEquals(Main.BAD_INPUT, both.exitCode(), both::toString);
        both.assertNoStackTrace();
    }
}

package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code once}: an in-process Temporal test server, the real worker and client, a real PostgreSQL. The
 * config's URL carries a password (the embedded server trusts every connection, so any password
 * works): it must never reach the output or the logs.
 */
@Tag("postgres")
class OnceCommandTest {
    private static final String SECRET = "s3cr3t";

    @TempDir
    Path dir;

    private Path config(String url) throws Exception {
        Path f = dir.resolve("partition-keeper.yaml");
        Files.writeString(f, """
        postgres:
          url: '%s&password=%s'
        temporal:
          task_queue: once-test
        tables:
          - table: public.events
            interval: monthly
            premake: 3
        """.formatted(url, SECRET));
        return f;
    }

    @Test
    void runsOnePassThatLeavesPremakePartitionsAndNeverShowsThePassword() throws Exception {
        String url = PgTestSupport.newDatabase("once");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.events (id bigint NOT NULL, created_at timestamptz NOT NULL)"
                        + " PARTITION BY RANGE (created_at)");
        Path f = config(url);

        Cli.Result once;
        Cli.Result planAfter;
        String logs;
        try (LogCapture log = new LogCapture()) {
            once = Cli.run("once", "-c", f.toString());
            planAfter = Cli.run("plan", "-c", f.toString());
            logs = log.text();
        }

        assertEquals(Main.OK, once.exitCode(), once::toString);
        assertTrue(once.out().contains("== public.events: "), once::toString);
        assertTrue(once.out().contains("Done:"), once::toString);
        assertTrue(once.out().contains("Layout: ok; 4 partitions, runway 3 ahead"), once::toString);

        // the current month and premake (3) months ahead, with their real bounds
        LocalDate month = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
        assertEquals(
                4,
                PgTestSupport.queryLong(
                        url, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass"));
        DateTimeFormatter name = DateTimeFormatter.ofPattern("'events_p'yyyy_MM");
        for (int i = 0; i <= 3; i++) {
            LocalDate from = month.plusMonths(i);
            assertEquals(
                    1,
                    PgTestSupport.queryLong(
                            url,
                            "SELECT count(*) FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid"
                                    + " WHERE c.relname = '" + from.format(name)
                                    + "' AND pg_get_expr(c.relpartbound, c.oid) = "
                                    + "'FOR VALUES FROM (''" + from + " 00:00:00+00'') TO (''" + from.plusMonths(1)
                                    + " 00:00:00+00'')'"),
                    () -> "partition " + from.format(name) + " with bounds [" + from + ", " + from.plusMonths(1) + ")\n"
                            + once);
        }
        // rows go where they belong
        PgTestSupport.exec(url, "INSERT INTO public.events VALUES (1, now()), (2, now() + interval '80 days')");

        // nothing left to do: the plan is empty and needs no attention
        assertEquals(Main.OK, planAfter.exitCode(), planAfter::toString);
        assertTrue(planAfter.out().contains("| Nothing to do"), planAfter::toString);
        assertTrue(planAfter.out().contains("runway 3 partition(s) ahead"), planAfter::toString);

        for (Cli.Result r : new Cli.Result[] {once, planAfter}) {
            assertFalse(r.all().contains(SECRET), () -> "password printed:\n" + r);
            r.assertNoStackTrace();
        }
        assertFalse(logs.isEmpty(), "the capture saw the worker's log lines");
        assertFalse(logs.contains(SECRET), () -> "password logged:\n" + logs);
    }

    @Test
    void aPassThatFailsOnBadPolicyExitsNonZeroWithTheReason() throws Exception {
        String url = PgTestSupport.newDatabase("once_missing");
        Path f = config(url);
        Cli.Result r;
        String logs;
        try (LogCapture log = new LogCapture()) {
            r = Cli.run("once", "-c", f.toString());
            logs = log.text();
        }
        assertEquals(Main.FAILED, r.exitCode(), r::toString);
        assertTrue(r.all().contains("table public.events does not exist"), r::toString);
        assertFalse(r.all().contains(SECRET), r::toString);
        assertFalse(logs.contains(SECRET), () -> "password logged:\n" + logs);
    }
}

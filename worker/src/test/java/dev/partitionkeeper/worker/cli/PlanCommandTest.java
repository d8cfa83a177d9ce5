package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plan} reads the live catalog of a real PostgreSQL; no Temporal. */
@Tag("postgres")
class PlanCommandTest {
    @TempDir
    Path dir;
    /** The database {@link #configForNewDatabase} made. */
    String url;

    /** A fresh database with an empty monthly-partitioned {@code public.events} and a config pointing at it. */
    private Path configForNewDatabase(String hint, String tableLines) throws Exception {
        url = PgTestSupport.newDatabase(hint);
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.events (id bigint NOT NULL, created_at timestamptz NOT NULL)"
                        + " PARTITION BY RANGE (created_at)");
        Path f = dir.resolve("partition-keeper.yaml");
        Files.writeString(f, "postgres:\n  url: '" + url + "'\ntables:\n" + tableLines);
        return f;
    }

    private static final String EVENTS = "  - table: public.events\n    interval: monthly\n    premake: 3\n";

    @Test
    void printsTheActionsAndExitsThreeWhenSomethingNeedsAttention() throws Exception {
        Path f = configForNewDatabase("plan_text", EVENTS);
        Cli.Result r = Cli.run("plan", "-c", f.toString());
        assertEquals(Main.ATTENTION, r.exitCode(), r::toString);
        assertTrue(
                r.out().startsWith("Plan for public.events (key created_at timestamp with time zone, runway 0"),
                r::toString);
        // the current month and three ahead
        assertEquals(
                4,
                r.out()
                        .lines()
                        .filter(l -> l.matches("\\| \\d +\\| CreatePartition \\| events_p\\d{4}_\\d{2} .*"))
                        .count(),
                r::toString);
        assertTrue(r.out().contains("  ! runway_short: "), r::toString);
        assertEquals("", r.err(), r::toString);
    }

    @Test
    void aPartitionNameTemplateNamesThePlannedAndCreatedPartitions() throws Exception {
        Path f = configForNewDatabase("plan_names", EVENTS + "    partition_name: '%t_y%Ym%m'\n");
        String month = DateTimeFormatter.ofPattern("'events_y'yyyy'm'MM").format(LocalDate.now(ZoneOffset.UTC));

        Cli.Result plan = Cli.run("plan", "-c", f.toString());
        Cli.Result once = Cli.run("once", "-c", f.toString());

        assertEquals(
                4,
                plan.out()
                        .lines()
                        .filter(l -> l.matches("\\| \\d +\\| CreatePartition \\| events_y\\d{4}m\\d{2} .*"))
                        .count(),
                plan::toString);
        assertTrue(plan.out().contains("| CreatePartition | " + month + " "), plan::toString);
        assertTrue(once.exitCode() == Main.OK || once.exitCode() == Main.ATTENTION, once::toString);
        assertEquals(
                4,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid ="
                                + " i.inhrelid WHERE i.inhparent = 'public.events'::regclass AND c.relname ~ '^events_y[0-9]{4}m[0-9]{2}$'"));
    }

    @Test
    void jsonIsParseable() throws Exception {
        Path f = configForNewDatabase("plan_json", EVENTS);
        Cli.Result r = Cli.run("plan", "-c", f.toString(), "--json");
        assertEquals(Main.ATTENTION, r.exitCode(), r::toString);
        JsonNode plans = new ObjectMapper().readTree(r.out());
        assertTrue(plans.isArray(), r::toString);
        assertEquals(1, plans.size(), r::toString);
        JsonNode plan = plans.get(0);
        assertEquals("public", plan.at("/table/schema").asText(), r::toString);
        assertEquals("events", plan.at("/table/table").asText(), r::toString);
        assertEquals("created_at", plan.get("keyColumn").asText(), r::toString);
        assertEquals(4, plan.get("actions").size(), r::toString);
        for (JsonNode a : plan.get("actions")) {
            assertEquals("create", a.get("action").asText(), r::toString);
            assertTrue(a.get("partition").asText().startsWith("events_p"), r::toString);
        }
        assertEquals("RUNWAY_SHORT", plan.at("/findings/0/kind").asText(), r::toString);
    }

    @Test
    void tableFilterSelectsOneTable() throws Exception {
        Path f = configForNewDatabase("plan_filter", EVENTS + "  - table: public.missing\n    interval: daily\n");
        Cli.Result r = Cli.run("plan", "-c", f.toString(), "--table", "events");
        assertEquals(Main.ATTENTION, r.exitCode(), r::toString);
        assertTrue(r.out().contains("Plan for public.events"), r::toString);
        assertFalse(r.all().contains("missing"), r::toString);
    }

    @Test
    void tableFilterMatchingNothingIsBadInput() throws Exception {
        Path f = configForNewDatabase("plan_nomatch", EVENTS);
        Cli.Result r = Cli.run("plan", "-c", f.toString(), "--table", "public.other");
        assertEquals(Main.BAD_INPUT, r.exitCode(), r::toString);
        assertTrue(r.err().contains("no table in " + f + " matches [public.other]"), r::toString);
        r.assertNoStackTrace();
    }

    @Test
    void aTableThatDoesNotExistFailsWithAMessageNotAStackTrace() throws Exception {
        Path f = configForNewDatabase("plan_missing", "  - table: public.nope\n    interval: monthly\n");
        Cli.Result r = Cli.run("plan", "-c", f.toString());
        assertTrue(r.exitCode() != Main.OK, r::toString);
        assertEquals(Main.BAD_INPUT, r.exitCode(), () -> "a table missing from the database is a policy error\n" + r);
        assertTrue(r.err().startsWith("error: table public.nope does not exist in database "), r::toString);
        assertTrue(r.err().contains("create the partitioned parent first"), r::toString);
        r.assertNoStackTrace();
    }

    @Test
    void aTableThatIsNotPartitionedFailsTheSameWay() throws Exception {
        Path f = configForNewDatabase("plan_plain", "  - table: public.plain\n    interval: monthly\n");
        PgTestSupport.exec(url, "CREATE TABLE public.plain (id int)");
        Cli.Result r = Cli.run("plan", "-c", f.toString());
        assertEquals(Main.BAD_INPUT, r.exitCode(), r::toString);
        assertTrue(
                r.err().contains("table public.plain is not range-partitioned: it is an ordinary table"), r::toString);
        r.assertNoStackTrace();
    }
}

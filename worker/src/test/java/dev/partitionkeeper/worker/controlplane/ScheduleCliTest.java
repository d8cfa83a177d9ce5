package dev.partitionkeeper.worker.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code schedule ...} against the Java SDK's test server, which has no Schedules API: schedule mode says
 * so and what to do instead, cron mode works. Nothing here needs PostgreSQL.
 */
class ScheduleCliTest {
    static EmbeddedTemporal temporal;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        temporal = EmbeddedTemporal.start();
    }

    @AfterAll
    static void stop() {
        temporal.close();
    }

    static Path config(String schedule) throws Exception {
        Path f = Files.createTempFile(dir, "pk", ".yaml");
        Files.writeString(f, """
        postgres:
          url: jdbc:postgresql://127.0.0.1:1/unused
        temporal:
          task_queue: schedule-cli
        %s
        tables:
          - table: public.events
            interval: monthly
        """.formatted(schedule));
        return f;
    }

    static CliRun cli(Path config, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-c", config.toString(), "--address", temporal.target()));
        return CliRun.of(all.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0} --help")
    @ValueSource(
            strings = {
                "schedule",
                "schedule apply",
                "schedule describe",
                "schedule pause",
                "schedule unpause",
                "schedule trigger",
                "schedule backfill",
                "schedule delete",
                "maintain",
                "status",
                "history"
            })
    void everyNewCommandHasHelp(String command) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--help");
        CliRun r = CliRun.of(args.toArray(String[]::new));

        assertEquals(Main.OK, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith("Usage: partition-keeper " + command + " "), r::toString);
    }

    @Test
    void scheduleModeOnAServerWithoutSchedulesSaysToUseCron() throws Exception {
        CliRun r = cli(config(""), "schedule", "apply");

        assertEquals(Main.FAILED, r.exitCode(), r::toString);
        assertTrue(r.err().contains("has no Schedules API"), r::toString);
        assertTrue(r.err().contains("schedule apply --mode cron"), r::toString);
        r.assertNoStackTrace();
    }

    @Test
    void cronModeAppliesIdempotentlyReplacesOnChangeAndDeletes() throws Exception {
        Path daily = config("schedule:\n  mode: cron\n");
        // UTC: the test server's cron knows no CRON_TZ= (a real server's does; see ScheduleBuilderTest)
        Path other = config("schedule:\n  mode: cron\n  at: \"03:15\"\n  jitter: 5m\n");

        CliRun created = cli(daily, "schedule", "apply");
        CliRun again = cli(daily, "schedule", "apply");
        CliRun described = cli(daily, "schedule", "describe", "--json");
        CliRun replaced = cli(other, "schedule", "apply", "--json");
        CliRun pause = cli(other, "schedule", "pause");
        CliRun deleted = cli(other, "schedule", "delete");
        CliRun gone = cli(other, "schedule", "describe");

        assertEquals(Main.OK, created.exitCode(), created::toString);
        assertTrue(
                created.out().startsWith("cron " + MaintenanceWorkflow.CRON_WORKFLOW_ID + ": created (cron 0 2 * * *"),
                created::toString);
        assertTrue(again.out().contains(": unchanged"), again::toString);
        JsonNode view = new ObjectMapper().readTree(described.out());
        assertEquals("0 2 * * *", view.get("expression").asText());
        assertEquals("waiting", view.get("status").asText());
        assertTrue(view.get("nextPass").asText().endsWith("T02:00:00Z"), described::toString);
        JsonNode applied = new ObjectMapper().readTree(replaced.out());
        assertEquals("replaced", applied.get("outcome").asText());
        assertEquals("cron 15 3 * * *", applied.get("when").asText());
        assertTrue(
                applied.get("notes").toString().contains("jitter and pause_on_failure are Schedule features"),
                replaced::toString);
        assertEquals(Main.BAD_INPUT, pause.exitCode(), pause::toString);
        assertTrue(pause.err().contains("to run a pass now use: partition-keeper maintain"), pause::toString);
        assertTrue(
                deleted.out().contains("cron workflow " + MaintenanceWorkflow.CRON_WORKFLOW_ID + " terminated"),
                deleted::toString);
        assertEquals(Main.ATTENTION, gone.exitCode(), gone::toString);
        assertTrue(gone.out().contains("no cron workflow"), gone::toString);
    }

    @Test
    void historyWorksWithoutVisibilityQueries() throws Exception {
        CliRun r = CliRun.of("history", "--address", temporal.target(), "--last", "3");

        assertEquals(Main.OK, r.exitCode(), r::toString);
        assertTrue(r.out().contains("| started"), r::toString);
    }
}

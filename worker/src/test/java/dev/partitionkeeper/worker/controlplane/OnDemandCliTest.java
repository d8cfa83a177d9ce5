package dev.partitionkeeper.worker.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maintain}, {@code status} and {@code history} through the CLI, against the real worker on the
 * embedded Temporal test server and a real PostgreSQL with the demo table.
 */
@Tag("postgres")
class OnDemandCliTest {
    static EmbeddedTemporal temporal;

    @TempDir
    Path dir;

    String url;
    Path config;
    WorkerRuntime worker;

    @BeforeAll
    static void startTemporal() {
        temporal = EmbeddedTemporal.start();
    }

    @AfterAll
    static void stopTemporal() {
        temporal.close();
    }

    private void startWorker(String hint) throws Exception {
        url = PgTestSupport.newDatabase(hint);
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 20);
        config = dir.resolve("partition-keeper.yaml");
        Files.writeString(config, """
        postgres:
          url: '%s'
        temporal:
          task_queue: %s
        maintenance:
          lock_max_wait: 2m
        """.formatted(url, hint + "-" + System.nanoTime()) + DemoData.policyYaml());
        WorkerConfig cfg = WorkerConfig.load(config, Map.of());
        worker = new WorkerRuntime(
                temporal.connection().client(), cfg, new PostgresSettings(url, null, null, 4), cfg::tables, null);
        worker.start();
    }

    @AfterEach
    void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    private CliRun cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--address", temporal.target()));
        if (!args[0].equals("history")) {
            all.addAll(List.of("-c", config.toString()));
        }
        return CliRun.of(all.toArray(String[]::new));
    }

    private static MaintenanceReport awaitOnDemandRun() throws Exception {
        return temporal.connection()
                .client()
                .newUntypedWorkflowStub(MaintenanceWorkflow.WORKFLOW_ID)
                .getResult(60, TimeUnit.SECONDS, MaintenanceReport.class);
    }

    @Test
    void maintainStartsAPassAndHistoryListsItWithOutcomeAndActions() throws Exception {
        startWorker("maintain");

        CliRun sent = cli("maintain", "--table", "public.transactions", "--reason", "runway check");
        MaintenanceReport report = awaitOnDemandRun();
        CliRun history = cli("history", "--last", "20", "--json");
        CliRun table = cli("history", "--last", "20");

        assertEquals(Main.OK, sent.exitCode(), sent::toString);
        assertTrue(
                sent.out()
                        .contains("requested maintenance of public.transactions: started workflow "
                                + MaintenanceWorkflow.WORKFLOW_ID),
                sent::toString);
        assertEquals("runway check", report.reason());
        JsonNode pass = null;
        for (JsonNode p : new ObjectMapper().readTree(history.out())) {
            if ("runway check".equals(p.path("reason").asText())) {
                pass = p;
            }
        }
        assertTrue(pass != null, history::toString);
        assertEquals("on-demand", pass.get("trigger").asText());
        assertEquals("completed", pass.get("status").asText());
        assertEquals("public.transactions", pass.get("tables").get(0).asText());
        assertEquals(
                report.tables().get(0).actions().size(), pass.get("actions").asInt());
        assertTrue(pass.get("actions").asInt() > 0, history::toString);
        assertTrue(table.out().contains("| on-demand |"), table::toString);
    }

    @Test
    void maintainWaitPrintsTheReportAndUnknownTablesAreRefusedBeforeSending() throws Exception {
        startWorker("maintainwait");

        CliRun refused = cli("maintain", "--table", "public.orders", "--wait");
        CliRun waited = cli("maintain", "--wait", "--dry-run", "--reason", "what would happen");

        assertEquals(Main.BAD_INPUT, refused.exitCode(), refused::toString);
        assertTrue(
                refused.err().contains("table public.orders is not in the policy; known tables: public.transactions"),
                refused::toString);
        refused.assertNoStackTrace();
        // the demo table has stray rows in its default partition: the dry run reports them
        assertTrue(waited.exitCode() == Main.OK || waited.exitCode() == Main.ATTENTION, waited::toString);
        assertTrue(waited.out().contains("== public.transactions"), waited::toString);
        assertTrue(waited.out().contains("Plan for public.transactions"), waited::toString);
    }

    @Test
    void statusShowsTheLayoutAndArchiveAndLiveShowsTheStepAPassWaitsIn() throws Exception {
        startWorker("status");
        CliRun before = cli("status");
        assertEquals(Main.ATTENTION, before.exitCode(), before::toString);
        assertTrue(before.out().contains("runway 1 of premake 3"), before::toString);
        assertTrue(before.out().contains("| transactions_default  | DEFAULT"), before::toString);

        CliRun live;
        try (Connection holder = DriverManager.getConnection(url)) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                // an old transaction holding a lock the create step's ATTACH conflicts with: the step waits outside
                // the lock queue and says so in its heartbeat
                s.execute("LOCK TABLE public.transactions IN SHARE MODE");
            }
            cli("maintain", "--reason", "while locked");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            do {
                Thread.sleep(300);
                live = cli("status", "--live", "--json");
            } while (!live.out().contains("waiting outside the lock queue") && System.nanoTime() < deadline);
            holder.rollback();
        }
        MaintenanceReport report = awaitOnDemandRun();
        CliRun after = cli("status", "--json");

        JsonNode running = new ObjectMapper().readTree(live.out()).get("running");
        JsonNode pass = null;
        for (JsonNode p : running) {
            if (MaintenanceWorkflow.WORKFLOW_ID.equals(p.get("workflowId").asText())) {
                pass = p;
            }
        }
        assertTrue(pass != null, live::toString);
        assertEquals(
                "running", pass.get("status").get("tables").get(0).get("state").asText(), live::toString);
        // the step comes from the table workflow's progress query (no signal per step reaches the pass)
        assertTrue(pass.get("status").get("tables").get(0).get("step").asText().startsWith("create "), live::toString);
        JsonNode step = pass.get("steps").get(0);
        assertEquals("public.transactions", step.get("table").asText());
        // the table's creates and detach run in one activity, which heartbeats what its current action waits for
        assertEquals("PartitionApplyDdl", step.get("activity").asText(), live::toString);
        assertTrue(step.get("heartbeat").asText().contains("waiting outside the lock queue"), live::toString);
        assertFalse(report.failed());
        JsonNode t = new ObjectMapper().readTree(after.out()).get("tables").get(0);
        assertEquals(3, t.get("runwayPartitions").asInt(), after::toString);
        assertEquals(1, t.get("counts").get("detached").asInt(), after::toString);
        assertEquals("detached", t.get("archived").get(0).get("state").asText(), after::toString);
        assertTrue(t.get("recentActions").size() > 0, after::toString);
    }

    @Test
    void statusLiveAndHistoryNeedNoPolicy() throws Exception {
        Path connectionOnly = dir.resolve("connection-only.yaml");
        Files.writeString(connectionOnly, "postgres:\n  url: jdbc:postgresql://127.0.0.1:1/unused\n");

        CliRun live = CliRun.of(
                "status", "--live", "--json", "-c", connectionOnly.toString(), "--address", temporal.target());
        CliRun history = CliRun.of("history", "--address", temporal.target());

        assertEquals(Main.OK, live.exitCode(), live::toString);
        assertTrue(new ObjectMapper().readTree(live.out()).has("running"), live::toString);
        assertEquals(Main.OK, history.exitCode(), history::toString);
    }
}

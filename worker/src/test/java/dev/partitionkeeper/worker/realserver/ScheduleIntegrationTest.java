package dev.partitionkeeper.worker.realserver;

import static dev.partitionkeeper.worker.realserver.RealServerFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.controlplane.CliRun;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.TableReport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Schedule on the real Temporal server (the CLI's dev server), through the {@code schedule} commands an
 * operator types: apply (idempotent, keeping a pause), describe, trigger a pass that runs the whole chain,
 * pause/unpause, backfill, delete; and a short Schedule firing on its own with no client involved.
 */
@Tag(DevServerExtension.TAG)
@Tag("postgres")
class ScheduleIntegrationTest {
    @RegisterExtension
    static DevServerExtension temporal = DevServerExtension.headless();

    @TempDir
    Path dir;

    RealServerFixture fx;

    @AfterEach
    void cleanUp() {
        if (fx != null) {
            fx.cli("schedule", "delete");
            fx.close();
        }
    }

    private JsonNode describe() throws Exception {
        CliRun r = fx.cli("schedule", "describe", "--json");
        assertTrue(r.exitCode() == Main.OK || r.exitCode() == Main.ATTENTION, r::toString);
        return new ObjectMapper().readTree(r.out());
    }

    /** Waits until the Schedule has started {@code n} passes in all and none is running. */
    private JsonNode awaitPassesDone(int n, Duration timeout) throws Exception {
        JsonNode[] last = new JsonNode[1];
        await(n + " scheduled passes finished", timeout, () -> {
            try {
                last[0] = describe();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return last[0].get("actions").asLong() >= n
                    && last[0].get("running").isEmpty();
        });
        return last[0];
    }

    private static MaintenanceReport result(String workflowId) throws Exception {
        return temporal.connection()
                .client()
                .newUntypedWorkflowStub(workflowId)
                .getResult(2, TimeUnit.MINUTES, MaintenanceReport.class);
    }

    private static List<String> actions(MaintenanceReport r) {
        List<String> out = new ArrayList<>();
        for (TableReport t : r.tables()) {
            for (ActionResult a : t.actions()) {
                out.add(a.action());
            }
        }
        return out;
    }

    private static WorkflowExecutionInfo info(String workflowId) {
        return temporal.connection()
                .stubs()
                .blockingStub()
                .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace("default")
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                        .build())
                .getWorkflowExecutionInfo();
    }

    @Test
    void applyDescribeTriggerTheWholeChainPauseBackfillAndDelete() throws Exception {
        fx = new RealServerFixture(temporal, dir, "sched_it", "");
        fx.startWorker();

        CliRun created = fx.cli("schedule", "apply");
        CliRun again = fx.cli("schedule", "apply");
        JsonNode d = describe();

        assertEquals(Main.OK, created.exitCode(), created::toString);
        assertTrue(
                created.out().startsWith("schedule " + MaintenanceWorkflow.SCHEDULE_ID + ": created"),
                created::toString);
        assertTrue(
                again.out().startsWith("schedule " + MaintenanceWorkflow.SCHEDULE_ID + ": unchanged"), again::toString);
        assertEquals("daily at 02:00 UTC", d.get("spec").asText());
        assertEquals("UTC", d.get("timezone").asText());
        assertEquals("skip", d.get("overlap").asText());
        assertEquals("6h", d.get("catchupWindow").asText());
        assertEquals(fx.taskQueue, d.get("taskQueue").asText());
        assertTrue(d.get("nextRuns").size() >= 3, d::toString);
        Instant next = Instant.parse(d.get("nextRuns").get(0).asText());
        assertTrue(
                next.isAfter(Instant.now())
                        && next.isBefore(Instant.now().plus(Duration.ofDays(1).plusMinutes(1))),
                d::toString);
        assertEquals(2, next.atZone(ZoneOffset.UTC).getHour(), d::toString);

        // trigger: a pass of the whole chain, started by the Schedule, completes
        CliRun triggered = fx.cli("schedule", "trigger");
        assertEquals(Main.OK, triggered.exitCode(), triggered::toString);
        JsonNode afterTrigger = awaitPassesDone(1, Duration.ofMinutes(2));
        String passId = afterTrigger.get("recentRuns").get(0).get("workflowId").asText();
        assertTrue(passId.startsWith(MaintenanceWorkflow.SCHEDULED_WORKFLOW_ID), passId);
        MaintenanceReport pass = result(passId);
        List<String> done = actions(pass);
        for (String step : List.of("create ", "detach ", "export ", "verify archive of ", "drop detached ")) {
            assertTrue(done.stream().anyMatch(a -> a.startsWith(step)), () -> "no " + step + "in " + done);
        }
        assertFalse(pass.failed(), pass::toString);
        assertEquals(
                0,
                PgTestSupport.queryLong(
                        fx.url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'partition_archive'"),
                "the verified partition was dropped");

        // pause: apply keeps an operator's pause, unpause resumes
        assertEquals(
                Main.OK, fx.cli("schedule", "pause", "--note", "db migration").exitCode());
        assertTrue(describe().get("paused").asBoolean());
        assertEquals("db migration", describe().get("note").asText());
        fx.cli("schedule", "apply");
        assertTrue(describe().get("paused").asBoolean(), "apply keeps an operator's pause");
        assertEquals(Main.OK, fx.cli("schedule", "unpause").exitCode());
        assertFalse(describe().get("paused").asBoolean());

        // backfill over three days: three passes, one after the other
        Instant to = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        CliRun backfill = fx.cli(
                "schedule", "backfill", "--from", to.minus(Duration.ofDays(3)).toString(), "--to", to.toString());
        assertEquals(Main.OK, backfill.exitCode(), backfill::toString);
        JsonNode afterBackfill = awaitPassesDone(4, Duration.ofMinutes(2));
        assertEquals(4, afterBackfill.get("actions").asLong(), afterBackfill::toString);
        assertEquals(0, afterBackfill.get("skippedOverlap").asLong(), afterBackfill::toString);
        List<WorkflowExecutionInfo> backfilled = new ArrayList<>();
        for (JsonNode r : afterBackfill.get("recentRuns")) {
            if (!r.get("workflowId").asText().equals(passId)) {
                result(r.get("workflowId").asText());
                backfilled.add(info(r.get("workflowId").asText()));
            }
        }
        assertEquals(3, backfilled.size(), afterBackfill::toString);
        backfilled.sort(Comparator.comparing(i -> i.getStartTime().getSeconds() * 1_000_000_000L
                + i.getStartTime().getNanos()));
        for (int i = 1; i < backfilled.size(); i++) {
            var prevClose = backfilled.get(i - 1).getCloseTime();
            var start = backfilled.get(i).getStartTime();
            assertTrue(
                    start.getSeconds() > prevClose.getSeconds()
                            || (start.getSeconds() == prevClose.getSeconds()
                                    && start.getNanos() >= prevClose.getNanos()),
                    "backfilled passes overlapped: " + backfilled);
        }

        // delete
        assertEquals(Main.OK, fx.cli("schedule", "delete").exitCode());
        CliRun gone = fx.cli("schedule", "describe");
        assertTrue(gone.err().contains("there is no schedule " + MaintenanceWorkflow.SCHEDULE_ID), gone::toString);
        gone.assertNoStackTrace();
    }

    @Test
    void aShortScheduleFiresOnItsOwnAndEachPassCompletes() throws Exception {
        fx = new RealServerFixture(temporal, dir, "sched_every", """
        schedule:
          every: 10s
        """);
        fx.startWorker();

        CliRun applied = fx.cli("schedule", "apply");
        assertEquals(Main.OK, applied.exitCode(), applied::toString);
        assertEquals("every 10s", describe().get("spec").asText());
        // no trigger, no client: the server starts the passes
        JsonNode d = awaitPassesDone(2, Duration.ofSeconds(90));

        assertTrue(d.get("recentRuns").size() >= 2, d::toString);
        for (JsonNode r : d.get("recentRuns")) {
            MaintenanceReport report = result(r.get("workflowId").asText());
            assertFalse(report.failed(), report::toString);
            assertEquals("scheduled", report.reason());
        }
    }
}

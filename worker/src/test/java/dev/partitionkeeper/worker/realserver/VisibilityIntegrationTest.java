package dev.partitionkeeper.worker.realserver;

import static dev.partitionkeeper.worker.realserver.RealServerFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.controlplane.CliRun;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.Visibility;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator reads about past passes, from the real server's visibility store: the production
 * {@code worker} process registers the search attributes at start, passes carry them and the memo, a list
 * query on them finds exactly the right runs, and {@code history} lists the passes through the visibility API.
 */
@Tag(DevServerExtension.TAG)
@Tag("postgres")
class VisibilityIntegrationTest {
    @RegisterExtension
    static DevServerExtension temporal = DevServerExtension.headless();

    @TempDir
    Path dir;

    RealServerFixture fx;
    Process worker;

    @AfterEach
    void stop() throws Exception {
        if (worker != null) {
            worker.destroy(); // SIGTERM: the worker drains and exits
            if (!worker.waitFor(30, TimeUnit.SECONDS)) {
                worker.destroyForcibly();
            }
        }
        if (fx != null) {
            fx.close();
        }
    }

    /** The production {@code worker} command in its own JVM, connected the way every Temporal tool is. */
    private Process startWorkerProcess(Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "worker",
                        "-c",
                        fx.config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("TEMPORAL_ADDRESS", temporal.target());
        pb.environment().put("TEMPORAL_NAMESPACE", "default");
        pb.environment().put("TEMPORAL_CONFIG_FILE", "/nonexistent");
        Process p = pb.start();
        await("the worker process polls its task queue (log " + log + ")", Duration.ofSeconds(90), () -> {
            try {
                if (!p.isAlive()) {
                    throw new AssertionError("worker exited with " + p.exitValue() + ":\n" + Files.readString(log));
                }
                return Files.readString(log).contains("worker started on task queue " + fx.taskQueue);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return p;
    }

    private static Map<String, IndexedValueType> customAttributes() {
        OperatorServiceStubs op = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder(
                        temporal.connection().stubs().getOptions())
                .build());
        try {
            return op.blockingStub()
                    .listSearchAttributes(ListSearchAttributesRequest.newBuilder()
                            .setNamespace("default")
                            .build())
                    .getCustomAttributesMap();
        } finally {
            op.shutdown();
        }
    }

    private static List<WorkflowExecutionInfo> list(String query) {
        return temporal.connection()
                .stubs()
                .blockingStub()
                .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                        .setNamespace("default")
                        .setQuery(query)
                        .setPageSize(100)
                        .build())
                .getExecutionsList();
    }

    private static Set<String> runIds(List<WorkflowExecutionInfo> runs) {
        return runs.stream().map(i -> i.getExecution().getRunId()).collect(Collectors.toSet());
    }

    /** {@code maintain --wait} for the demo table: returns the run ID of the pass it ran. */
    private String pass(String reason) throws Exception {
        CliRun r = fx.cli("maintain", "--wait", "--table", "public.transactions", "--reason", reason, "--json");
        assertTrue(r.exitCode() == Main.OK || r.exitCode() == Main.ATTENTION, r::toString);
        return temporal.connection()
                .stubs()
                .blockingStub()
                .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace("default")
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID))
                        .build())
                .getWorkflowExecutionInfo()
                .getExecution()
                .getRunId();
    }

    @Test
    void searchAttributesRegisteredAtWorkerStartFindExactlyTheRightRuns() throws Exception {
        fx = new RealServerFixture(temporal, dir, "visibility", "");
        assertTrue(customAttributes().isEmpty(), "a new dev server has no custom search attributes");

        worker = startWorkerProcess(dir.resolve("worker.log"));
        await(
                "the worker registered our search attributes",
                Duration.ofSeconds(30),
                () -> customAttributes()
                        .keySet()
                        .containsAll(Visibility.definitions().keySet()));
        assertEquals(Visibility.definitions(), Map.copyOf(customAttributes()));

        // pass 1 leaves stray rows in the default partition (attention); pass 2 runs after they are gone (ok)
        String attention = pass("first look");
        PgTestSupport.exec(fx.url, "DELETE FROM public.transactions_default");
        String ok = pass("after the clean-up");
        String both = "PartitionKeeperTables = 'public.transactions' AND PartitionKeeperOutcome = 'attention'";

        await(
                "visibility shows both runs closed",
                Duration.ofSeconds(30),
                () -> list("WorkflowType = '" + "PartitionMaintenance' AND ExecutionStatus != 'Running'")
                                .size()
                        >= 2);
        assertEquals(Set.of(attention), runIds(list(both)), "the query of the issue finds exactly the attention run");
        assertEquals(
                Set.of(ok),
                runIds(list("PartitionKeeperTables = 'public.transactions' AND PartitionKeeperOutcome" + " = 'ok'")));
        assertEquals(
                Set.of(attention, ok),
                runIds(list("WorkflowType = 'PartitionMaintenance'" + " AND PartitionKeeperTrigger = 'on-demand'")));
        // the table runs carry their table too, so the UI's list filtered by table shows them beside the pass; only
        // the first pass had actions for the table: the second found nothing to do, which costs no table run
        assertEquals(
                1,
                list("WorkflowType = 'TableMaintenance' AND PartitionKeeperTables = 'public.transactions'")
                        .size());
        assertEquals(Set.of(), runIds(list("PartitionKeeperTables = 'public.other'")));

        // the memo: what started the run and from which configuration
        WorkflowExecutionInfo info = temporal.connection()
                .stubs()
                .blockingStub()
                .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace("default")
                        .setExecution(WorkflowExecution.newBuilder()
                                .setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID)
                                .setRunId(attention))
                        .build())
                .getWorkflowExecutionInfo();
        Map<String, Payload> memo = info.getMemo().getFieldsMap();
        assertEquals(
                "on-demand",
                DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                        memo.get(Visibility.MEMO_TRIGGER), String.class, String.class));
        assertEquals(
                fx.config.toString(),
                DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                        memo.get(Visibility.MEMO_CONFIG), String.class, String.class));

        // history: the passes through the visibility API, newest first, with trigger, outcome, duration, actions
        CliRun history = fx.cli("history", "--last", "5", "--json");
        assertEquals(Main.OK, history.exitCode(), history::toString);
        List<JsonNode> passes = new ArrayList<>();
        new ObjectMapper().readTree(history.out()).forEach(passes::add);
        assertEquals(
                List.of(ok, attention),
                passes.stream().map(p -> p.get("runId").asText()).toList(),
                history::toString);
        assertEquals(
                List.of("ok", "attention"),
                passes.stream().map(p -> p.get("outcome").asText()).toList());
        for (JsonNode p : passes) {
            assertEquals("on-demand", p.get("trigger").asText(), p::toString);
            assertEquals("completed", p.get("status").asText(), p::toString);
            assertTrue(p.get("durationMillis").asLong() > 0, p::toString);
        }
        assertTrue(passes.get(1).get("actions").asInt() > 0, "the first pass created and detached partitions");
        CliRun table = fx.cli("history", "--last", "5");
        assertTrue(table.out().contains("after the clean-up") && table.out().contains("first look"), table::toString);
    }
}

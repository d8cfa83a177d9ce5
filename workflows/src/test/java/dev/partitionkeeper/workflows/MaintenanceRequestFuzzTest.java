package dev.partitionkeeper.workflows;

import static dev.partitionkeeper.workflows.ControlPlaneSupport.attach;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.result;
import static dev.partitionkeeper.workflows.ControlPlaneSupport.signalWithStart;
import static dev.partitionkeeper.workflows.Fixtures.BILLING_EVENTS;
import static dev.partitionkeeper.workflows.Fixtures.TRANSACTIONS;
import static dev.partitionkeeper.workflows.Fixtures.done;
import static dev.partitionkeeper.workflows.Fixtures.partitionActivities;
import static dev.partitionkeeper.workflows.Fixtures.policyActivities;
import static dev.partitionkeeper.workflows.Fixtures.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.partitionkeeper.workflows.ControlPlaneSupport.Gate;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Seeded malformed payloads sent through untyped stubs to a running pass: nulls, wrong JSON types, unknown
 * fields and tables, names that are not identifiers, oversized lists and reasons. The {@code maintain}
 * update's validator refuses each with a message naming what is wrong; each {@code requestMaintenance}
 * signal is dropped, counted and explained in {@code status}; nothing is queued, the pass already running
 * finishes as if nothing was sent, and the history (malformed signals included) replays. Replay a failure
 * with {@code -Dpk.fuzz.seed=SEED}.
 */
class MaintenanceRequestFuzzTest {
    static final long SEED = Long.getLong("pk.fuzz.seed", 20261125L);
    static final int CASES = Integer.getInteger("pk.fuzz.signal.cases", 60);

    @RegisterExtension
    static final TestWorkflowExtension testWorkflow = Fixtures.extension();

    final PartitionActivities partitions = partitionActivities();
    final Gate gate = new Gate();

    /** A payload and the words its refusal must contain. */
    record Payload(Object json, List<String> expected) {
        @Override
        public String toString() {
            String s = String.valueOf(json);
            return (s.length() > 120 ? s.substring(0, 120) + "…" : s) + " expecting " + expected;
        }
    }

    /** One bad field value and the words that name the problem. */
    private record BadField(String field, Object value, String expected) {}

    private static final List<BadField> BAD_FIELDS = List.of(
            new BadField("tables", "public.transactions", "tables must be a list of table names"),
            new BadField(
                    "tables", 42, "tables must be a list of table names such as [\"public.events\"], got: number 42"),
            new BadField("tables", Map.of("a", 1), "tables must be a list of table names"),
            new BadField("tables", List.of(42), "tables[0] must be a table name"),
            new BadField("tables", List.of("public.transactions", true), "tables[1] must be a table name"),
            new BadField("tables", List.of(List.of("public.transactions")), "tables[0] must be a table name"),
            new BadField("tables", Collections.singletonList(null), "table names must not be empty"),
            new BadField("tables", List.of(""), "table names must not be empty"),
            new BadField("tables", List.of("   "), "table names must not be empty"),
            new BadField("tables", List.of("public.orders"), "table public.orders is not in the policy"),
            new BadField("tables", List.of("x; drop table y"), "is not a valid identifier"),
            new BadField("tables", List.of("public.\"Tr\u00e4nsactions\""), "is not in the policy"),
            new BadField("tables", List.of("a.b.c"), "a.b.c"),
            new BadField("tables", List.of("\ud83d\ude42"), "\ud83d\ude42"),
            new BadField(
                    "tables", Collections.nCopies(501, "public.transactions"), "a request names at most 500 tables"),
            new BadField("dryRun", "yes", "dryRun must be true or false, got: text \"yes\""),
            new BadField("dryRun", 1, "dryRun must be true or false, got: number 1"),
            new BadField("dryRun", List.of(true), "dryRun must be true or false"),
            new BadField("reason", 12, "reason must be text, got: number 12"),
            new BadField("reason", List.of("a"), "reason must be text"),
            new BadField("reason", "x".repeat(501), "reason must be at most 500 characters, got: 501"),
            new BadField("bogus", 1, "unknown field \"bogus\""),
            new BadField("dry_run", true, "unknown field \"dry_run\""),
            new BadField("table", "public.transactions", "unknown field \"table\""));

    private static final List<Payload> BAD_WHOLE = List.of(
            new Payload(null, List.of("the request is empty")),
            new Payload("public.transactions", List.of("must be an object", "got: text \"public.transactions\"")),
            new Payload(42, List.of("must be an object", "got: number 42")),
            new Payload(true, List.of("must be an object", "got: true")),
            new Payload(List.of(), List.of("must be an object", "got: list []")),
            new Payload(List.of("public.transactions"), List.of("must be an object")));

    static List<Payload> payloads(Random random, int n) {
        List<Payload> out = new ArrayList<>(BAD_WHOLE);
        for (BadField b : BAD_FIELDS) {
            out.add(object(List.of(b)));
        }
        while (out.size() < n) {
            if (random.nextInt(5) == 0) {
                out.add(BAD_WHOLE.get(random.nextInt(BAD_WHOLE.size())));
                continue;
            }
            // one to three problems, in distinct fields, sometimes next to a good field
            List<BadField> pick = new ArrayList<>();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                BadField b = BAD_FIELDS.get(random.nextInt(BAD_FIELDS.size()));
                if (pick.stream().noneMatch(p -> p.field().equals(b.field()))) {
                    pick.add(b);
                }
            }
            out.add(object(pick));
        }
        Collections.shuffle(out, random);
        return out;
    }

    private static Payload object(List<BadField> fields) {
        Map<String, Object> json = new LinkedHashMap<>();
        List<String> expected = new ArrayList<>();
        for (BadField b : fields) {
            json.put(b.field(), b.value());
            expected.add(b.expected());
        }
        if (!json.containsKey("reason")) {
            json.put("reason", "fuzz");
        }
        return new Payload(json, expected);
    }

    @Test
    void malformedSignalsAndUpdatesAreRefusedSpecificallyAndChangeNothing(TestWorkflowEnvironment env, Worker worker)
            throws Exception {
        doAnswer(inv -> gate.pass(() -> done(inv.<PlannedAction>getArgument(1))))
                .doAnswer(inv -> done(inv.<PlannedAction>getArgument(1)))
                .when(partitions)
                .createPartition(eq(TRANSACTIONS), any());
        start(env, worker, partitions, policyActivities(TRANSACTIONS, BILLING_EVENTS));
        WorkflowClient client = env.getWorkflowClient();
        signalWithStart(client, worker.getTaskQueue(), MaintenanceRequest.all("the one real request"));
        gate.awaitEntered(); // the policy is loaded: tables are checked against it
        MaintenanceWorkflow wf = attach(client, MaintenanceWorkflow.WORKFLOW_ID);
        WorkflowStub stub = WorkflowStub.fromTyped(wf);

        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        int rejected = 0;
        for (Payload p : payloads(random, CASES)) {
            // the update: refused by the validator, with the words
            try {
                stub.update("maintain", MaintenanceReport.class, p.json());
                failures.add("update accepted: " + p);
            } catch (WorkflowUpdateException e) {
                String chain = Fixtures.messageChain(e);
                for (String x : p.expected()) {
                    if (!chain.contains(x)) {
                        failures.add("update refused without \"" + x + "\": " + p + "\n    " + chain);
                    }
                }
            }
            // the signal: dropped, counted, explained
            stub.signal("requestMaintenance", p.json());
            rejected++;
            MaintenanceStatus s = awaitRejected(wf, rejected);
            if (s == null) {
                failures.add("signal not reported in status: " + p);
                rejected = wf.status().rejectedRequests();
                continue;
            }
            for (String x : p.expected()) {
                if (s.lastError() == null || !s.lastError().contains(x)) {
                    failures.add("signal reported without \"" + x + "\": " + p + "\n    " + s.lastError());
                }
            }
            if (s.queuedRequests() != 0) {
                failures.add("a malformed signal was queued: " + p);
            }
        }
        // a signal of a name the workflow does not have, and progress signals of the wrong shape
        stub.signal("requestMaintenanc", Map.of("tables", List.of()));
        MaintenanceStatus unknown = awaitRejected(wf, ++rejected);
        if (unknown == null || !unknown.lastError().contains("ignored unknown signal \"requestMaintenanc\"")) {
            failures.add("unknown signal not reported: " + unknown);
        }
        stub.signal("tableProgress", "garbage");
        stub.signal("tableProgress", Map.of("table", 42, "actionsDone", "many"));
        stub.signal("tableProgress", (Object) null);
        if (!failures.isEmpty()) {
            gate.open();
            fail(failures.size() + " problem(s) (seed " + SEED + ", replay with -Dpk.fuzz.seed=" + SEED + "):\n"
                    + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
        }

        gate.open();
        MaintenanceReport report = result(client, MaintenanceWorkflow.WORKFLOW_ID);
        assertFalse(report.failed(), report::toString);
        assertEquals("the one real request", report.reason());
        assertEquals(
                List.of("public.transactions", "billing.\"Billing Events\""),
                report.tables().stream().map(TableReport::table).toList());
        // one pass: nothing sent above was served
        verify(partitions, times(1)).plan(eq(TRANSACTIONS), anyLong());
        verify(partitions, times(1)).plan(eq(BILLING_EVENTS), anyLong());
        MaintenanceStatus end = wf.status();
        assertEquals(1, end.completedPasses());
        assertEquals(rejected, end.rejectedRequests());
        // and the history, malformed payloads included, replays
        WorkflowReplayer.replayWorkflowExecution(
                client.fetchHistory(MaintenanceWorkflow.WORKFLOW_ID), MaintenanceWorkflowImpl.class);
    }

    /** Polls status until {@code n} requests were rejected; null after 10 s. */
    private static MaintenanceStatus awaitRejected(MaintenanceWorkflow wf, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            MaintenanceStatus s = wf.status();
            if (s.rejectedRequests() >= n) {
                return s;
            }
            Thread.sleep(5);
        }
        return null;
    }
}

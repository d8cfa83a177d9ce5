package dev.partitionkeeper.worker.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.PassRunner;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.testing.EmbeddedTemporalExtension;
import dev.partitionkeeper.workflows.DatabasePassWorkflow;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.TableReport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.model.TableName;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pass over a fleet of three databases, through the real worker and the SDK's test server: one database stops
 * taking connections in the middle of the pass; its tables fail with the connection error, the other two
 * databases are maintained, and the next pass catches up. Then a pass with nothing to do costs one activity per
 * database (the survey), read from the workflows' histories.
 */
@Tag("postgres")
class FleetPassTest {
    @RegisterExtension
    static final EmbeddedTemporalExtension temporal = new EmbeddedTemporalExtension();

    @Test
    void aDatabaseStoppedMidPassFailsAloneAndTheNextPassCatchesUp() throws Exception {
        String hint = "fleet" + Long.toHexString(System.nanoTime() & 0xffffff);
        List<String> dbs = FleetTestSupport.databases(hint, 3, true);
        String prefix = FleetTestSupport.commonPrefix(dbs);
        String yaml = FleetTestSupport.yaml(
                "  pool_size: 2\n  max_connections_total: 8\n  connect_timeout: 1s\n  pool_idle_close: 2s\n",
                "  - pattern: '" + prefix + "%'\n",
                "  - table: public.events\n    interval: daily\n    premake: 2\n"
                        + "  - table: public.visits\n    interval: daily\n    premake: 2\n");
        String queue = "fleet-" + System.nanoTime();
        WorkerConfig cfg =
                FleetTestSupport.config(yaml.replace("temporal:\n", "temporal:\n  database_parallelism: 1\n"), queue);
        // one database at a time, in name order: the second database goes down after its first action
        AtomicInteger actions = new AtomicInteger();
        PostgresPartitionActivitiesImpl.MaintenanceListener stopSecond =
                new PostgresPartitionActivitiesImpl.MaintenanceListener() {
                    @Override
                    public void actionDone(TableName table, String step, ActionResult result, long millis) {
                        // the first database has 2 tables x 3 partitions to create; the 7th action is the second's
                        if (actions.incrementAndGet() == 7) {
                            FleetTestSupport.refuseConnections(dbs.get(1));
                        }
                    }
                };
        WorkflowClient client = temporal.client();
        try (WorkerRuntime rt = FleetTestSupport.worker(client, cfg, stopSecond)) {
            rt.start();
            WorkflowFailedException failed = assertThrows(
                    WorkflowFailedException.class,
                    () -> PassRunner.run(client, queue, MaintenanceRequest.all("fleet pass")));
            MaintenanceReport first = PassRunner.reportOf(failed).orElseThrow();
            assertEquals(6, first.tables().size(), () -> "three databases, two tables each: " + first);
            for (TableReport r : first.tables()) {
                boolean down = r.table().startsWith(dbs.get(1) + "/");
                if (down) {
                    assertEquals(TableReport.FAILED, r.status(), r::toString);
                    assertTrue(
                            r.error().contains("cannot connect to database " + dbs.get(1))
                                    && r.error().contains("is not currently accepting connections"),
                            () -> "the connection error, with the server's reason: " + r.error());
                } else {
                    assertEquals(TableReport.OK, r.status(), r::toString);
                    assertEquals(2, r.layout().runwayPartitions(), r::toString);
                }
            }
            assertTrue(
                    failed.getCause().getMessage().contains(dbs.get(1) + "/public."),
                    () -> "the pass's failure names the database: "
                            + failed.getCause().getMessage());
            assertEquals(
                    List.of(dbs.get(0) + "/public.events", dbs.get(0) + "/public.visits"),
                    first.tables().subList(0, 2).stream()
                            .map(TableReport::table)
                            .toList());

            FleetTestSupport.allowConnections(dbs.get(1));
            MaintenanceReport second = PassRunner.run(client, queue, MaintenanceRequest.all("catch up"));
            for (TableReport r : second.tables()) {
                assertEquals(TableReport.OK, r.status(), r::toString);
                assertEquals(2, r.layout().runwayPartitions(), r::toString);
                assertTrue(
                        r.table().startsWith(dbs.get(1) + "/") || r.actions().isEmpty(),
                        () -> "only the database that was down had work left: " + r);
            }
            assertEquals(
                    3,
                    PgTestSupport.queryLong(
                            PgTestSupport.withDatabase(PgTestSupport.adminUrl(), dbs.get(1)),
                            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.visits'::regclass"));

            MaintenanceReport third = PassRunner.run(client, queue, MaintenanceRequest.all("nothing to do"));
            assertTrue(third.tables().stream().allMatch(r -> r.actions().isEmpty()), third::toString);
            // the pass: one activity (the policy); each database: one activity (the survey) and no child
            assertEquals(
                    1, count(client, MaintenanceWorkflow.WORKFLOW_ID, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED));
            assertEquals(
                    3,
                    count(
                            client,
                            MaintenanceWorkflow.WORKFLOW_ID,
                            EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED));
            for (String db : dbs) {
                String id = DatabasePassWorkflow.workflowId(MaintenanceWorkflow.WORKFLOW_ID, db);
                assertEquals(1, count(client, id, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), id);
                assertEquals(0, count(client, id, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED), id);
            }

            // maintain --database: one database's tables, as <database>/*
            MaintenanceReport narrowed = PassRunner.run(
                    client, queue, new MaintenanceRequest(List.of(dbs.get(2) + "/*"), false, "one database"));
            assertEquals(
                    List.of(dbs.get(2) + "/public.events", dbs.get(2) + "/public.visits"),
                    narrowed.tables().stream().map(TableReport::table).toList());
        }
    }

    @Test
    void patternEntriesMatchEachDatabasesTablesAndATableMatchedTwiceFailsNamingBoth() throws Exception {
        String hint = "fleetpat" + Long.toHexString(System.nanoTime() & 0xffffff);
        List<String> dbs = FleetTestSupport.databases(hint, 2, false);
        for (String db : dbs) {
            PgTestSupport.exec(
                    PgTestSupport.withDatabase(PgTestSupport.adminUrl(), db),
                    "CREATE SCHEMA tenant_a",
                    "CREATE SCHEMA tenant_b",
                    "CREATE TABLE tenant_a.events (at timestamptz NOT NULL) PARTITION BY RANGE (at)",
                    "CREATE TABLE tenant_b.events (at timestamptz NOT NULL) PARTITION BY RANGE (at)",
                    "CREATE TABLE tenant_b.notes (at timestamptz NOT NULL)",
                    "CREATE TABLE public.audit (at timestamptz NOT NULL) PARTITION BY RANGE (at)");
        }
        String yaml = FleetTestSupport.yaml(
                "  pool_size: 2\n  connect_timeout: 2s\n",
                "  - name: " + dbs.get(0) + "\n  - name: " + dbs.get(1) + "\n",
                "  - table: \"tenant_*.events\"\n    interval: daily\n    premake: 1\n"
                        + "  - table: \"public.*\"\n    database: " + dbs.get(1) + "\n    interval: monthly\n"
                        + "    premake: 1\n"
                        + "  - table: public.audit\n    database: " + dbs.get(1) + "\n    interval: daily\n");
        String queue = "fleet-pat-" + System.nanoTime();
        WorkerConfig cfg = FleetTestSupport.config(yaml, queue);
        WorkflowClient client = temporal.client();
        try (WorkerRuntime rt = FleetTestSupport.worker(client, cfg, null)) {
            rt.start();
            WorkflowFailedException failed = assertThrows(
                    WorkflowFailedException.class,
                    () -> PassRunner.run(client, queue, MaintenanceRequest.all("patterns")));
            MaintenanceReport report = PassRunner.reportOf(failed).orElseThrow();
            Map<String, TableReport> byTable = new LinkedHashMap<>();
            report.tables().forEach(r -> byTable.put(r.table(), r));
            String a = dbs.get(0) + "/";
            String b = dbs.get(1) + "/";
            assertEquals(
                    List.of(
                            a + "tenant_a.events",
                            a + "tenant_b.events",
                            b + "tenant_a.events",
                            b + "tenant_b.events",
                            b + "public.audit",
                            b + "public.events"),
                    List.copyOf(byTable.keySet()),
                    () -> "the tables the patterns matched, database by database: " + report);
            for (String ok : List.of(a + "tenant_a.events", a + "tenant_b.events", b + "tenant_b.events")) {
                assertEquals(TableReport.OK, byTable.get(ok).status(), ok);
                assertEquals(1, byTable.get(ok).layout().runwayPartitions(), ok);
            }
            TableReport audit = byTable.get(b + "public.audit");
            assertEquals(TableReport.FAILED, audit.status());
            assertTrue(
                    audit.error().contains("public.audit is matched by the tables: entries public.*")
                            && audit.error().contains("and public.audit"),
                    audit::error);
            assertEquals(TableReport.OK, byTable.get(b + "public.events").status(), "public.* matched it");
        }
    }

    private static long count(WorkflowClient client, String workflowId, EventType type) {
        List<HistoryEvent> events = client.fetchHistory(workflowId).getEvents();
        return events.stream().filter(e -> e.getEventType() == type).count();
    }
}

package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.ARCHIVE;
import static dev.partitionkeeper.activities.postgres.PgFixtures.activities;
import static dev.partitionkeeper.activities.postgres.PgFixtures.axis;
import static dev.partitionkeeper.activities.postgres.PgFixtures.count;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createDefault;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createMonths;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createParent;
import static dev.partitionkeeper.activities.postgres.PgFixtures.detachAction;
import static dev.partitionkeeper.activities.postgres.PgFixtures.exists;
import static dev.partitionkeeper.activities.postgres.PgFixtures.failure;
import static dev.partitionkeeper.activities.postgres.PgFixtures.insertRows;
import static dev.partitionkeeper.activities.postgres.PgFixtures.monthName;
import static dev.partitionkeeper.activities.postgres.PgFixtures.parentOf;
import static dev.partitionkeeper.activities.postgres.PgFixtures.partitionCount;
import static dev.partitionkeeper.activities.postgres.PgFixtures.queryString;
import static dev.partitionkeeper.activities.postgres.PgFixtures.queryStrings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.PgFixtures.OpenTransaction;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The activities end to end on a real database: plan, detach (CONCURRENTLY or plain), the archive schema
 * and bookkeeping, finalizing an interrupted detach, and the failure types Temporal sees.
 */
@Tag("postgres")
@Timeout(60)
class PostgresPartitionActivitiesImplTest {
    private static final TableName EVENTS = new TableName("public", "events");
    /** "now" for plans: the real time (plan() checks it against the database's clock), taken once. */
    private static final Instant NOW_INSTANT = Instant.now();

    private static final long NOW = NOW_INSTANT.toEpochMilli();
    /** Partitions OLD, OLD + 1 and CURRENT; with retention 1 month OLD is due for detach and OLD + 1 is not. */
    private static final YearMonth CURRENT = PgFixtures.monthOf(NOW_INSTANT);

    private static final YearMonth OLD = CURRENT.minusMonths(2);
    private static final YearMonth NEXT = CURRENT.plusMonths(1);
    private static final String OLD_NAME = monthName(EVENTS, OLD);
    private static final TableName OLD_PART = new TableName("public", OLD_NAME);
    private static final TableName OLD_ARCHIVED = new TableName(ARCHIVE, OLD_NAME);

    private String url;
    private HikariDataSource ds;
    private PostgresPartitionActivitiesImpl acts;

    /** events with monthly partitions OLD to CURRENT, five rows in OLD and one in CURRENT. */
    private void setUp(String hint, boolean withDefault) {
        url = PgTestSupport.newDatabase(hint);
        createParent(url, EVENTS, "timestamptz");
        createMonths(url, EVENTS, "timestamptz", OLD, CURRENT);
        if (withDefault) {
            createDefault(url, EVENTS);
        }
        insertRows(
                url,
                EVENTS,
                OLD.atDay(1) + " 00:00:00+00",
                OLD.atDay(5) + " 00:00:00+00",
                OLD.atDay(10) + " 00:00:00+00",
                OLD.atDay(20) + " 00:00:00+00",
                OLD.atEndOfMonth() + " 23:59:59+00",
                CURRENT.atDay(3) + " 00:00:00+00");
        PgTestSupport.exec(url, "ANALYZE events");
        ds = PgDataSources.create(url, null, null, 4);
        acts = activities(ds, PgFixtures.FAST);
    }

    @AfterEach
    void closePool() {
        if (ds != null) {
            ds.close();
        }
    }

    private static TablePolicy policy() {
        return PgFixtures.policy(EVENTS, 1, "1 month", DefaultPartitionMode.KEEP);
    }

    @Test
    void planReadsTheCatalogAndWritesNothing() {
        setUp("impl_plan", false);

        MaintenancePlan plan = acts.plan(policy(), NOW);

        assertEquals(
                List.of(
                        new PlannedAction.CreatePartition(
                                monthName(EVENTS, NEXT),
                                axis(NEXT),
                                axis(NEXT.plusMonths(1)),
                                NEXT.atDay(1).toString(),
                                NEXT.plusMonths(1).atDay(1).toString()),
                        detachAction(EVENTS, OLD)),
                plan.actions());
        assertEquals(
                0,
                PgTestSupport.queryLong(
                        url, "SELECT count(*) FROM pg_namespace WHERE nspname = '" + PgFixtures.BOOKS + "'"),
                "plan is read-only: the bookkeeping schema is created by the first write");
    }

    @Test
    void anArchivePolicyPlansTheExportOfWhatTheBookkeepingRecordsAsDetached() {
        setUp("impl_plan_archive", false);
        TablePolicy archive = policy().withRetentionAction(RetentionAction.ARCHIVE);
        // no bookkeeping schema yet: planning still works and chains export and verify after the detach
        List<PlannedAction> first = acts.plan(archive, NOW).actions();
        assertEquals(
                List.of(
                        new PlannedAction.ExportPartition(
                                OLD_NAME,
                                OLD.atDay(1).toString(),
                                OLD.plusMonths(1).atDay(1).toString()),
                        new PlannedAction.VerifyArchive(OLD_NAME)),
                first.subList(first.size() - 2, first.size()));

        acts.detachPartition(archive, detachAction(EVENTS, OLD));

        List<PlannedAction> next = acts.plan(archive, NOW).actions();
        assertTrue(next.stream().noneMatch(a -> a instanceof PlannedAction.DetachPartition), next.toString());
        assertTrue(
                next.contains(new PlannedAction.ExportPartition(
                        OLD_NAME,
                        OLD.atDay(1) + " 00:00:00+00",
                        OLD.plusMonths(1).atDay(1) + " 00:00:00+00")),
                next.toString());
    }

    @Test
    void detachWithoutADefaultRunsConcurrentlyArchivesAndRecords() throws Exception {
        setUp("impl_detach_concurrently", false);
        ActionResult r;
        // A reader of the parent does not stop a concurrent detach from starting; its second phase waits
        // for the reader without blocking anyone, so the statement can be seen running.
        try (OpenTransaction reader = new OpenTransaction(url, false, "SELECT count(*) FROM events")) {
            CompletableFuture<ActionResult> detach =
                    CompletableFuture.supplyAsync(() -> acts.detachPartition(policy(), detachAction(EVENTS, OLD)));
            PgFixtures.await(
                    "DETACH ... CONCURRENTLY to run",
                    Duration.ofSeconds(10),
                    () -> PgTestSupport.queryLong(
                                    url,
                                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = 'ALTER TABLE"
                                            + " \"public\".\"events\" DETACH PARTITION \"public\".\"" + OLD_NAME
                                            + "\" CONCURRENTLY'")
                            == 1);
            long t0 = System.nanoTime();
            insertRows(url, EVENTS, CURRENT.atDay(20) + " 00:00:00+00");
            long insertMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(insertMillis < 1000, "insert took " + insertMillis + " ms");
            assertFalse(detach.isDone());
            reader.commit();
            r = detach.get(20, TimeUnit.SECONDS);
        }

        assertEquals(ActionResult.DONE, r.outcome());
        assertEquals(5, r.rowsMoved(), "reltuples after ANALYZE");
        assertEquals("moved to archive." + OLD_NAME, r.detail());
        assertArchived(5);
        assertEquals(
                List.of("detach|done"),
                queryStrings(
                        url,
                        "SELECT action || '|' || outcome FROM partition_keeper.action_log WHERE partition_name = '"
                                + OLD_NAME + "'"));

        ActionResult again = acts.detachPartition(policy(), detachAction(EVENTS, OLD));
        assertEquals(ActionResult.ALREADY_DONE, again.outcome());
        assertEquals(1, PgTestSupport.queryLong(url, "SELECT count(*) FROM partition_keeper.partition_lifecycle"));
    }

    @Test
    void firstDetachesOfSeveralTablesAtOnceAllSucceedFirstTime() throws Exception {
        // CREATE SCHEMA IF NOT EXISTS races on pg_namespace's unique index: before the advisory lock around it,
        // one of two tables' first detaches running together (table_parallelism 2) failed with a unique
        // violation and was retried (found by the chaos suite). Several rounds, as a race shows only sometimes.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 4; round++) {
                String db = PgTestSupport.newDatabase("impl_parallel_detach");
                List<TableName> tables = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    TableName t = new TableName("public", "events" + i);
                    createParent(db, t, "timestamptz");
                    createMonths(db, t, "timestamptz", OLD, CURRENT);
                    createDefault(db, t);
                    tables.add(t);
                }
                try (HikariDataSource dbPool = PgDataSources.create(db, null, null, 8)) {
                    PostgresPartitionActivitiesImpl a = activities(dbPool, PgFixtures.FAST);
                    CyclicBarrier start = new CyclicBarrier(tables.size());
                    List<CompletableFuture<ActionResult>> detaches = tables.stream()
                            .map(t -> CompletableFuture.supplyAsync(
                                    () -> {
                                        try {
                                            start.await(10, TimeUnit.SECONDS);
                                        } catch (Exception e) {
                                            throw new IllegalStateException(e);
                                        }
                                        return a.detachPartition(
                                                PgFixtures.policy(t, 1, "1 month", DefaultPartitionMode.KEEP),
                                                detachAction(t, OLD));
                                    },
                                    pool))
                            .toList();
                    for (CompletableFuture<ActionResult> d : detaches) {
                        assertEquals(
                                ActionResult.DONE, d.get(30, TimeUnit.SECONDS).outcome());
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void detachWithADefaultPartitionRunsPlainDetach() {
        setUp("impl_detach_plain", true);
        insertRows(url, EVENTS, CURRENT.plusYears(1).atDay(1) + " 00:00:00+00");

        // DETACH ... CONCURRENTLY would fail here: PostgreSQL refuses it while a DEFAULT partition exists
        ActionResult r = acts.detachPartition(policy(), detachAction(EVENTS, OLD));

        assertEquals(ActionResult.DONE, r.outcome(), r.toString());
        assertArchived(5);
        assertEquals("events", parentOf(url, new TableName("public", "events_default")));
        assertEquals(1, count(url, "events_default"));
        assertEquals(
                ActionResult.ALREADY_DONE,
                acts.detachPartition(policy(), detachAction(EVENTS, OLD)).outcome());
    }

    @Test
    void detachResumesFromEveryPointAnEarlierRunCanStopAt() {
        setUp("impl_detach_resume", false);
        // 1. detached (intent recorded with it), killed before the move to the archive schema
        PgTestSupport.exec(
                url,
                "ALTER TABLE events DETACH PARTITION " + OLD_NAME,
                "CREATE SCHEMA IF NOT EXISTS partition_keeper",
                "CREATE TABLE IF NOT EXISTS partition_keeper.partition_lifecycle (parent_schema text, parent_table text,"
                        + " partition_name text, range_from text NOT NULL, range_to text NOT NULL, detached_schema text,"
                        + " detached_at timestamptz, estimated_rows bigint, archive_location text, archived_rows bigint,"
                        + " archive_checksum text, exported_at timestamptz, verified_at timestamptz, drop_after timestamptz,"
                        + " dropped_at timestamptz, last_error text, updated_at timestamptz NOT NULL DEFAULT now(),"
                        + " PRIMARY KEY (parent_schema, parent_table, partition_name))",
                "INSERT INTO partition_keeper.partition_lifecycle (parent_schema, parent_table, partition_name, range_from,"
                        + " range_to) VALUES ('public', 'events', '" + OLD_NAME + "', '" + OLD.atDay(1)
                        + " 00:00:00+00', '"
                        + OLD.plusMonths(1).atDay(1) + " 00:00:00+00')");
        ActionResult r = acts.detachPartition(policy(), detachAction(EVENTS, OLD));
        assertEquals(ActionResult.DONE, r.outcome());
        assertArchived(5);

        // 2. detached and moved by hand, never recorded: not ours, refused, left alone
        String second = monthName(EVENTS, OLD.plusMonths(1));
        PgTestSupport.exec(
                url, "ALTER TABLE events DETACH PARTITION " + second, "ALTER TABLE " + second + " SET SCHEMA archive");
        ApplicationFailure refused =
                failure(() -> acts.detachPartition(policy(), detachAction(EVENTS, OLD.plusMonths(1))));
        assertEquals(Failures.CATALOG_CONFLICT, refused.getType());
        assertEquals(
                0,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM partition_keeper.partition_lifecycle" + " WHERE partition_name = '"
                                + second + "'"));
    }

    @Test
    void detachRefusesWhatItDidNotDoAndChangesNothing() {
        setUp("impl_detach_conflicts", false);
        // a table of the same name already sits in the archive schema: refused before anything is detached
        PgTestSupport.exec(url, "CREATE SCHEMA archive", "CREATE TABLE " + OLD_ARCHIVED.quoted() + " (x int)");
        ApplicationFailure taken = failure(() -> acts.detachPartition(policy(), detachAction(EVENTS, OLD)));
        assertEquals(Failures.CATALOG_CONFLICT, taken.getType());
        assertTrue(taken.isNonRetryable());
        assertTrue(taken.getOriginalMessage().contains(OLD_ARCHIVED + " already exists"), taken.getOriginalMessage());
        assertEquals("events", parentOf(url, OLD_PART), "still attached");
        assertEquals(0, PgTestSupport.queryLong(url, "SELECT count(*) FROM partition_keeper.partition_lifecycle"));

        // dropped by hand and never recorded
        PgTestSupport.exec(
                url, "DROP TABLE " + OLD_ARCHIVED.quoted(), "DROP TABLE " + monthName(EVENTS, OLD.plusMonths(1)));
        ApplicationFailure gone =
                failure(() -> acts.detachPartition(policy(), detachAction(EVENTS, OLD.plusMonths(1))));
        assertEquals(Failures.CATALOG_CONFLICT, gone.getType());
        assertTrue(gone.getOriginalMessage().contains("no longer exists"), gone.getOriginalMessage());
    }

    @Test
    void anInterruptedConcurrentDetachIsPlannedFirstAndFinalized() throws Exception {
        setUp("impl_finalize", false);
        PgFixtures.makeDetachPending(url, EVENTS, OLD_NAME);

        MaintenancePlan plan = acts.plan(policy(), NOW);
        PlannedAction.FinalizeDetach finalize = new PlannedAction.FinalizeDetach(
                OLD_NAME, OLD.atDay(1).toString(), OLD.plusMonths(1).atDay(1).toString());
        assertEquals(finalize, plan.actions().get(0), plan.actions().toString());
        assertTrue(
                plan.actions().stream().noneMatch(a -> a instanceof PlannedAction.DetachPartition),
                "a pending partition is not planned for detach a second time");

        ActionResult r = acts.finalizeDetach(policy(), finalize);

        assertEquals(ActionResult.DONE, r.outcome(), r.toString());
        assertArchived(5);
        assertEquals(
                ActionResult.ALREADY_DONE,
                acts.finalizeDetach(policy(), finalize).outcome());
        assertEquals(
                ActionResult.ALREADY_DONE,
                acts.detachPartition(policy(), detachAction(EVENTS, OLD)).outcome());
        assertTrue(acts.plan(policy(), NOW).actions().stream()
                .noneMatch(a -> a.partition().equals(OLD_NAME)));
    }

    @Test
    void aPendingDetachMetByDetachPartitionIsFinalizedAndArchived() throws Exception {
        setUp("impl_detach_pending", false);
        PgFixtures.makeDetachPending(url, EVENTS, OLD_NAME);

        ActionResult r = acts.detachPartition(policy(), detachAction(EVENTS, OLD));

        assertEquals(ActionResult.DONE, r.outcome());
        assertArchived(5);
    }

    @Test
    void anUnknownTableIsAnInvalidPolicyThatIsNotRetried() {
        setUp("impl_bad_policy", false);
        PgTestSupport.exec(url, "CREATE TABLE plain (created_at timestamptz)");
        TablePolicy unknown =
                PgFixtures.policy(new TableName("public", "nope"), 1, "1 month", DefaultPartitionMode.KEEP);
        TablePolicy plain = PgFixtures.policy(new TableName("public", "plain"), 1, null, DefaultPartitionMode.KEEP);

        for (ApplicationFailure f : List.of(
                failure(() -> acts.plan(unknown, NOW)),
                failure(() -> acts.createPartition(unknown, PgFixtures.createAction(unknown.table(), NEXT))),
                failure(() -> acts.detachPartition(unknown, detachAction(unknown.table(), OLD))),
                failure(() -> acts.verifyLayout(unknown, NOW)))) {
            assertEquals(Failures.INVALID_POLICY, f.getType());
            assertTrue(f.isNonRetryable());
            assertTrue(
                    f.getOriginalMessage().startsWith("table public.nope does not exist in database "),
                    f.getOriginalMessage());
        }
        ApplicationFailure f = failure(() -> acts.plan(plain, NOW));
        assertEquals(Failures.INVALID_POLICY, f.getType());
        assertTrue(f.getOriginalMessage().contains("is not range-partitioned"), f.getOriginalMessage());
        assertFalse(exists(url, new TableName("public", monthName(unknown.table(), NEXT))));
        TableName days = new TableName("public", "days");
        createParent(url, days, "date");
        ApplicationFailure hourly = failure(() -> acts.plan(
                PgFixtures.policy(days, 1, null, DefaultPartitionMode.KEEP)
                        .withInterval(PartitionInterval.parse("1 hour")),
                NOW));
        assertEquals(Failures.INVALID_POLICY, hourly.getType());
        assertEquals(
                "public.days: interval 1 hour needs a timestamp key, but the key is a date; use an interval of a day"
                        + " or more (e.g. daily)",
                hourly.getOriginalMessage());
    }

    @Test
    void aWholePassOnATableWithSpacesAndCapitalsInItsNames() {
        url = PgTestSupport.newDatabase("impl_odd_names");
        TableName billing = new TableName("My Schema", "Billing Events");
        createParent(url, billing, "timestamptz");
        YearMonth older = CURRENT.minusMonths(3);
        createMonths(url, billing, "timestamptz", older, CURRENT);
        createDefault(url, billing);
        insertRows(url, billing, older.atDay(24) + " 00:00:00+00", NEXT.atDay(10) + " 00:00:00+00");
        ds = PgDataSources.create(url, null, null, 4);
        acts = activities(ds, PgFixtures.FAST);
        TablePolicy policy = PgFixtures.policy(billing, 2, "2 months", DefaultPartitionMode.KEEP);

        MaintenancePlan plan = acts.plan(policy, NOW);
        assertEquals(
                List.of(monthName(billing, NEXT), monthName(billing, NEXT.plusMonths(1)), monthName(billing, older)),
                plan.actions().stream().map(PlannedAction::partition).toList());
        List<ActionResult> results = PgFixtures.runPlan(acts, policy, plan);

        assertTrue(results.stream().allMatch(r -> r.outcome().equals(ActionResult.DONE)), results.toString());
        assertEquals(1, results.get(0).rowsMoved(), "next month's row left the default partition");
        assertTrue(exists(url, new TableName(ARCHIVE, monthName(billing, older))));
        assertEquals(
                "\"My Schema\".\"Billing Events\"",
                parentOf(url, new TableName("My Schema", monthName(billing, NEXT.plusMonths(1)))));
        LayoutReport layout = acts.verifyLayout(policy, NOW);
        assertTrue(layout.ok(), layout.toString());
        assertTrue(acts.plan(policy, NOW).actions().isEmpty(), "a second pass has nothing to do");
    }

    /** OLD is in the archive schema with its rows, not attached, and recorded as detached there. */
    private void assertArchived(long rows) {
        assertFalse(exists(url, OLD_PART));
        assertTrue(exists(url, OLD_ARCHIVED));
        assertNull(parentOf(url, OLD_ARCHIVED));
        assertEquals(rows, count(url, OLD_ARCHIVED.quoted()));
        assertEquals(2, partitionCount(url, EVENTS) - (exists(url, new TableName("public", "events_default")) ? 1 : 0));
        // exact bounds as PostgreSQL prints them in UTC, so a restore can re-attach the partition
        assertEquals(
                "archive|" + OLD.atDay(1) + " 00:00:00+00|" + OLD.plusMonths(1).atDay(1) + " 00:00:00+00",
                queryString(
                        url,
                        "SELECT detached_schema || '|' || range_from || '|' || range_to FROM partition_keeper.partition_lifecycle"
                                + " WHERE parent_schema = 'public' AND parent_table = 'events' AND partition_name = '"
                                + OLD_NAME + "'"));
        assertNotNull(queryString(
                url,
                "SELECT detached_at FROM partition_keeper.partition_lifecycle" + " WHERE partition_name = '" + OLD_NAME
                        + "'"));
    }
}

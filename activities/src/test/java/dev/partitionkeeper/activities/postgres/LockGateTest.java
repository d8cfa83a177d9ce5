package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.ARCHIVE;
import static dev.partitionkeeper.activities.postgres.PgFixtures.activities;
import static dev.partitionkeeper.activities.postgres.PgFixtures.connect;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createAction;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createDefault;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createMonths;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createParent;
import static dev.partitionkeeper.activities.postgres.PgFixtures.detachAction;
import static dev.partitionkeeper.activities.postgres.PgFixtures.exists;
import static dev.partitionkeeper.activities.postgres.PgFixtures.failure;
import static dev.partitionkeeper.activities.postgres.PgFixtures.parentOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.PgFixtures.OpenTransaction;
import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.YearMonth;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * A transaction holding a lock on the table makes DDL wait outside the lock queue (writers carry on),
 * then succeed once it ends; when the wait runs out the step fails as retryable LockBusy having changed nothing.
 */
@Tag("postgres")
@Timeout(60)
class LockGateTest {
    private static final TableName EVENTS = new TableName("public", "events");
    private static final YearMonth JAN = YearMonth.of(2024, 1);
    private static final YearMonth MAR = YearMonth.of(2024, 3);
    private static final YearMonth APR = YearMonth.of(2024, 4);
    /** Writers are never held up this long by a gate that stays out of the queue. */
    private static final long QUICK_INSERT_MILLIS = 200;

    private String url;
    private HikariDataSource ds;

    @BeforeEach
    void createTable(TestInfo info) {
        url = PgTestSupport.newDatabase(
                "gate_" + info.getTestMethod().orElseThrow().getName());
        createParent(url, EVENTS, "timestamptz");
        createMonths(url, EVENTS, "timestamptz", JAN, MAR);
        createDefault(url, EVENTS);
        PgFixtures.insertRows(url, EVENTS, "2024-01-10 00:00:00+00", "2024-03-10 00:00:00+00");
        ds = PgDataSources.create(url, null, null, 4);
    }

    @AfterEach
    void closePool() {
        ds.close();
    }

    private static TablePolicy policy() {
        return PgFixtures.policy(EVENTS, 1, "1 month", DefaultPartitionMode.KEEP);
    }

    @Test
    void aPlainDetachWaitsOutsideTheQueueWhileAReaderHoldsTheParentThenSucceeds() throws Exception {
        Bookkeeping books = new Bookkeeping(PgFixtures.BOOKS);
        try (Connection c = connect(url)) {
            books.ensure(c);
        }
        ActionResult r = waitsOutsideTheQueueThenSucceeds(
                (c, progress) -> new PartitionDdl(new LockGate(PgFixtures.FAST), ARCHIVE)
                        .detach(
                                c,
                                CatalogReader.parent(c, EVENTS),
                                "events_p2024_01",
                                "2024-01-01",
                                "2024-02-01",
                                books,
                                progress));

        assertEquals(ActionResult.DONE, r.outcome());
        assertTrue(exists(url, new TableName(ARCHIVE, "events_p2024_01")));
    }

    @Test
    void aCreateWithADefaultPartitionWaitsOutsideTheQueueToo() throws Exception {
        ActionResult r = waitsOutsideTheQueueThenSucceeds(
                (c, progress) -> new PartitionDdl(new LockGate(PgFixtures.FAST), ARCHIVE)
                        .create(
                                c,
                                CatalogReader.parent(c, EVENTS),
                                "events_p2024_04",
                                PgFixtures.axis(APR),
                                PgFixtures.axis(APR.plusMonths(1)),
                                progress));

        assertEquals(ActionResult.DONE, r.outcome());
        assertEquals("events", parentOf(url, new TableName("public", "events_p2024_04")));
    }

    private interface Step {
        ActionResult run(Connection c, LockGate.Progress progress) throws SQLException;
    }

    /**
     * Runs {@code step} while a reader holds ACCESS SHARE on the parent and every partition: the step must
     * report that it waits, hold or request no lock meanwhile, let an insert into the current partition
     * through at once, and finish after the reader commits.
     */
    private ActionResult waitsOutsideTheQueueThenSucceeds(Step step) throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicReference<String> blocker = new AtomicReference<>();
        try (OpenTransaction reader = new OpenTransaction(url, false, "SELECT count(*) FROM events");
                Connection writer = connect(url);
                PreparedStatement insert = writer.prepareStatement(
                        "INSERT INTO events (created_at, payload) VALUES ('2024-03-20 00:00:00+00', 'during the wait')")) {
            Thread.sleep(20); // older than LockSettings.olderThan: a reader, not a writer's own short transaction
            CompletableFuture<ActionResult> running = CompletableFuture.supplyAsync(() -> {
                try (Connection c = connect(url)) {
                    return step.run(c, b -> {
                        blocker.compareAndSet(null, b);
                        waiting.countDown();
                    });
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(waiting.await(10, TimeUnit.SECONDS), "the step never reported waiting");
            assertTrue(
                    blocker.get().startsWith("pid " + reader.pid + " (AccessShareLock on public.events"),
                    blocker.get());

            assertEquals(
                    0,
                    PgTestSupport.queryLong(
                            url,
                            "SELECT count(*) FROM pg_locks WHERE NOT granted"
                                    + " AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())"),
                    "nobody is in a lock queue");
            long worst = 0;
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                insert.executeUpdate();
                worst = Math.max(worst, (System.nanoTime() - t0) / 1_000_000);
                Thread.sleep(20);
            }
            System.out.println("LockGateTest: worst insert while the step waited outside the queue: " + worst + " ms");
            assertTrue(worst < QUICK_INSERT_MILLIS, "an insert took " + worst + " ms while the step waited");
            assertFalse(running.isDone(), "the step did not wait for the reader");

            reader.commit();
            return running.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void whenTheWaitRunsOutDetachFailsAsRetryableLockBusyAndChangesNothing() throws Exception {
        PostgresPartitionActivitiesImpl impatient = activities(ds, PgFixtures.FAST.withMaxWait(Duration.ofMillis(50)));
        try (OpenTransaction reader = new OpenTransaction(url, false, "SELECT count(*) FROM events")) {
            Thread.sleep(20);
            ApplicationFailure f = failure(() -> impatient.detachPartition(policy(), detachAction(EVENTS, JAN)));

            assertEquals(Failures.LOCK_BUSY, f.getType());
            assertFalse(f.isNonRetryable());
            assertTrue(f.getOriginalMessage().contains("to finish before locking"), f.getOriginalMessage());
            assertTrue(f.getOriginalMessage().contains("pid " + reader.pid), f.getOriginalMessage());
            assertEquals("events", parentOf(url, new TableName("public", "events_p2024_01")));
            assertFalse(exists(url, new TableName(ARCHIVE, "events_p2024_01")));
            assertEquals(0, PgTestSupport.queryLong(url, "SELECT count(*) FROM partition_keeper.partition_lifecycle"));
            assertEquals(0, PgTestSupport.queryLong(url, "SELECT count(*) FROM partition_keeper.action_log"));
        }
        // Temporal's retry after the reader is gone
        assertEquals(
                ActionResult.DONE,
                impatient.detachPartition(policy(), detachAction(EVENTS, JAN)).outcome());
    }

    @Test
    void aCreateThatRanOutOfWaitIsAdoptedByTheRetry() throws Exception {
        PostgresPartitionActivitiesImpl impatient = activities(ds, PgFixtures.FAST.withMaxWait(Duration.ofMillis(50)));
        TableName apr = new TableName("public", "events_p2024_04");
        try (OpenTransaction reader = new OpenTransaction(url, false, "SELECT count(*) FROM events")) {
            Thread.sleep(20);
            ApplicationFailure f = failure(() -> impatient.createPartition(policy(), createAction(EVENTS, APR)));
            assertEquals(Failures.LOCK_BUSY, f.getType());
            assertFalse(f.isNonRetryable());
            assertNull(parentOf(url, apr), "not attached");
            assertEquals(
                    List.of(PartitionDdl.BOUND_CHECK),
                    PgFixtures.queryStrings(
                            url,
                            "SELECT conname FROM pg_constraint WHERE conrelid = 'events_p2024_04'::regclass AND contype = 'c'"));
        }
        ActionResult r = impatient.createPartition(policy(), createAction(EVENTS, APR));
        assertEquals(ActionResult.DONE, r.outcome());
        assertEquals("events", parentOf(url, apr));
    }

    @Test
    void aLockTimeoutIsRetriedInsideTheStepAndSucceedsOnceTheHolderEnds() throws Exception {
        // olderThan of an hour: the gate never waits outside the queue, so each attempt meets lock_timeout
        LockGate gate = new LockGate(new LockSettings(
                Duration.ofMillis(50), Duration.ofHours(1), Duration.ofMillis(10), Duration.ofSeconds(20), 50));
        try (OpenTransaction holder = new OpenTransaction(url, false, "SELECT count(*) FROM events");
                Connection c = connect(url)) {
            long parentOid = CatalogReader.oid(c, EVENTS);
            CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(400);
                    holder.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            LockGate.Outcome<String> out = gate.run(
                    c, List.of(new LockGate.Target(parentOid, "public.events", LockGate.ALL_MODES)), null, tx -> {
                        PgFixtures.exec(tx, "LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
                        return "locked";
                    });
            release.get(10, TimeUnit.SECONDS);
            assertEquals("locked", out.value());
            assertTrue(out.attempts() > 1, "attempts: " + out.attempts());
            assertTrue(c.getAutoCommit(), "autocommit restored");
        }
    }

    @Test
    void lockTimeoutsOnEveryAttemptEndInLockBusyAndLeaveNoTransactionOpen() throws Exception {
        LockGate gate = new LockGate(new LockSettings(
                Duration.ofMillis(50), Duration.ofHours(1), Duration.ofMillis(10), Duration.ofSeconds(20), 2));
        try (OpenTransaction holder = new OpenTransaction(url, false, "SELECT count(*) FROM events");
                Connection c = connect(url)) {
            long parentOid = CatalogReader.oid(c, EVENTS);
            LockBusyException e = assertThrows(
                    LockBusyException.class,
                    () -> gate.run(
                            c,
                            List.of(new LockGate.Target(parentOid, "public.events", LockGate.ALL_MODES)),
                            null,
                            tx -> {
                                PgFixtures.exec(tx, "ALTER TABLE events ADD COLUMN never int");
                                return null;
                            }));
            assertTrue(
                    e.getMessage()
                            .startsWith("could not lock [public.events] within lock_timeout 50ms after 2 attempts"),
                    e.getMessage());
            assertTrue(c.getAutoCommit());
            assertEquals(
                    "idle",
                    PgFixtures.queryString(
                            url,
                            "SELECT state FROM pg_stat_activity WHERE pid = "
                                    + PgFixtures.queryLong(c, "SELECT pg_backend_pid()")));
        }
        assertEquals(
                0,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM pg_attribute WHERE attrelid = 'events'::regclass AND attname = 'never'"));
    }

    @Test
    void otherErrorsAreNotRetried() throws Exception {
        LockGate gate = new LockGate(PgFixtures.FAST);
        AtomicInteger calls = new AtomicInteger();
        try (Connection c = connect(url)) {
            SQLException e = assertThrows(
                    SQLException.class,
                    () -> gate.run(c, List.of(), null, tx -> {
                        calls.incrementAndGet();
                        return PgFixtures.queryLong(tx, "SELECT 1 / 0");
                    }));
            assertEquals("22012", e.getSQLState());
            assertEquals(1, calls.get());
            assertTrue(c.getAutoCommit());
        }
    }

    @Test
    void onlyOldTransactionsHoldingAConflictingModeKeepTheGateShut() throws Exception {
        try (OpenTransaction reader = new OpenTransaction(url, false, "SELECT count(*) FROM events");
                Connection c = connect(url)) {
            Thread.sleep(20);
            long parentOid = CatalogReader.oid(c, EVENTS);
            LockGate gate = new LockGate(PgFixtures.FAST);
            // ACCESS SHARE does not conflict with SHARE UPDATE EXCLUSIVE (ATTACH, DETACH CONCURRENTLY) ...
            assertNull(gate.blocker(
                    c,
                    List.of(new LockGate.Target(
                            parentOid, "public.events", LockGate.CONFLICTS_SHARE_UPDATE_EXCLUSIVE))));
            // ... but does with ACCESS EXCLUSIVE (plain DETACH)
            String blocker =
                    gate.blocker(c, List.of(new LockGate.Target(parentOid, "public.events", LockGate.ALL_MODES)));
            assertNotNull(blocker);
            assertTrue(
                    blocker.contains("pid " + reader.pid) && blocker.contains("SELECT count(*) FROM events"), blocker);
            // a transaction younger than olderThan is a writer's own: it does not count
            LockGate patient = new LockGate(new LockSettings(
                    Duration.ofMillis(100), Duration.ofHours(1), Duration.ofMillis(10), Duration.ofSeconds(1), 1));
            assertNull(
                    patient.blocker(c, List.of(new LockGate.Target(parentOid, "public.events", LockGate.ALL_MODES))));
            // and relations that do not exist yet (oid 0) are skipped
            assertNull(gate.blocker(c, List.of(new LockGate.Target(0, "public.events_p2030_01", LockGate.ALL_MODES))));
        }
    }
}

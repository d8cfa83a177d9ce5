package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.activities;
import static dev.partitionkeeper.activities.postgres.PgFixtures.connect;
import static dev.partitionkeeper.activities.postgres.PgFixtures.count;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createDefault;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createMonths;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createParent;
import static dev.partitionkeeper.activities.postgres.PgFixtures.monthName;
import static dev.partitionkeeper.activities.postgres.PgFixtures.quoted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.PgFixtures.OpenTransaction;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Writers keep inserting while a pass creates and detaches partitions, with and without a default
 * partition, and while a reader holds the table for a while: no insert fails or goes missing, and none
 * waits much longer than lock_timeout. The tight figures belong to the benchmark under bench/.
 */
@Tag("postgres")
@Timeout(90)
class DdlUnderLoadTest {
    /** The real time: plan() checks it against the database's clock. */
    private static final Instant NOW = Instant.now();

    private static final YearMonth CURRENT = PgFixtures.monthOf(NOW);
    /** Generous: lock_timeout is 100 ms; a loaded CI machine must not make this flaky. */
    private static final long MAX_INSERT_MILLIS = 2000;

    @Test
    void writersLoseNothingAndWaitLittleWhilePartitionsAreCreatedAndDetached() throws Exception {
        String url = PgTestSupport.newDatabase("ddl_under_load");
        TableName withDefault = new TableName("public", "events_d");
        TableName noDefault = new TableName("public", "events_n");
        for (TableName t : List.of(withDefault, noDefault)) {
            createParent(url, t, "timestamptz");
            createMonths(url, t, "timestamptz", CURRENT.minusMonths(14), CURRENT);
            PgTestSupport.exec(
                    url,
                    "INSERT INTO " + t.quoted() + " (created_at, payload) SELECT '"
                            + CURRENT.minusMonths(14).atDay(1) + " 00:00:00+00'::"
                            + "timestamptz + g * interval '1 hour', 'old' FROM generate_series(0, 999) g");
        }
        createDefault(url, withDefault);
        // future-dated rows parked in the default partition: the create of their month moves them
        PgTestSupport.exec(
                url,
                "INSERT INTO events_d (created_at, payload) SELECT '"
                        + CURRENT.plusMonths(2).atDay(2)
                        + " 00:00:00+00'::timestamptz"
                        + " + g * interval '1 minute', 'early' FROM generate_series(1, 50) g");

        try (HikariDataSource ds = PgDataSources.create(url, null, null, 4)) {
            PostgresPartitionActivitiesImpl acts = activities(ds, PgFixtures.FAST);
            Writer a = new Writer(url, withDefault);
            Writer b = new Writer(url, noDefault);
            a.start();
            b.start();
            Thread.sleep(200);

            List<ActionResult> results = new ArrayList<>();
            TablePolicy pa = PgFixtures.policy(withDefault, 3, "12 months", DefaultPartitionMode.KEEP);
            MaintenancePlan planA = acts.plan(pa, NOW.toEpochMilli());
            // a reader holds the table with the default partition for a while: the pass waits, writers do not
            try (OpenTransaction reader = new OpenTransaction(url, false, "SELECT count(*) FROM events_d")) {
                CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                    try {
                        Thread.sleep(700);
                        reader.commit();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                results.addAll(PgFixtures.runPlan(acts, pa, planA));
                release.get(10, TimeUnit.SECONDS);
            }
            TablePolicy pb = PgFixtures.policy(noDefault, 3, "12 months", DefaultPartitionMode.KEEP);
            MaintenancePlan planB = acts.plan(pb, NOW.toEpochMilli());
            results.addAll(PgFixtures.runPlan(acts, pb, planB));

            Thread.sleep(200);
            a.stop();
            b.stop();

            for (MaintenancePlan plan : List.of(planA, planB)) {
                assertEquals(
                        3,
                        plan.actions().stream()
                                .filter(x -> x instanceof PlannedAction.CreatePartition)
                                .count(),
                        plan.actions().toString());
                assertEquals(
                        2,
                        plan.actions().stream()
                                .filter(x -> x instanceof PlannedAction.DetachPartition)
                                .count(),
                        plan.actions().toString());
            }
            assertTrue(results.stream().allMatch(r -> r.outcome().equals(ActionResult.DONE)), results.toString());
            String parkedMonth = "create " + monthName(withDefault, CURRENT.plusMonths(2));
            assertEquals(
                    50,
                    results.stream()
                            .filter(r -> r.action().equals(parkedMonth))
                            .findFirst()
                            .orElseThrow()
                            .rowsMoved(),
                    "the parked rows moved: " + results);
            for (Writer w : List.of(a, b)) {
                System.out.println(w.report());
                assertTrue(w.inserts() > 100, w.report());
                assertEquals(0, w.failures.size(), w.report() + " " + w.failures);
                assertEquals(
                        w.inserts(), count(url, quoted(w.table, monthName(w.table, CURRENT))), "every insert is there");
                assertTrue(w.max() < MAX_INSERT_MILLIS * 1000, w.report());
                assertTrue(acts.verifyLayout(
                                PgFixtures.policy(w.table, 3, "12 months", DefaultPartitionMode.KEEP),
                                NOW.toEpochMilli())
                        .ok());
            }
        }
    }

    /** Inserts into the current partition through the parent every ~2 ms on its own autocommit connection. */
    private static final class Writer {
        final TableName table;
        final String url;
        final List<Long> micros = Collections.synchronizedList(new ArrayList<>());
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        Writer(String url, TableName table) {
            this.url = url;
            this.table = table;
        }

        void start() {
            thread = new Thread(this::run, "writer-" + table.table());
            thread.start();
        }

        private void run() {
            try (Connection c = connect(url);
                    PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO " + table.quoted() + " (created_at, payload) VALUES (?, 'live')")) {
                OffsetDateTime at = CURRENT.atDay(15).atTime(12, 0).atOffset(ZoneOffset.UTC);
                int i = 0;
                while (running.get()) {
                    ps.setObject(1, at.plusSeconds(i++));
                    long t0 = System.nanoTime();
                    try {
                        ps.executeUpdate();
                        micros.add((System.nanoTime() - t0) / 1000);
                    } catch (SQLException e) {
                        failures.add(e.getSQLState() + " " + e.getMessage());
                    }
                    LockSupport.parkNanos(2_000_000);
                }
            } catch (SQLException e) {
                failures.add("connection: " + e.getMessage());
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }

        long inserts() {
            return micros.size();
        }

        long max() {
            synchronized (micros) {
                return micros.stream().mapToLong(Long::longValue).max().orElse(0);
            }
        }

        long p99() {
            List<Long> sorted;
            synchronized (micros) {
                sorted = new ArrayList<>(micros);
            }
            Collections.sort(sorted);
            return sorted.isEmpty() ? 0 : sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
        }

        String report() {
            return String.format(
                    "DdlUnderLoadTest writer %s: %d inserts, %d failed, max %.1f ms, p99 %.1f ms",
                    table, inserts(), failures.size(), max() / 1000.0, p99() / 1000.0);
        }
    }
}

package dev.partitionkeeper.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.convert.ConvertMode;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.ConvertResult;
import dev.partitionkeeper.workflows.convert.ConvertWorkflow;
import dev.partitionkeeper.workflows.convert.Verification;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #7's acceptance test: a 1M-row table converted online through the real worker over gRPC while a writer
 * inserts and updates without pause; the worker that runs the copy is shut down mid-copy and another one finishes
 * it; then the conversion is rolled back, still under writes. No write fails, no row is lost or duplicated, every
 * update lands, and the longest write stays under the lock timeout plus a margin.
 */
@Tag("postgres")
@Tag("heavy") // once per CI run (on PostgreSQL 15): about 1.5 min; the conversion's steps run on both majors
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ConvertEndToEndTest {
    static final int ROWS = 1_000_000;
    /**
     * Scheduling noise on a loaded 2-core machine, on top of the lock timeout: a write took 1.8 s with a build
     * beside the test. The bound catches a write queued behind the conversion's locks for its whole copy or replay
     * (tens of seconds here), not a slow scheduler; the stall itself is measured by {@code bench/writer_stall.sh}.
     */
    static final long STALL_MARGIN_MILLIS = 4_000;

    /** Inserts and updates continuously; remembers every id it inserted and the last note it wrote per id. */
    static final class Writer implements Runnable {
        final String url;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong maxMillis = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong writes = new AtomicLong();
        final Map<Long, Boolean> inserted = new ConcurrentHashMap<>();
        final Map<Long, String> notes = new ConcurrentHashMap<>();
        volatile String firstFailure;

        Writer(String url) {
            this.url = url;
        }

        @Override
        public void run() {
            try (Connection c = DriverManager.getConnection(url);
                    PreparedStatement ins =
                            c.prepareStatement("INSERT INTO public.transactions (created_at, amount, note)"
                                    + " VALUES (now(), 1, 'new') RETURNING id");
                    PreparedStatement upd =
                            c.prepareStatement("UPDATE public.transactions SET note = ? WHERE id = ?")) {
                long n = 0;
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        if (n % 2 == 0) {
                            try (ResultSet rs = ins.executeQuery()) {
                                rs.next();
                                inserted.put(rs.getLong(1), Boolean.TRUE);
                            }
                        } else {
                            long id = ThreadLocalRandom.current().nextLong(1, ROWS + 1);
                            String note = "u" + n;
                            upd.setString(1, note);
                            upd.setLong(2, id);
                            if (upd.executeUpdate() == 1) {
                                notes.put(id, note);
                            }
                        }
                        writes.incrementAndGet();
                    } catch (SQLException e) {
                        failures.incrementAndGet();
                        if (firstFailure == null) {
                            firstFailure = e.getMessage();
                        }
                    }
                    maxMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    n++;
                }
            } catch (SQLException e) {
                firstFailure = "writer could not connect: " + e.getMessage();
                failures.incrementAndGet();
            }
        }
    }

    @Test
    void convertsAMillionRowsUnderWritesSurvivesAWorkerStopAndRollsBack() throws Exception {
        String url = PgTestSupport.newDatabase("convert_e2e");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.transactions (id bigserial, created_at timestamptz NOT NULL, amount numeric(12,2) NOT NULL,"
                        + " note text, PRIMARY KEY (id, created_at))",
                "INSERT INTO public.transactions (created_at, amount, note) SELECT now() - (i % 360) * interval '1 day',"
                        + " i % 1000, 'n' || i FROM generate_series(1, " + ROWS + ") i",
                "ANALYZE public.transactions");
        String queue = "convert-" + System.nanoTime();
        WorkerConfig cfg = WorkerConfig.parse("test", """
        temporal:
          shutdown_grace: 1s
        tables:
          - table: public.transactions
            interval: monthly
        """, Map.of()).withTaskQueue(queue);
        long lockTimeout = cfg.lockSettings().lockTimeout().toMillis();
        PostgresSettings pg = new PostgresSettings(url, null, null, 4);
        Writer writer = new Writer(url);
        Thread writing = new Thread(writer, "writer");
        try (EmbeddedTemporal temporal = EmbeddedTemporal.start()) {
            WorkflowClient client = temporal.connection().client();
            WorkerRuntime first = new WorkerRuntime(client, cfg, pg, cfg::tables, null, false);
            first.start();
            writing.start();
            ConvertRequest request = ConvertRequest.convert("public.transactions", "created_at", "monthly")
                    .withThrottle(0, 20_000);
            ConvertWorkflow wf = client.newWorkflowStub(
                    ConvertWorkflow.class,
                    WorkflowOptions.newBuilder()
                            .setWorkflowId(ConvertWorkflow.workflowId("public.transactions"))
                            .setTaskQueue(queue)
                            .build());
            WorkflowClient.start(wf::run, request);

            // stop the worker in the middle of the copy; a second one takes over and resumes from the last batch
            awaitCopied(url, 100_000);
            try (WorkerRuntime second = new WorkerRuntime(client, cfg, pg, cfg::tables, null, false)) {
                second.start();
                first.close();
                long copiedAtStop = PgTestSupport.queryLong(url, "SELECT rows_copied FROM partition_keeper.conversion");
                assertTrue(copiedAtStop < ROWS, "the copy had finished before the worker stopped: " + copiedAtStop);

                ConvertResult done = WorkflowStub.fromTyped(wf).getResult(ConvertResult.class);
                assertEquals("converted", done.outcome(), done.toString());
                assertTrue(done.copy().resumed(), "the second worker resumed the copy: " + done.copy());
                for (Verification v : done.verifications()) {
                    assertTrue(v.ok(), v.describe());
                }
                assertEquals(
                        "p",
                        PgTestSupport.queryString(
                                url, "SELECT relkind::text FROM pg_class WHERE oid = 'public.transactions'::regclass"));

                // a while on the new table, then roll back under writes
                long writesAtSwap = writer.writes.get();
                awaitWrites(writer, writesAtSwap + 500);
                ConvertWorkflow back = client.newWorkflowStub(
                        ConvertWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(ConvertWorkflow.workflowId("public.transactions"))
                                .setTaskQueue(queue)
                                .build());
                ConvertResult rolledBack = back.run(ConvertRequest.of(ConvertMode.ROLLBACK, "public.transactions"));
                assertEquals("rolled back", rolledBack.outcome(), rolledBack.toString());
                assertTrue(rolledBack.replayed() > 0, "writes made since the swap came back: " + rolledBack);
                awaitWrites(writer, writer.writes.get() + 200);
            } finally {
                writer.stop.set(true);
                writing.join(30_000);
            }
        }

        assertEquals(0, writer.failures.get(), "failed writes, first: " + writer.firstFailure);
        assertEquals(
                "r",
                PgTestSupport.queryString(
                        url, "SELECT relkind::text FROM pg_class WHERE oid = 'public.transactions'::regclass"));
        // nothing lost or duplicated, every update landed
        assertEquals(
                ROWS + writer.inserted.size(),
                PgTestSupport.queryLong(url, "SELECT count(*) FROM public.transactions"));
        assertEquals(
                ROWS + writer.inserted.size(),
                PgTestSupport.queryLong(url, "SELECT count(DISTINCT id) FROM public.transactions"));
        long wrongNotes = 0;
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement ps = c.prepareStatement("SELECT note FROM public.transactions WHERE id = ?")) {
            for (Map.Entry<Long, String> e : writer.notes.entrySet()) {
                ps.setLong(1, e.getKey());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !e.getValue().equals(rs.getString(1))) {
                        wrongNotes++;
                    }
                }
            }
        }
        assertEquals(0, wrongNotes, "updates lost out of " + writer.notes.size());
        long maxStall = writer.maxMillis.get();
        System.out.printf(
                "convert e2e: %d writes, max write %d ms (lock_timeout %d ms)%n",
                writer.writes.get(), maxStall, lockTimeout);
        assertTrue(maxStall < lockTimeout + STALL_MARGIN_MILLIS, "longest write " + maxStall + " ms");
    }

    static void awaitCopied(String url, long rows) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            long copied = PgTestSupport.queryLong(
                                    url,
                                    "SELECT count(*) FROM pg_tables WHERE schemaname ="
                                            + " 'partition_keeper' AND tablename = 'conversion'")
                            == 0
                    ? 0
                    : PgTestSupport.queryLong(
                            url, "SELECT coalesce(max(rows_copied), 0) FROM partition_keeper.conversion");
            if (copied >= rows) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the copy did not reach " + rows + " rows");
    }

    static void awaitWrites(Writer w, long writes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (w.writes.get() < writes && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}

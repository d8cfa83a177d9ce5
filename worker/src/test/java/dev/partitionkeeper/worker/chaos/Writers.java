package dev.partitionkeeper.worker.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Threads inserting rows with increasing ids into the chaos tables, one autocommit INSERT at a time, with
 * keys anywhere from {@code span} ago to one day ahead: rows land in partitions about to be detached, in
 * the default partition, or are refused (no partition for the key). Each id ends in one bucket: committed
 * (the INSERT returned), refused (PostgreSQL said no), or unknown (the connection broke mid-statement, so
 * the commit may or may not have happened).
 */
public final class Writers implements AutoCloseable {
    /** SQLSTATE of "no partition of relation ... found for row". */
    private static final String NO_PARTITION = "23514";

    private final String url;
    private final List<String> tables;
    private final Duration span;
    private final AtomicLong nextId;
    private final Random seeds;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;
    private volatile boolean paused;
    private final AtomicInteger busy = new AtomicInteger();
    final Set<Long> committed = ConcurrentHashMap.newKeySet();
    final Set<Long> unknown = ConcurrentHashMap.newKeySet();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong reconnects = new AtomicLong();

    public Writers(String url, List<String> tables, Duration span, long firstId, long seed) {
        this.url = url;
        this.tables = tables;
        this.span = span;
        this.nextId = new AtomicLong(firstId);
        this.seeds = new Random(seed);
    }

    public Writers start(int count) {
        for (int i = 0; i < count; i++) {
            Random rnd = new Random(seeds.nextLong());
            Thread t = new Thread(() -> write(rnd), "chaos-writer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void write(Random rnd) {
        Connection c = null;
        while (!stop) {
            if (paused) {
                pause(5);
                continue;
            }
            busy.incrementAndGet();
            try {
                if (!paused) {
                    c = insertOne(c, rnd);
                }
            } finally {
                busy.decrementAndGet();
            }
            pause(4);
        }
        close(c);
    }

    /** One INSERT; returns the connection to use next (null after it broke). */
    private Connection insertOne(Connection c, Random rnd) {
        {
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url);
                }
            } catch (SQLException e) {
                reconnects.incrementAndGet();
                pause(100); // PostgreSQL is down: try again shortly
                return null;
            }
            long id = nextId.getAndIncrement();
            String table = tables.get(rnd.nextInt(tables.size()));
            long ahead = Duration.ofDays(1).toMillis();
            Instant ts = Instant.now().minusMillis(span.toMillis()).plusMillis((long)
                    (rnd.nextDouble() * (span.toMillis() + ahead)));
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO public." + table + " (id, ts, payload) VALUES (?, ?, ?)")) {
                ps.setLong(1, id);
                ps.setTimestamp(2, Timestamp.from(ts));
                ps.setString(3, "w" + id);
                ps.executeUpdate();
                committed.add(id);
            } catch (SQLException e) {
                if (NO_PARTITION.equals(e.getSQLState())) {
                    refused.incrementAndGet();
                } else {
                    unknown.add(id);
                    close(c);
                    return null;
                }
            }
            return c;
        }
    }

    /**
     * Holds the writers between two statements and waits until none is mid-statement, so a check sees every
     * committed row and knows about every row it sees. The passes themselves always run with writers on.
     */
    public void pause() {
        paused = true;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (busy.get() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a writer is stuck in a statement for 60 s");
            }
            pause(2);
        }
    }

    public void resume() {
        paused = false;
    }

    long lastId() {
        return nextId.get() - 1;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void close(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // a broken connection
        }
    }

    /** Stops the writers and waits for their last statement. */
    @Override
    public void close() {
        stop = true;
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return committed.size() + " committed, " + refused.get() + " refused, " + unknown.size() + " unknown";
    }
}

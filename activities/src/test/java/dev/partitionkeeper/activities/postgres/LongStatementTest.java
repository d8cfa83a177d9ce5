package dev.partitionkeeper.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A statement that waits for old transactions (DETACH CONCURRENTLY) heartbeats, and stops when told to. */
@Tag("postgres")
@Timeout(30)
class LongStatementTest {

    @Test
    void reportsWhileItWaitsAndIsCancelledWhenTheActivityStops() throws Exception {
        String url = PgTestSupport.newDatabase("long_statement");
        try (Connection c = DriverManager.getConnection(url)) {
            AtomicInteger beats = new AtomicInteger();
            PartitionDdl.execHeartbeating(
                    c, "SELECT pg_sleep(0.5)", what -> beats.incrementAndGet(), "a sleep", Duration.ofMillis(50));
            assertTrue(beats.get() >= 3, "heartbeats while waiting: " + beats.get());

            long t0 = System.nanoTime();
            IllegalStateException stop = assertThrows(
                    IllegalStateException.class,
                    () -> PartitionDdl.execHeartbeating(
                            c,
                            "SELECT pg_sleep(20)",
                            what -> {
                                throw new IllegalStateException("activity cancelled");
                            },
                            "a long sleep",
                            Duration.ofMillis(50)));
            assertEquals("activity cancelled", stop.getMessage());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 10_000, "the statement was cancelled, not waited for");
            assertEquals(1, Sql.queryLong(c, "SELECT 1"), "the connection is usable afterwards");

            SQLException bad = assertThrows(
                    SQLException.class,
                    () -> PartitionDdl.execHeartbeating(c, "SELECT nonsense", what -> {}, "-", Duration.ofMillis(50)));
            assertEquals("42703", bad.getSQLState());
        }
    }
}

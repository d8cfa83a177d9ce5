package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The partition_keeper schema: created once however many workers start at once; the first detach time kept. */
@Tag("postgres")
@Timeout(60)
class BookkeepingTest {
    private static final TableName EVENTS = new TableName("public", "events");

    @Test
    void ensureIsIdempotent() throws Exception {
        String url = PgTestSupport.newDatabase("books_idempotent");
        Bookkeeping books = new Bookkeeping(Bookkeeping.DEFAULT_SCHEMA);
        try (Connection c = connect(url)) {
            assertFalse(books.exists(c));
            books.ensure(c);
            assertTrue(books.exists(c));
            books.recordDetached(c, EVENTS, "events_p2024_01", "2024-01-01", "2024-02-01", "archive", 10);
            books.ensure(c);
            assertTrue(c.getAutoCommit(), "autocommit restored");
        }
        assertEquals(
                1,
                PgTestSupport.queryLong(url, "SELECT count(*) FROM partition_keeper.partition_lifecycle"),
                "a second ensure keeps the rows");
        assertEquals(1, PgTestSupport.queryLong(url, "SELECT count(*) FROM partition_keeper.schema_version"));
    }

    @Test
    void aVersion1LifecycleTableIsReadAsItIsAndGainsTheArchiveRetentionColumnsOnEnsure() throws Exception {
        String url = PgTestSupport.newDatabase("books_v1");
        // the lifecycle table as a worker before archive_retention created it
        PgTestSupport.exec(
                url,
                "CREATE SCHEMA partition_keeper",
                "CREATE TABLE partition_keeper.partition_lifecycle (parent_schema text NOT NULL, parent_table text NOT"
                        + " NULL, partition_name text NOT NULL, range_from text NOT NULL, range_to text NOT NULL,"
                        + " detached_schema text, detached_at timestamptz, estimated_rows bigint, archive_location"
                        + " text, archived_rows bigint, archive_checksum text, exported_at timestamptz, verified_at"
                        + " timestamptz, drop_after timestamptz, dropped_at timestamptz, last_error text, updated_at"
                        + " timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (parent_schema, parent_table,"
                        + " partition_name))",
                "INSERT INTO partition_keeper.partition_lifecycle (parent_schema, parent_table, partition_name,"
                        + " range_from, range_to, detached_at) VALUES ('public', 'events', 'events_p2024_01', 'a', 'b',"
                        + " now())");
        Bookkeeping books = new Bookkeeping(Bookkeeping.DEFAULT_SCHEMA);
        try (Connection c = connect(url)) {
            Bookkeeping.Lifecycle before = books.forParent(c, EVENTS).get(0);
            assertNull(before.archiveExpiredAt(), "read before ensure: the columns are not there yet");
            books.ensure(c);
            books.ensure(c);
            books.update(c, EVENTS, "events_p2024_01", "archive_expired_at = now(), archive_expired_by = ?", "wf/1");
            Bookkeeping.Lifecycle after = books.forParent(c, EVENTS).get(0);
            assertNotNull(after.archiveExpiredAt());
            assertEquals("wf/1", after.archiveExpiredBy());
            assertNotNull(after.detachedAt(), "the row is kept");
        }
        assertEquals(
                1,
                PgTestSupport.queryLong(url, "SELECT count(*) FROM partition_keeper.schema_version WHERE version = 2"));
    }

    @Test
    void ensureIsSafeWhenFourWorkersStartAtOnce() throws Exception {
        // a fresh database each round: the race is on the first creation
        for (int round = 0; round < 3; round++) {
            String url = PgTestSupport.newDatabase("books_race");
            int threads = 4;
            CyclicBarrier start = new CyclicBarrier(threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Void>> done = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    done.add(pool.submit(() -> {
                        try (Connection c = connect(url)) {
                            start.await(10, TimeUnit.SECONDS);
                            new Bookkeeping(Bookkeeping.DEFAULT_SCHEMA).ensure(c);
                        }
                        return null;
                    }));
                }
                for (Future<Void> f : done) {
                    f.get(30, TimeUnit.SECONDS); // rethrows a failed ensure
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(
                    3,
                    PgTestSupport.queryLong(
                            url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'partition_keeper'"));
            assertEquals(1, PgTestSupport.queryLong(url, "SELECT count(*) FROM partition_keeper.schema_version"));
        }
    }

    @Test
    void recordDetachedKeepsTheFirstDetachTime() throws Exception {
        String url = PgTestSupport.newDatabase("books_upsert");
        Bookkeeping books = new Bookkeeping("Book Keeping"); // a schema name that needs quoting
        try (Connection c = connect(url)) {
            books.ensure(c);
            books.recordDetached(c, EVENTS, "events_p2024_01", "2024-01-01", "2024-02-01", "public", 10);
            Instant first =
                    books.find(c, EVENTS, "events_p2024_01").orElseThrow().detachedAt();
            assertNotNull(first);
            Thread.sleep(20);

            books.recordDetached(c, EVENTS, "events_p2024_01", "2024-01-01", "2024-02-01", "archive", 12);

            Bookkeeping.Lifecycle row = books.find(c, EVENTS, "events_p2024_01").orElseThrow();
            assertEquals(first, row.detachedAt());
            assertEquals("archive", row.detachedSchema());
            assertEquals(12L, row.estimatedRows());
            assertEquals(new TableName("archive", "events_p2024_01"), row.detachedTable());
            assertEquals(1, books.forParent(c, EVENTS).size());
            assertEquals(1, books.pendingArchive(c, EVENTS).size());

            // a later step's columns, and a drop taking it out of the pending list
            Instant dropped = Instant.parse("2024-06-01T00:00:00Z");
            assertEquals(1, books.update(c, EVENTS, "events_p2024_01", "dropped_at = ?", dropped));
            assertEquals(
                    dropped,
                    books.find(c, EVENTS, "events_p2024_01").orElseThrow().droppedAt());
            assertTrue(books.pendingArchive(c, EVENTS).isEmpty());
            assertTrue(books.find(c, new TableName("public", "other"), "events_p2024_01")
                    .isEmpty());

            books.log(c, EVENTS, "events_p2024_01", "detach", "done", 12, null, null, null);
            assertEquals(1, PgFixtures.queryLong(c, "SELECT count(*) FROM \"Book Keeping\".action_log"));
            assertNull(PgFixtures.queryString(url, "SELECT detail FROM \"Book Keeping\".action_log"));
        }
    }
}

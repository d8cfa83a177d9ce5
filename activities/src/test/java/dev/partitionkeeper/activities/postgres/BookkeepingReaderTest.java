package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.activities.postgres.bookkeeping.BookkeepingReader;
import dev.partitionkeeper.activities.postgres.bookkeeping.BookkeepingReader.ActionLogEntry;
import dev.partitionkeeper.activities.postgres.bookkeeping.BookkeepingReader.Unverified;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What status and the gauges read: nothing before the first write, then one parent's rows only. */
@Tag("postgres")
@Timeout(60)
class BookkeepingReaderTest {
    private static final TableName EVENTS = new TableName("public", "events");
    private static final TableName OTHER = new TableName("public", "other");

    @Test
    void beforeTheSchemaExistsNothingIsRecorded() throws Exception {
        String url = PgTestSupport.newDatabase("books_read_empty");
        BookkeepingReader reader = new BookkeepingReader(Bookkeeping.DEFAULT_SCHEMA);
        try (Connection c = connect(url)) {
            assertEquals(List.of(), reader.lifecycles(c, EVENTS));
            assertEquals(Unverified.NONE, reader.unverified(c, EVENTS));
            assertTrue(reader.lastAction(c, EVENTS, "verify_layout").isEmpty());
            assertEquals(List.of(), reader.recentActions(c, EVENTS, 5));
        }
    }

    @Test
    void readsOneParentsLifecycleAndActionLog() throws Exception {
        String url = PgTestSupport.newDatabase("books_read");
        Bookkeeping books = new Bookkeeping("Book Keeping"); // a schema name that needs quoting
        BookkeepingReader reader = new BookkeepingReader("Book Keeping");
        try (Connection c = connect(url)) {
            books.ensure(c);
            books.recordDetached(c, EVENTS, "events_p2024_01", "2024-01-01", "2024-02-01", "archive", 10);
            books.recordDetached(c, EVENTS, "events_p2024_02", "2024-02-01", "2024-03-01", "archive", 10);
            books.recordDetached(c, EVENTS, "events_p2024_03", "2024-03-01", "2024-04-01", "archive", 10);
            books.recordIntent(c, EVENTS, "events_p2024_04", "2024-04-01", "2024-05-01"); // not detached yet
            books.recordDetached(c, OTHER, "other_p2024_01", "2024-01-01", "2024-02-01", "archive", 10);
            books.update(c, EVENTS, "events_p2024_02", "verified_at = ?", Instant.parse("2024-06-01T00:00:00Z"));
            books.update(c, EVENTS, "events_p2024_03", "dropped_at = ?", Instant.parse("2024-06-01T00:00:00Z"));
            for (String action : List.of("create", "detach", "verify_layout", "create")) {
                books.log(c, EVENTS, null, action, "done", 0, "after " + action, null, null);
            }
            books.log(c, OTHER, null, "verify_layout", "ok", 0, null, null, null);

            assertEquals(4, reader.lifecycles(c, EVENTS).size());
            Unverified unverified = reader.unverified(c, EVENTS);
            assertEquals(1, unverified.partitions()); // p2024_01: p02 is verified, p03 dropped, p04 not detached
            assertEquals(
                    books.find(c, EVENTS, "events_p2024_01").orElseThrow().detachedAt(), unverified.oldestDetachedAt());
            assertNotNull(reader.lastAction(c, EVENTS, "verify_layout").orElseThrow());
            assertTrue(reader.lastAction(c, EVENTS, "drop").isEmpty());

            List<ActionLogEntry> recent = reader.recentActions(c, EVENTS, 3);
            assertEquals(
                    List.of("create", "verify_layout", "detach"),
                    recent.stream().map(ActionLogEntry::action).toList());
            assertEquals("after create", recent.get(0).detail());
            assertNotNull(recent.get(0).at());
        }
    }
}

package dev.partitionkeeper.activities.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The fleet's pools on a real server: opened on use, within the bounds, idle ones closed to make room or on time. */
@Tag("postgres")
class DatabasePoolsTest {
    private static List<String> databases(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String url = PgTestSupport.newDatabase("pools");
            names.add(url.substring(url.lastIndexOf('/') + 1, url.indexOf('?') < 0 ? url.length() : url.indexOf('?')));
        }
        return names;
    }

    private static DatabasePools pools(List<String> dbs, PoolLimits limits) {
        return pools(dbs, limits, null);
    }

    private static DatabasePools pools(List<String> dbs, PoolLimits limits, SharedSlots shared) {
        Map<String, DatabaseTarget> targets = new HashMap<>();
        for (int i = 0; i < dbs.size(); i++) {
            String db = dbs.get(i);
            // the first two on "server a", the rest on "server b": the same PostgreSQL, counted apart
            targets.put(
                    db,
                    new DatabaseTarget(
                            db,
                            PgTestSupport.withDatabase(PgTestSupport.adminUrl(), db),
                            null,
                            null,
                            i < 2 ? "a" : "b"));
        }
        return new DatabasePools(targets::get, limits, shared);
    }

    @Test
    void workersSharingTheirSlotsHoldTheTotalTogetherAndAnIdlePoolClosesAtOnceForAnotherWorker() throws Exception {
        List<String> dbs = databases(3);
        String home = PgTestSupport.newDatabase("slots");
        // two pools of 2 in all, for both workers together
        PoolLimits limits = new PoolLimits(2, 4, 5, Duration.ofMinutes(5), Duration.ofMillis(800));
        try (DatabasePools one = pools(dbs, limits, new SharedSlots(home, null, null));
                DatabasePools two = pools(dbs, limits, new SharedSlots(home, null, null))) {
            try (Connection a = one.dataSource(dbs.get(0)).getConnection();
                    Connection c = one.dataSource(dbs.get(2)).getConnection()) {
                SQLTransientConnectionException full = assertThrows(
                        SQLTransientConnectionException.class,
                        () -> two.dataSource(dbs.get(1)).getConnection());
                assertTrue(
                        full.getMessage().contains("the other workers sharing the bounds hold the rest"),
                        full::getMessage);
                assertEquals(List.of(), two.openDatabases());
            }
            // worker one's pools are idle now: it closes them for worker two at once, not after pool_idle_close
            long t0 = System.nanoTime();
            try (Connection b = two.dataSource(dbs.get(1)).getConnection()) {
                assertTrue(b.isValid(1));
                assertTrue(System.nanoTime() - t0 < Duration.ofMillis(800).toNanos());
                assertTrue(
                        one.openDatabases().size() + two.openDatabases().size() <= 2,
                        () -> one.openDatabases() + " + " + two.openDatabases());
            }
            assertEquals(4, one.peakConnections());
            assertEquals(2, two.peakConnections());
        }
    }

    @Test
    void aBrokenSlotsSessionIsReplacedAndTheOpenPoolsTakeTheirSlotsAgain() throws Exception {
        List<String> dbs = databases(3);
        String home = PgTestSupport.newDatabase("slots");
        String homeDb =
                home.substring(home.lastIndexOf('/') + 1, home.indexOf('?') < 0 ? home.length() : home.indexOf('?'));
        PoolLimits limits = new PoolLimits(2, 4, 5, Duration.ofMinutes(5), Duration.ofMillis(500));
        try (DatabasePools one = pools(dbs, limits, new SharedSlots(home, null, null));
                DatabasePools two = pools(dbs, limits, new SharedSlots(home, null, null))) {
            try (Connection a = one.dataSource(dbs.get(0)).getConnection()) {
                // the server ends worker one's slots session (worker two has not opened one yet; waiting until it is
                // gone):
                // its locks, the slots, are gone
                assertTrue(PgTestSupport.queryLong(
                                PgTestSupport.adminUrl(),
                                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname = '"
                                        + homeDb + "' AND application_name = 'partition-keeper/slots'")
                        >= 1);
                // the next pool opens on a new session (the step does not fail), and the open pool takes its
                // slots again in it: the total is full for the other worker
                try (Connection b = one.dataSource(dbs.get(1)).getConnection()) {
                    assertEquals(
                            4,
                            PgTestSupport.queryLong(
                                    PgTestSupport.adminUrl(),
                                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2"
                                            + " AND classid = " + Integer.toUnsignedLong(SharedSlots.TOTAL)
                                            + " AND database = (SELECT oid FROM pg_database WHERE datname = '"
                                            + homeDb + "')"),
                            "both open pools hold their two slots of the total in the new session");
                    assertTrue(a.isValid(1) && b.isValid(1));
                    SQLTransientConnectionException full = assertThrows(
                            SQLTransientConnectionException.class,
                            () -> two.dataSource(dbs.get(2)).getConnection());
                    assertTrue(
                            full.getMessage().contains("the other workers sharing the bounds hold the rest"),
                            full::getMessage);
                }
            }
        }
    }

    @Test
    void workersSharingTheirSlotsHoldThePerServerBoundTogether() throws Exception {
        List<String> dbs = databases(2);
        String home = PgTestSupport.newDatabase("slots");
        // one database of server a at once, for both workers together
        PoolLimits limits = new PoolLimits(2, 8, 1, Duration.ofMinutes(5), Duration.ofMillis(500));
        try (DatabasePools one = pools(dbs, limits, new SharedSlots(home, null, null));
                DatabasePools two = pools(dbs, limits, new SharedSlots(home, null, null))) {
            try (Connection a = one.dataSource(dbs.get(0)).getConnection()) {
                assertThrows(
                        SQLTransientConnectionException.class,
                        () -> two.dataSource(dbs.get(1)).getConnection());
                assertTrue(a.isValid(1));
            }
            try (Connection b = two.dataSource(dbs.get(1)).getConnection()) {
                assertEquals(List.of(), one.openDatabases());
                assertEquals(List.of(dbs.get(1)), two.openDatabases());
            }
        }
    }

    @Test
    void aDatabaseWithoutRoomWaitsThenFailsSayingWhyAndAnIdlePoolIsClosedForIt() throws Exception {
        List<String> dbs = databases(3);
        // room for three pools of 2 in total, one database per server: the per-server bound binds
        PoolLimits limits = new PoolLimits(2, 6, 1, Duration.ofMinutes(5), Duration.ofMillis(500));
        try (DatabasePools pools = pools(dbs, limits)) {
            try (Connection a = pools.dataSource(dbs.get(0)).getConnection();
                    Connection c = pools.dataSource(dbs.get(2)).getConnection()) {
                assertEquals(List.of(dbs.get(0), dbs.get(2)), pools.openDatabases());
                // server a has its one database busy: the second waits, then fails, retryable, saying why
                SQLTransientConnectionException busy = assertThrows(
                        SQLTransientConnectionException.class,
                        () -> pools.dataSource(dbs.get(1)).getConnection());
                assertTrue(
                        busy.getMessage().contains("no room for a pool of database " + dbs.get(1))
                                && busy.getMessage().contains("of postgres.max_databases_per_server 1 on server a"),
                        busy::getMessage);
                assertTrue(a.isValid(1) && c.isValid(1));
            }
            // both idle now: the pool of server a's first database is closed to make room for its second
            try (Connection b = pools.dataSource(dbs.get(1)).getConnection()) {
                assertTrue(b.isValid(1));
                assertEquals(List.of(dbs.get(2), dbs.get(1)), pools.openDatabases());
            }
            assertTrue(pools.peakConnections() <= 4, "never more than two pools: " + pools.peakConnections());
        }
    }

    @Test
    void theTotalBindsAcrossServers() throws Exception {
        List<String> dbs = databases(3);
        // two pools of 2 in all, two databases per server: the total binds
        PoolLimits limits = new PoolLimits(2, 4, 2, Duration.ofMinutes(5), Duration.ofMillis(500));
        try (DatabasePools pools = pools(dbs, limits)) {
            try (Connection a = pools.dataSource(dbs.get(0)).getConnection();
                    Connection c = pools.dataSource(dbs.get(2)).getConnection()) {
                SQLTransientConnectionException full = assertThrows(
                        SQLTransientConnectionException.class,
                        () -> pools.dataSource(dbs.get(1)).getConnection());
                assertTrue(
                        full.getMessage().contains("holding up to 4 of postgres.max_connections_total 4"),
                        full::getMessage);
            }
            try (Connection b = pools.dataSource(dbs.get(1)).getConnection()) {
                assertEquals(
                        2, pools.openDatabases().size(), "one idle pool closed to make room: " + pools.openDatabases());
            }
            assertEquals(4, pools.peakConnections());
        }
    }

    @Test
    void idlePoolsCloseOnTheirOwnAndAnUnknownDatabaseIsRefused() throws Exception {
        List<String> dbs = databases(1);
        PoolLimits limits = new PoolLimits(2, 4, 2, Duration.ofMillis(300), Duration.ofSeconds(2));
        try (DatabasePools pools = pools(dbs, limits)) {
            try (Connection c = pools.dataSource(dbs.get(0)).getConnection()) {
                assertTrue(c.isValid(1));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!pools.openDatabases().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(List.of(), pools.openDatabases(), "the idle pool was closed");
            assertEquals(
                    0,
                    PgTestSupport.queryLong(
                            PgTestSupport.adminUrl(),
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + dbs.get(0) + "'"),
                    "and its connections with it");
            ApplicationFailure unknown = assertThrows(
                    ApplicationFailure.class, () -> pools.dataSource("nope").getConnection());
            assertEquals(Failures.INVALID_POLICY, unknown.getType());
            assertTrue(unknown.getOriginalMessage().contains("database nope is not in the fleet"));
        }
    }
}

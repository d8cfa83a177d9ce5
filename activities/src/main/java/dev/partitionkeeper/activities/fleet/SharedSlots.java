package dev.partitionkeeper.activities.fleet;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The bounds of the fleet's pools shared by every worker process of a deployment: a connection of a pool is a
 * slot, an advisory lock one session of this process holds in one database all the workers reach (the database
 * of {@code postgres.url}), so N workers on one task queue hold {@code postgres.max_connections_total}
 * connections together, not N times it; likewise a database's pool holds one of its server's
 * {@code postgres.max_databases_per_server} slots. The locks are the two-key form ({@code pg_try_advisory_lock(space,
 * slot)}): space {@link #TOTAL} for the total, {@link #serverSpace(String)} for a server.
 *
 * <p>A worker that waits for room holds a shared lock on {@link #DEMAND}: the others see it ({@link
 * #othersWaiting()}) and close an idle pool for it instead of waiting for {@code postgres.pool_idle_close}.
 *
 * <p>If the session ends (the connection breaks), PostgreSQL frees its locks: {@link #generation()} changes and
 * {@link DatabasePools} takes slots again for the pools it still has. Its methods are synchronized: the session is
 * one connection.
 */
public final class SharedSlots implements AutoCloseable {
    /** Space of the total's slots ('PKCT'). */
    static final int TOTAL = 0x504B4354;
    /** Lock key of a worker waiting for room ('PKDW'), with slot 0. */
    static final int DEMAND = 0x504B4457;

    private final String jdbcUrl;
    private final Properties props = new Properties();
    private Connection session;
    private int generation;
    private boolean demanding;
    /** Slots this session holds, by space: a session re-taking its own lock would succeed (they stack). */
    private final Map<Integer, Set<Integer>> held = new HashMap<>();

    public SharedSlots(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", "partition-keeper/slots");
        // the pools' lock is held while this session connects or answers: never long
        props.setProperty("connectTimeout", "3");
        props.setProperty("socketTimeout", "10");
    }

    /** Slots taken in one session ({@code generation}): given back only while that session lasts. */
    record Taken(int generation, int[] slots) {
        static final Taken NONE = new Taken(-1, new int[0]);

        boolean isEmpty() {
            return slots.length == 0;
        }
    }

    /** The space of a server's database slots: never {@link #TOTAL} or {@link #DEMAND}. */
    static int serverSpace(String server) {
        int h = ("partition-keeper server " + server).hashCode();
        return h == TOTAL || h == DEMAND ? h + 1 : h;
    }

    /**
     * The session the slots are held in now, without connecting: it changes each time a new session replaces a
     * broken one (the slots taken before are gone then).
     */
    synchronized int generation() {
        return generation;
    }

    /** {@link #generation()} after opening a new session if the last one was closed (it broke). */
    synchronized int connectedGeneration() throws SQLException {
        session();
        return generation;
    }

    /**
     * Takes {@code n} free slots of {@code space} (slots 0 to {@code capacity - 1}): all of them, or none (what
     * was taken is given back) and an empty {@link Taken}.
     */
    synchronized Taken take(int space, int capacity, int n) throws SQLException {
        return call(c -> {
            Set<Integer> mine = held.computeIfAbsent(space, k -> new HashSet<>());
            List<Integer> got = new ArrayList<>();
            // CASE: our own slots are never locked again (the lock would stack and succeed); LIMIT stops at n
            try (PreparedStatement s = c.prepareStatement("SELECT g FROM generate_series(0, ? - 1) g"
                    + " WHERE CASE WHEN g = ANY (?) THEN false ELSE pg_try_advisory_lock(?, g) END LIMIT ?")) {
                s.setInt(1, capacity);
                s.setArray(2, ints(c, mine));
                s.setInt(3, space);
                s.setInt(4, n);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        got.add(rs.getInt(1));
                    }
                }
            }
            if (got.size() < n) {
                unlock(c, space, got);
                return Taken.NONE;
            }
            mine.addAll(got);
            return new Taken(
                    generation, got.stream().mapToInt(Integer::intValue).toArray());
        });
    }

    /**
     * Gives slots back. Those of an older session are gone already, and their numbers may be another pool's now:
     * they are left alone.
     */
    synchronized void give(int space, Taken taken) throws SQLException {
        if (session == null) {
            return;
        }
        call(c -> {
            if (taken.generation() != generation) {
                return null;
            }
            Set<Integer> mine = held.computeIfAbsent(space, k -> new HashSet<>());
            List<Integer> ours = new ArrayList<>();
            for (int slot : taken.slots()) {
                if (mine.remove(slot)) {
                    ours.add(slot);
                }
            }
            unlock(c, space, ours);
            return null;
        });
    }

    private static void unlock(Connection c, int space, List<Integer> slots) throws SQLException {
        if (slots.isEmpty()) {
            return;
        }
        try (PreparedStatement s =
                c.prepareStatement("SELECT count(*) FROM unnest(?::int[]) g WHERE pg_advisory_unlock(?, g)")) {
            s.setArray(1, ints(c, slots));
            s.setInt(2, space);
            s.executeQuery().close();
        }
    }

    /** Whether this worker says it waits for room. */
    synchronized void demand(boolean on) throws SQLException {
        call(c -> {
            if (on == demanding) {
                return null;
            }
            String sql = on ? "SELECT pg_advisory_lock_shared(?, 0)" : "SELECT pg_advisory_unlock_shared(?, 0)";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setInt(1, DEMAND);
                s.executeQuery().close();
                demanding = on;
            }
            return null;
        });
    }

    /** Whether another worker waits for room (holds the {@link #DEMAND} lock). */
    synchronized boolean othersWaiting() throws SQLException {
        return call(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_locks"
                    + " WHERE locktype = 'advisory'"
                    + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    + " AND classid = ?::oid AND objid = 0 AND objsubid = 2 AND pid <> pg_backend_pid())")) {
                s.setLong(1, Integer.toUnsignedLong(DEMAND));
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    private interface Call<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code call} on the session. If the session turns out broken (the server ended it, the network
     * dropped), its locks are gone anyway: once more on a new session, so a step does not fail for it.
     */
    private <T> T call(Call<T> call) throws SQLException {
        try {
            return call.run(session());
        } catch (SQLTransientConnectionException e) {
            throw e; // no session could be opened
        } catch (SQLException e) {
            SQLException why = lost(e);
            if (session != null) {
                throw why; // the session is fine: the statement failed
            }
            try {
                return call.run(session());
            } catch (SQLException again) {
                throw lost(again);
            }
        }
    }

    private Connection session() throws SQLException {
        if (session != null && !session.isClosed()) {
            return session;
        }
        try {
            session = DriverManager.getConnection(jdbcUrl, props);
        } catch (SQLException e) {
            throw new SQLTransientConnectionException(
                    "cannot reach the database of postgres.url, where the workers share postgres.max_connections_total: "
                            + e.getMessage(),
                    e.getSQLState(),
                    e);
        }
        session.setAutoCommit(true);
        generation++;
        held.clear();
        demanding = false;
        return session;
    }

    /** The session may be broken: the next call opens a new one (and the slots taken so far are gone). */
    private SQLException lost(SQLException e) {
        try {
            if (session != null && !session.isValid(2)) {
                session.close();
                session = null;
            }
        } catch (SQLException ignored) {
            session = null; // closing a broken connection
        }
        return new SQLTransientConnectionException(
                "the slots of postgres.max_connections_total (in the database of postgres.url) could not be read: "
                        + e.getMessage(),
                e.getSQLState(),
                e);
    }

    private static Array ints(Connection c, Iterable<Integer> values) throws SQLException {
        List<Integer> list = new ArrayList<>();
        values.forEach(list::add);
        return c.createArrayOf("int4", list.toArray());
    }

    @Override
    public synchronized void close() throws SQLException {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}

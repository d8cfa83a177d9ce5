package dev.partitionkeeper.activities.fleet;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.failure.ApplicationFailure;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * The connection pools of a fleet's databases: a pool is opened when a step first needs its database and
 * closed once nobody borrowed from it for {@link PoolLimits#idleClose()}. The pools open at once never hold more
 * than {@link PoolLimits#maxConnectionsTotal()} connections together (each pool counts with its full size), and
 * at most {@link PoolLimits#maxDatabasesPerServer()} databases of one server have a pool open, so a fleet pass
 * never floods one PostgreSQL server. A step that needs a database without room waits (an idle pool is closed
 * for it first) up to {@link PoolLimits#connectTimeout()}, then fails with a retryable error that says why.
 */
public final class DatabasePools implements AutoCloseable {
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(DatabasePools.class);

    /** How long a closed pool still counts against the bounds: its backends' time to end on the server. */
    static final Duration EVICTED_BACKEND_EXIT = Duration.ofMillis(100);

    private final Function<String, DatabaseTarget> targets;
    private final PoolLimits limits;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Open pools by database, guarded by {@link #lock}. */
    private final Map<String, Pool> open = new LinkedHashMap<>();
    /** Pools closed or being closed whose backends may not have ended yet, guarded by {@link #lock}. */
    private final List<Pool> closing = new ArrayList<>();

    private final Map<String, DataSource> facades = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private int peakConnections;
    /** Null: the bounds hold for this process alone. */
    private final SharedSlots shared;
    /** Threads of this worker waiting for room under the shared bounds, guarded by {@link #lock}. */
    private int waitingForShared;

    private static final class Pool {
        final DatabaseTarget target;
        /** Set once its slots are taken. */
        HikariDataSource dataSource;

        final int size;
        int leases;
        long lastUsedNanos = System.nanoTime();
        /** Its slots of the total and of its server in {@link #shared}. */
        SharedSlots.Taken totalSlots = SharedSlots.Taken.NONE;

        SharedSlots.Taken serverSlot = SharedSlots.Taken.NONE;
        /** It lost its slots and found none again: closed by the sweeper once idle. */
        boolean unslotted;

        Pool(DatabaseTarget target, HikariDataSource dataSource, int size) {
            this.target = target;
            this.dataSource = dataSource;
            this.size = size;
        }
    }

    /** @param targets the connection of a database by name; null for a database the fleet does not have */
    public DatabasePools(Function<String, DatabaseTarget> targets, PoolLimits limits) {
        this(targets, limits, null);
    }

    /**
     * @param shared the slots the bounds take in a database every worker reaches, so they hold for all the workers
     *     together (owned: closed with the pools); null for this process alone
     */
    public DatabasePools(Function<String, DatabaseTarget> targets, PoolLimits limits, SharedSlots shared) {
        this.targets = targets;
        this.limits = limits;
        this.shared = shared;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "partition-keeper-pool-sweeper");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(200, Math.min(5_000, limits.idleClose().toMillis() / 2));
        sweeper.scheduleWithFixedDelay(this::closeIdle, every, every, TimeUnit.MILLISECONDS);
        if (shared != null) {
            sweeper.scheduleWithFixedDelay(this::yieldToOthers, 100, 100, TimeUnit.MILLISECONDS);
        }
    }

    /** A data source of one database: each connection borrowed through the bounded pools. */
    public DataSource dataSource(String database) {
        return facades.computeIfAbsent(database, Facade::new);
    }

    /** Databases with a pool open now. */
    public List<String> openDatabases() {
        lock.lock();
        try {
            return List.copyOf(open.keySet());
        } finally {
            lock.unlock();
        }
    }

    /** The most connections the open pools could hold at any moment so far (their sizes summed). */
    public int peakConnections() {
        lock.lock();
        try {
            return peakConnections;
        } finally {
            lock.unlock();
        }
    }

    Connection connect(String database) throws SQLException {
        Pool pool = lease(database);
        Connection c;
        try {
            c = pool.dataSource.getConnection();
        } catch (SQLException e) {
            release(pool);
            throw cannotConnect(pool.target, e);
        } catch (RuntimeException e) {
            release(pool);
            throw e;
        }
        return wrap(c, pool);
    }

    /**
     * The pool's timeout, with the server's reason it gives as its cause ({@code FATAL: database "tenant_2" is
     * not currently accepting connections}, a refused password): what a failed step and the pass's report show.
     */
    private static SQLException cannotConnect(DatabaseTarget t, SQLException e) {
        Throwable why = e.getCause() instanceof SQLException cause ? cause : e;
        String state =
                e.getSQLState() != null ? e.getSQLState() : why instanceof SQLException se ? se.getSQLState() : null;
        return new SQLTransientConnectionException(
                "cannot connect to database " + t.name() + " on " + t.server() + ": " + why.getMessage(), state, e);
    }

    private Pool lease(String database) throws SQLException {
        long deadline = System.nanoTime() + limits.connectTimeout().toNanos();
        // outside the lock: an unknown database makes the fleet list its databases again (I/O)
        DatabaseTarget target = targets.apply(database);
        if (target == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "database " + database + " is not in the fleet (databases: of the configuration)",
                    Failures.INVALID_POLICY);
        }
        boolean demanded = false;
        try {
            while (true) {
                List<Pool> evicted;
                lock.lock();
                try {
                    Pool p = open.get(database);
                    if (p != null) {
                        // an open pool is borrowed from without the shared slots' session (no I/O under the lock)
                        p.leases++;
                        p.lastUsedNanos = System.nanoTime();
                        return p;
                    }
                    int size = Math.min(limits.poolSize(), limits.maxConnectionsTotal());
                    Room room = Room.LOCAL_FULL;
                    if (roomFor(target, size)) {
                        resyncShared(true);
                        Pool created = new Pool(target, null, size);
                        room = takeShared(created);
                        if (room == Room.FREE) {
                            try {
                                created.dataSource = create(target, size);
                            } catch (RuntimeException e) {
                                giveShared(created);
                                throw e;
                            }
                            open.put(database, created);
                            resyncShared(false); // the take may have replaced a broken session
                            peakConnections = Math.max(peakConnections, connections());
                            created.leases++;
                            log.debug("opened the pool of {} ({} pools open)", database, open.size());
                            return created;
                        }
                    }
                    evicted = switch (room) {
                        case TOTAL_FULL -> leastRecentlyUsedIdle(null);
                        case SERVER_FULL -> leastRecentlyUsedIdle(target.server());
                        default -> evictFor(target, size);
                    };
                    if (evicted.isEmpty()) {
                        long left = deadline - System.nanoTime();
                        boolean othersHold = room == Room.TOTAL_FULL || room == Room.SERVER_FULL;
                        if (left <= 0) {
                            throw new SQLTransientConnectionException("no room for a pool of database " + database
                                    + " after " + limits.connectTimeout().toMillis() + " ms: " + open.size()
                                    + " pools open holding up to " + connections()
                                    + " of postgres.max_connections_total " + limits.maxConnectionsTotal() + ", "
                                    + onServer(target.server()) + " of postgres.max_databases_per_server "
                                    + limits.maxDatabasesPerServer() + " on server " + target.server()
                                    + (othersHold
                                            ? " in this worker; the other workers sharing the bounds hold the rest"
                                            : "")
                                    + ", all busy; the step is retried");
                        }
                        if (othersHold) {
                            // the other workers' pools end on their side: ask, and look again soon
                            if (!demanded) {
                                demanded = true;
                                waitingForShared++;
                            }
                            shared.demand(true);
                            changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
                        } else {
                            changed.awaitNanos(left);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLTransientConnectionException(
                            "interrupted waiting for a pool of database " + database, e);
                } finally {
                    lock.unlock();
                }
                retire(evicted);
            }
        } finally {
            if (demanded) {
                withdrawWait();
            }
        }
    }

    /** This thread no longer waits: the worker's wait for room ends with its last waiting thread. */
    private void withdrawWait() {
        lock.lock();
        try {
            if (--waitingForShared == 0) {
                shared.demand(false);
            }
        } catch (SQLException e) {
            log.debug("could not withdraw the wait for room (it ends with the session): {}", e.toString());
        } finally {
            lock.unlock();
        }
    }

    /** Whether a pool fits: {@code FREE}, or which bound is full (this worker's own, or the shared ones). */
    private enum Room {
        FREE,
        LOCAL_FULL,
        TOTAL_FULL,
        SERVER_FULL
    }

    /** Takes the pool's slots of the total and of its server in {@link #shared}: both, or neither. */
    private Room takeShared(Pool pool) throws SQLException {
        if (shared == null) {
            return Room.FREE;
        }
        SharedSlots.Taken total = shared.take(SharedSlots.TOTAL, limits.maxConnectionsTotal(), pool.size);
        if (total.isEmpty()) {
            return Room.TOTAL_FULL;
        }
        SharedSlots.Taken server;
        try {
            server = shared.take(SharedSlots.serverSpace(pool.target.server()), limits.maxDatabasesPerServer(), 1);
        } catch (SQLException | RuntimeException e) {
            shared.give(SharedSlots.TOTAL, total);
            throw e;
        }
        if (server.isEmpty()) {
            shared.give(SharedSlots.TOTAL, total);
            return Room.SERVER_FULL;
        }
        pool.totalSlots = total;
        pool.serverSlot = server;
        return Room.FREE;
    }

    private void giveShared(Pool pool) throws SQLException {
        if (shared == null) {
            return;
        }
        SharedSlots.Taken total = pool.totalSlots;
        SharedSlots.Taken server = pool.serverSlot;
        pool.totalSlots = SharedSlots.Taken.NONE;
        pool.serverSlot = SharedSlots.Taken.NONE;
        try {
            shared.give(SharedSlots.TOTAL, total);
        } finally {
            shared.give(SharedSlots.serverSpace(pool.target.server()), server);
        }
    }

    /**
     * After {@link #shared}'s session broke and was replaced (PostgreSQL freed its locks): each open pool whose slots
     * were of an older session takes slots again; one that finds none (another worker took them meanwhile) is closed
     * by the sweeper once idle. A pool whose slots are of the current session is left alone, so a session replaced
     * in the middle of this is caught up by the next round.
     *
     * @param connect whether to open a new session first if the last one broke
     */
    private void resyncShared(boolean connect) throws SQLException {
        if (shared == null) {
            return;
        }
        for (int round = 0; round < 3; round++) {
            int now = connect ? shared.connectedGeneration() : shared.generation();
            List<Pool> stale = open.values().stream()
                    .filter(p -> !p.unslotted && (p.totalSlots.generation() != now || p.serverSlot.generation() != now))
                    .toList();
            if (stale.isEmpty()) {
                return;
            }
            for (Pool p : stale) {
                // a slot of the current session (the session broke between a pool's two takes) goes back first
                giveShared(p);
                if (takeShared(p) != Room.FREE) {
                    log.warn(
                            "the pool of {} lost its slots of postgres.max_connections_total (the session holding"
                                    + " them broke) and found none free again: closed once idle",
                            p.target.name());
                    p.unslotted = true;
                }
            }
        }
    }

    /**
     * The least recently used idle pool ({@code server}'s, or any when null), taken out of {@link #open}: room under
     * the shared bounds.
     */
    private List<Pool> leastRecentlyUsedIdle(String server) {
        return open.values().stream()
                .filter(p ->
                        p.leases == 0 && (server == null || p.target.server().equals(server)))
                .min(Comparator.comparingLong(p -> p.lastUsedNanos))
                .map(p -> {
                    open.remove(p.target.name());
                    closing.add(p);
                    return List.of(p);
                })
                .orElse(List.of());
    }

    /**
     * Another worker waits for room under the shared bounds: this one's least recently used idle pool closes now
     * (one a tick while the other waits, each tick 100 ms after the last close ended, not all at once: a database
     * between two steps is idle too).
     */
    private void yieldToOthers() {
        try {
            lock.lock();
            boolean anyIdle;
            try {
                resyncShared(false); // after a session replaced by another thread (a re-take may reconnect)
                anyIdle = open.values().stream().anyMatch(p -> p.leases == 0);
            } finally {
                lock.unlock();
            }
            if (!anyIdle || !shared.othersWaiting()) {
                return;
            }
            List<Pool> toClose;
            lock.lock();
            try {
                toClose = leastRecentlyUsedIdle(null);
            } finally {
                lock.unlock();
            }
            retire(toClose);
        } catch (SQLException | RuntimeException e) {
            log.debug("could not look for workers waiting for room: {}", e.toString());
        }
    }

    /**
     * Closes pools taken out of {@link #open}. They count against the bounds (in {@link #closing}) until their
     * backends had a moment to end: a pool's close returns once its connections are closed on this side, and the
     * server ends their backends a little later. So the server's count (max_connections, pg_stat_activity) stays
     * within the bounds too, not only this worker's.
     */
    private void retire(List<Pool> pools) {
        if (pools.isEmpty()) {
            return;
        }
        for (Pool p : pools) {
            log.debug("closing the idle pool of {}", p.target.name());
            p.dataSource.close();
        }
        pause(EVICTED_BACKEND_EXIT);
        lock.lock();
        try {
            closing.removeAll(pools);
            for (Pool p : pools) {
                try {
                    giveShared(p);
                } catch (SQLException e) {
                    log.warn(
                            "could not give back the slots of the pool of {} (freed when the session ends): {}",
                            p.target.name(),
                            e.toString());
                }
            }
        } finally {
            changed.signalAll();
            lock.unlock();
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HikariDataSource create(DatabaseTarget t, int size) {
        return PgDataSources.create(
                "partition-keeper/" + t.name(), t.jdbcUrl(), t.user(), t.password(), size, 0, limits.connectTimeout());
    }

    private boolean roomFor(DatabaseTarget target, int size) {
        return connections() + size <= limits.maxConnectionsTotal()
                && onServer(target.server()) < limits.maxDatabasesPerServer();
    }

    /** Takes idle pools out (least recently used first) until {@code target} would fit; retired by the caller. */
    private List<Pool> evictFor(DatabaseTarget target, int size) {
        List<Pool> toClose = new ArrayList<>();
        List<Pool> idle = open.values().stream()
                .filter(p -> p.leases == 0)
                .sorted(Comparator.comparingLong(p -> p.lastUsedNanos))
                .toList();
        int connections = connections();
        int onServer = onServer(target.server());
        for (Pool p : idle) {
            if (connections + size <= limits.maxConnectionsTotal() && onServer < limits.maxDatabasesPerServer()) {
                break;
            }
            boolean sameServer = p.target.server().equals(target.server());
            if (connections + size > limits.maxConnectionsTotal() || sameServer) {
                open.remove(p.target.name());
                closing.add(p);
                toClose.add(p);
                connections -= p.size;
                onServer -= sameServer ? 1 : 0;
            }
        }
        return toClose;
    }

    /** Connections the open and closing pools may hold. */
    private int connections() {
        return open.values().stream().mapToInt(p -> p.size).sum()
                + closing.stream().mapToInt(p -> p.size).sum();
    }

    private int onServer(String server) {
        return (int) (open.values().stream()
                        .filter(p -> p.target.server().equals(server))
                        .count()
                + closing.stream().filter(p -> p.target.server().equals(server)).count());
    }

    private void release(Pool pool) {
        lock.lock();
        try {
            pool.leases--;
            pool.lastUsedNanos = System.nanoTime();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the pools idle for {@link PoolLimits#idleClose()}. */
    void closeIdle() {
        List<Pool> toClose = new ArrayList<>();
        lock.lock();
        try {
            long now = System.nanoTime();
            for (var it = open.values().iterator(); it.hasNext(); ) {
                Pool p = it.next();
                if (p.leases == 0
                        && (p.unslotted
                                || now - p.lastUsedNanos >= limits.idleClose().toNanos())) {
                    it.remove();
                    closing.add(p);
                    toClose.add(p);
                }
            }
        } finally {
            lock.unlock();
        }
        retire(toClose);
    }

    /** The connection, which on close goes back to its pool and frees the lease (the pool may then close). */
    private Connection wrap(Connection c, Pool pool) {
        boolean[] closed = {false};
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        if (!closed[0]) {
                            closed[0] = true;
                            try {
                                c.close();
                            } finally {
                                release(pool);
                            }
                        }
                        return null;
                    }
                    if (method.getName().equals("isClosed") && method.getParameterCount() == 0) {
                        return closed[0] || c.isClosed();
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        List<Pool> all;
        lock.lock();
        try {
            all = new ArrayList<>(open.values());
            open.clear();
        } finally {
            lock.unlock();
        }
        for (Pool p : all) {
            p.dataSource.close();
        }
        if (shared != null) {
            try {
                shared.close(); // its locks, the slots, end with its session
            } catch (SQLException e) {
                log.debug("closing the shared slots' session: {}", e.toString());
            }
        }
    }

    /** What the activities of one database see: a data source whose connections come through the bounds. */
    private final class Facade implements DataSource {
        private final String database;

        Facade(String database) {
            this.database = database;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return connect(database);
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException("the fleet's pools connect as the configured role");
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return (int) limits.connectTimeout().toSeconds();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper of " + iface.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }
    }
}

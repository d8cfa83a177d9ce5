package dev.partitionkeeper.activities.fleet;

import java.time.Duration;

/**
 * Bounds of the fleet's connection pools ({@link DatabasePools}).
 *
 * @param poolSize connections of one database's pool (at most; none kept idle)
 * @param maxConnectionsTotal connections of all the fleet's pools together: a pool is opened only while the
 *     pools already open leave room for its {@code poolSize}
 * @param maxDatabasesPerServer databases of one server with an open pool at once
 * @param idleClose a pool nobody borrowed from for this long is closed
 * @param connectTimeout how long a step waits for a connection (and for room under the bounds) before it fails
 *     and Temporal retries it
 */
public record PoolLimits(
        int poolSize, int maxConnectionsTotal, int maxDatabasesPerServer, Duration idleClose, Duration connectTimeout) {
    public static final int DEFAULT_MAX_CONNECTIONS_TOTAL = 32;
    public static final int DEFAULT_MAX_DATABASES_PER_SERVER = 4;
    public static final Duration DEFAULT_IDLE_CLOSE = Duration.ofSeconds(30);

    public PoolLimits {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, got: " + poolSize);
        }
        if (maxConnectionsTotal < poolSize) {
            throw new IllegalArgumentException("maxConnectionsTotal (" + maxConnectionsTotal
                    + ") must be at least one pool's poolSize (" + poolSize + ")");
        }
        if (maxDatabasesPerServer < 1) {
            throw new IllegalArgumentException(
                    "maxDatabasesPerServer must be at least 1, got: " + maxDatabasesPerServer);
        }
        if (idleClose.isNegative() || connectTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("idleClose must be 0s or more and connectTimeout at least 250ms, got: "
                    + idleClose + ", " + connectTimeout);
        }
    }
}

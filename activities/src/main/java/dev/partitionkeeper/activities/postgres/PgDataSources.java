package dev.partitionkeeper.activities.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;

/** Builds the connection pool. Every connection runs in UTC with ISO dates so catalog bounds parse one way. */
public final class PgDataSources {
    /** Enough for one DDL action and one catalog read per concurrently running activity. */
    public static final int DEFAULT_POOL_SIZE = 8;

    public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(30);

    private PgDataSources() {}

    public static HikariDataSource create(String jdbcUrl, String user, String password, int poolSize) {
        return create("partition-keeper", jdbcUrl, user, password, poolSize, 1, CONNECTION_TIMEOUT);
    }

    /**
     * A pool of one database of a fleet: named after it, and keeping no idle connection open (the fleet's pools
     * are closed when idle and bounded in total, so an idle one must not hold connections of the total).
     */
    public static HikariDataSource create(
            String poolName,
            String jdbcUrl,
            String user,
            String password,
            int poolSize,
            int minimumIdle,
            Duration connectionTimeout) {
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName(poolName);
        cfg.setJdbcUrl(jdbcUrl);
        if (user != null) {
            cfg.setUsername(user);
        }
        if (password != null) {
            cfg.setPassword(password);
        }
        cfg.setMaximumPoolSize(poolSize);
        cfg.setMinimumIdle(minimumIdle);
        cfg.setConnectionTimeout(connectionTimeout.toMillis());
        cfg.setInitializationFailTimeout(-1); // start even when the database is down; activities retry
        cfg.addDataSourceProperty("ApplicationName", "partition-keeper");
        cfg.setConnectionInitSql("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'");
        return new HikariDataSource(cfg);
    }
}

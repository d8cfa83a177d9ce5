package dev.partitionkeeper.worker.config;

import static dev.partitionkeeper.worker.config.ConfigValues.integer;
import static dev.partitionkeeper.worker.config.ConfigValues.label;

import dev.partitionkeeper.activities.postgres.PgDataSources;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code postgres:} section as written. {@link PostgresSettings#resolve} completes it from the libpq
 * environment when a command connects.
 *
 * @param url a JDBC URL; null to build one from the libpq variables
 * @param passwordFile a file holding the password; null for PGPASSWORD or ~/.pgpass
 * @param poolSize connections in the worker's pool (default {@link PgDataSources#DEFAULT_POOL_SIZE})
 */
record PostgresSection(String url, String user, String passwordFile, int poolSize) {
    /** Connections in the worker's pool; more is a typo (PostgreSQL's default max_connections is 100). */
    static final int MAX_POOL_SIZE = 1000;

    static final Set<String> KEYS = keys();

    private static Set<String> keys() {
        Set<String> k = new HashSet<>(Set.of("url", "user", "password_file", "pool_size"));
        k.addAll(FleetSection.POSTGRES_KEYS);
        return Set.copyOf(k);
    }

    /** Reads {@code postgres.*}; bad values go to {@code problems}, the defaults stand in for them. */
    static PostgresSection from(Map<String, String> flat, Map<String, String> fromEnv, List<String> problems) {
        int pool = integer(flat, fromEnv, "postgres.pool_size", PgDataSources.DEFAULT_POOL_SIZE, problems);
        if (pool < 2 || pool > MAX_POOL_SIZE) {
            problems.add(label("postgres.pool_size", fromEnv) + " must be between 2 and " + MAX_POOL_SIZE
                    + " (e.g. 8), got: " + pool);
            pool = PgDataSources.DEFAULT_POOL_SIZE;
        }
        String url = flat.get("postgres.url");
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            problems.add(label("postgres.url", fromEnv)
                    + " must be a JDBC URL such as jdbc:postgresql://db:5432/app, got: \""
                    + PostgresSettings.redactUrl(url) + "\"");
        }
        return new PostgresSection(url, flat.get("postgres.user"), flat.get("postgres.password_file"), pool);
    }
}

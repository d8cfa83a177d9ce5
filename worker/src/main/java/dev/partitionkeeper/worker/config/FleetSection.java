package dev.partitionkeeper.worker.config;

import static dev.partitionkeeper.worker.config.ConfigValues.label;

import com.fasterxml.jackson.databind.JsonNode;
import dev.partitionkeeper.activities.fleet.PoolLimits;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code databases:} list (a fleet, issue 15) and the keys that bound its connections
 * ({@code postgres.max_connections_total}, {@code postgres.max_databases_per_server},
 * {@code postgres.pool_idle_close}, {@code postgres.connect_timeout}) and its passes
 * ({@code temporal.database_parallelism}).
 *
 * @param databases empty without {@code databases:}: the single database of {@code postgres:}
 * @param databaseParallelism databases one pass works on at once
 */
public record FleetSection(List<DatabaseEntry> databases, PoolLimits limits, int databaseParallelism) {
    public static final String DATABASES = "databases";

    static final Set<String> ENTRY_KEYS =
            Set.of("name", "pattern", "list_file", "url", "service", "user", "password_file");
    static final Set<String> POSTGRES_KEYS =
            Set.of("max_connections_total", "max_databases_per_server", "pool_idle_close", "connect_timeout");
    static final Set<String> TEMPORAL_KEYS = Set.of("database_parallelism");

    public static final int DEFAULT_DATABASE_PARALLELISM = 4;
    /** More databases at once than this is a typo; each one is a child workflow and a pool. */
    static final int MAX_DATABASE_PARALLELISM = 1000;

    private static final String EXAMPLE =
            "databases: [{pattern: \"tenant_%\", url: \"jdbc:postgresql://db:5432/postgres\"}]";

    /** Whether the configuration names a fleet. */
    public boolean isFleet() {
        return !databases.isEmpty();
    }

    static FleetSection from(
            Map<String, String> flat, Map<String, String> fromEnv, JsonNode node, int poolSize, List<String> problems) {
        int total = ConfigValues.integer(
                flat, fromEnv, "postgres.max_connections_total", PoolLimits.DEFAULT_MAX_CONNECTIONS_TOTAL, problems);
        if (total < poolSize || total > 100_000) {
            problems.add(label("postgres.max_connections_total", fromEnv) + " must be at least postgres.pool_size ("
                    + poolSize + ": one database's pool) and at most 100000, got: " + total);
            total = Math.max(poolSize, PoolLimits.DEFAULT_MAX_CONNECTIONS_TOTAL);
        }
        int perServer = ConfigValues.integer(
                flat,
                fromEnv,
                "postgres.max_databases_per_server",
                PoolLimits.DEFAULT_MAX_DATABASES_PER_SERVER,
                problems);
        if (perServer < 1 || perServer > 10_000) {
            problems.add(label("postgres.max_databases_per_server", fromEnv) + " must be between 1 and 10000 (e.g. "
                    + PoolLimits.DEFAULT_MAX_DATABASES_PER_SERVER + "), got: " + perServer);
            perServer = PoolLimits.DEFAULT_MAX_DATABASES_PER_SERVER;
        }
        Duration idle = ConfigValues.duration(
                flat, fromEnv, "postgres.pool_idle_close", PoolLimits.DEFAULT_IDLE_CLOSE, problems);
        Duration connect = ConfigValues.duration(
                flat, fromEnv, "postgres.connect_timeout", PgDataSources.CONNECTION_TIMEOUT, problems);
        if (connect.toMillis() < 250) {
            problems.add(label("postgres.connect_timeout", fromEnv) + " must be at least 250ms (e.g. 30s), got: "
                    + DurationText.format(connect));
            connect = PgDataSources.CONNECTION_TIMEOUT;
        }
        int parallelism = ConfigValues.integer(
                flat, fromEnv, "temporal.database_parallelism", DEFAULT_DATABASE_PARALLELISM, problems);
        if (parallelism < 1 || parallelism > MAX_DATABASE_PARALLELISM) {
            problems.add(label("temporal.database_parallelism", fromEnv) + " must be between 1 and "
                    + MAX_DATABASE_PARALLELISM + " (e.g. " + DEFAULT_DATABASE_PARALLELISM + "), got: " + parallelism);
            parallelism = DEFAULT_DATABASE_PARALLELISM;
        }
        PoolLimits limits = new PoolLimits(poolSize, total, perServer, idle, connect);
        return new FleetSection(entries(node, problems), limits, parallelism);
    }

    private static List<DatabaseEntry> entries(JsonNode node, List<String> problems) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.isEmpty()) {
            problems.add("'databases:' must be a list of at least one database entry, e.g. " + EXAMPLE);
            return List.of();
        }
        List<DatabaseEntry> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            DatabaseEntry e = entry(node.get(i), i, problems);
            if (e != null) {
                out.add(e);
            }
        }
        overlaps(out, problems);
        return out;
    }

    private static DatabaseEntry entry(JsonNode n, int i, List<String> problems) {
        String where = "databases[" + i + "]";
        if (!n.isObject()) {
            problems.add(where + " must be a mapping with one of name, pattern or list_file, e.g. " + EXAMPLE);
            return null;
        }
        int before = problems.size();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var f = it.next();
            if (!ENTRY_KEYS.contains(f.getKey())) {
                problems.add(where + ": unknown key '" + f.getKey() + "'; " + ConfigKeys.known(ENTRY_KEYS));
            } else if (!f.getValue().isValueNode() || f.getValue().isNull()) {
                problems.add(where + "." + f.getKey() + " must be a single value");
            }
        }
        List<DatabaseEntry.Kind> kinds = new ArrayList<>();
        for (DatabaseEntry.Kind k : DatabaseEntry.Kind.values()) {
            if (n.has(k.key())) {
                kinds.add(k);
            }
        }
        if (kinds.size() != 1) {
            problems.add(where + " must have exactly one of name (one database), pattern (a LIKE pattern over a"
                    + " server's databases, e.g. \"tenant_%\") or list_file (a file of database names), got: "
                    + (kinds.isEmpty()
                            ? "none"
                            : String.join(
                                    " and ",
                                    kinds.stream().map(DatabaseEntry.Kind::key).toList())));
            return null;
        }
        DatabaseEntry.Kind kind = kinds.get(0);
        String value = n.get(kind.key()).asText();
        if (value.isBlank()) {
            problems.add(where + "." + kind.key() + " must not be empty");
        } else if (kind == DatabaseEntry.Kind.NAME) {
            String bad = badName(value);
            if (bad != null) {
                problems.add(where + ".name " + bad);
            }
        } else if (kind == DatabaseEntry.Kind.PATTERN
                && (value.indexOf('/') >= 0 || !value.contains("%") && !value.contains("_"))) {
            problems.add(where + ".pattern must be a LIKE pattern with % or _ and no '/' such as \"tenant_%\" (for one"
                    + " database use name:), got: \"" + value + "\"");
        }
        String url = n.has("url") ? n.get("url").asText() : null;
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            problems.add(where + ".url must be a JDBC URL such as jdbc:postgresql://db:5432/postgres, got: \""
                    + PostgresSettings.redactUrl(url) + "\"");
        }
        String service = n.has("service") ? n.get("service").asText() : null;
        if (service != null && url != null) {
            problems.add(where + " has both url and service: the service names the server, the role and the"
                    + " password; keep one");
        }
        if (problems.size() != before) {
            return null;
        }
        return new DatabaseEntry(
                i,
                kind,
                value,
                url,
                service,
                n.has("user") ? n.get("user").asText() : null,
                n.has("password_file") ? n.get("password_file").asText() : null);
    }

    /** Why {@code name} cannot be a fleet database's name (it names an archive folder and workflow IDs); else null. */
    public static String badName(String name) {
        if (name.chars().anyMatch(c -> c == '/' || c == '%' || c < 0x20)) {
            return "must be a database name without '/', '%' or control characters, got: \"" + name + "\"";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 63) {
            return "must be at most 63 bytes (PostgreSQL's limit for a name), got: \"" + name + "\"";
        }
        return null;
    }

    /**
     * Two entries that mean one database: two names, or a name a pattern of the same server matches. Two patterns
     * can be told apart only by the server's databases, which the pass checks ({@code FleetResolver}).
     */
    private static void overlaps(List<DatabaseEntry> entries, List<String> problems) {
        for (int a = 0; a < entries.size(); a++) {
            for (int b = a + 1; b < entries.size(); b++) {
                DatabaseEntry x = entries.get(a);
                DatabaseEntry y = entries.get(b);
                if (!sameServer(x, y)) {
                    continue;
                }
                boolean overlap = x.kind() == DatabaseEntry.Kind.NAME && y.covers(x.value())
                        || y.kind() == DatabaseEntry.Kind.NAME && x.covers(y.value())
                        || x.kind() == y.kind() && x.value().equals(y.value());
                if (overlap) {
                    problems.add(y.label() + " overlaps " + x.label() + ": both mean database "
                            + (y.kind() == DatabaseEntry.Kind.NAME ? y.value() : x.value())
                            + " on one server; list each database once (narrow the pattern or drop the name)");
                }
            }
        }
    }

    /** Same URL up to the database part, or the same service (or both without either): the same server. */
    static boolean sameServer(DatabaseEntry x, DatabaseEntry y) {
        return server(x.url()).equals(server(y.url())) && Objects.equals(x.service(), y.service());
    }

    /** {@code host:port} of a JDBC URL, or {@code ""} for the default server ({@code postgres.url} or libpq). */
    public static String server(String url) {
        if (url == null) {
            return "";
        }
        String rest = url.substring("jdbc:postgresql:".length());
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        int slash = rest.indexOf('/');
        int q = rest.indexOf('?');
        int end = slash >= 0 ? slash : q >= 0 ? q : rest.length();
        return rest.substring(0, end);
    }

    /** Checks the tables against the fleet: {@code database:} only with {@code databases:}, and a usable name. */
    void checkTables(List<TablePolicy> tables, List<String> problems) {
        for (TablePolicy x : tables) {
            if (x.database() != null && !isFleet()) {
                problems.add("tables (" + x.table() + "): database " + x.database()
                        + " needs a databases: list naming it (e.g. " + EXAMPLE + ")");
            } else if (x.database() != null && !DatabaseEntry.isPattern(x.database())) {
                String bad = badName(x.database());
                if (bad != null) {
                    problems.add("tables (" + x.table() + "): database " + bad);
                }
            }
        }
    }

    /**
     * Why the entry {@code where} ({@code table} in the databases {@code database} selects) clashes with an entry
     * listed before it: both mean one table of one database, which can take one policy only. Two patterns that
     * meet only on the server's databases are checked when the pass resolves them ({@code FleetResolver}).
     */
    static String clash(TableName table, String database, List<Listed> before) {
        for (Listed b : before) {
            if (!b.table().equals(table) || Objects.equals(b.database(), database)) {
                continue; // the same selector twice is a duplicate, said as such
            }
            String both = meet(b.database(), database);
            if (both != null) {
                return "tables[" + b.index() + "] (" + table + ", database " + selector(b.database())
                        + ") already matches " + both + "/" + table + " (this entry: database " + selector(database)
                        + "); a table takes one policy: narrow one entry's database:";
            }
        }
        return null;
    }

    /** A table entry as listed: its place, table and {@code database:} selector (null: every database). */
    record Listed(int index, TableName table, String database) {}

    private static String selector(String s) {
        return s == null ? "(every database)" : s;
    }

    /** A database both selectors mean, when that shows without the server; null otherwise. */
    private static String meet(String x, String y) {
        if (x == null) {
            return y == null ? "every database" : y;
        }
        if (y == null) {
            return x;
        }
        if (!DatabaseEntry.isPattern(x) && DatabaseEntry.selects(y, x)) {
            return x;
        }
        if (!DatabaseEntry.isPattern(y) && DatabaseEntry.selects(x, y)) {
            return y;
        }
        return null;
    }
}

package dev.partitionkeeper.worker.fleet;

import dev.partitionkeeper.activities.fleet.DatabaseTarget;
import dev.partitionkeeper.worker.config.ConfigException;
import dev.partitionkeeper.worker.config.DatabaseEntry;
import dev.partitionkeeper.worker.config.FleetSection;
import dev.partitionkeeper.worker.config.PgServiceFile;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the fleet as written ({@code databases:} entries, tables whose {@code database:} may be a pattern or
 * missing) into the tables of each database: a {@code pattern} entry by one query of {@code pg_database} on its
 * server, a {@code list_file} by reading the file, both again on every pass (a new tenant database is in the next
 * pass). A database two entries mean, or a table of one database two {@code tables:} entries match, is an error
 * naming both. A server that cannot be listed keeps the databases its last listing found (they then fail on their
 * own, with the connection error); one never listed fails the pass, to be tried again by the next.
 */
public final class FleetResolver {
    private static final Logger log = LoggerFactory.getLogger(FleetResolver.class);

    private final List<DatabaseEntry> entries;
    private final WorkerConfig config;
    private final Map<String, String> env;
    private final Map<Integer, List<String>> lastListing = new ConcurrentHashMap<>();
    private volatile Map<String, DatabaseTarget> targets = Map.of();

    public FleetResolver(WorkerConfig config, Map<String, String> env) {
        this.entries = config.fleet().databases();
        this.config = config;
        this.env = env;
    }

    /** The tables of every database of the fleet: one policy per database and table, {@code database} set. */
    public List<TablePolicy> resolve(List<TablePolicy> tables) {
        Map<String, DatabaseTarget> found = databases();
        Map<String, TablePolicy> out = new LinkedHashMap<>();
        for (TablePolicy p : tables) {
            if (p.database() != null && !DatabaseEntry.isPattern(p.database()) && !found.containsKey(p.database())) {
                throw new ConfigException("tables (" + p.table() + "): database " + p.database()
                        + " is in none of the databases: entries; known databases: "
                        + String.join(", ", found.keySet()));
            }
        }
        for (String db : found.keySet()) {
            for (TablePolicy p : tables) {
                if (p.database() != null && !DatabaseEntry.selects(p.database(), db)) {
                    continue;
                }
                TablePolicy concrete = p.withDatabase(db);
                TablePolicy before = out.putIfAbsent(concrete.qualifiedName(), concrete);
                if (before != null) {
                    throw new ConfigException("the tables: entries for " + p.table() + " with database: "
                            + selector(tables, before) + " and database: " + selector(p.database())
                            + " both match " + concrete.qualifiedName()
                            + "; a table takes one policy: narrow one entry's database:");
                }
            }
        }
        return List.copyOf(out.values());
    }

    private static String selector(List<TablePolicy> tables, TablePolicy concrete) {
        for (TablePolicy p : tables) {
            if (p.table().equals(concrete.table())
                    && (p.database() == null || DatabaseEntry.selects(p.database(), concrete.database()))) {
                return selector(p.database());
            }
        }
        return "?";
    }

    private static String selector(String s) {
        return s == null ? "(every database)" : "\"" + s + "\"";
    }

    /** Where a database of the fleet is; null when it is none of the fleet's. Lists the fleet again when unknown. */
    public DatabaseTarget target(String database) {
        DatabaseTarget t = targets.get(database);
        if (t == null) {
            // a worker that started after the pass's load (or a new tenant): look again
            t = databases().get(database);
        }
        return t;
    }

    /** Every database of the fleet by name, in the entries' order, with its connection. */
    public Map<String, DatabaseTarget> databases() {
        Map<String, DatabaseTarget> found = new LinkedHashMap<>();
        Map<String, DatabaseEntry> by = new LinkedHashMap<>();
        for (DatabaseEntry e : entries) {
            for (String db : names(e)) {
                DatabaseEntry other = by.putIfAbsent(db, e);
                if (other != null) {
                    throw new ConfigException("database " + db + " is matched by " + other.label() + " and " + e.label()
                            + "; list each database once (narrow a pattern or drop it from a list)");
                }
                found.put(db, target(e, db));
            }
        }
        targets = Map.copyOf(found);
        return found;
    }

    private List<String> names(DatabaseEntry e) {
        return switch (e.kind()) {
            case NAME -> List.of(e.value());
            case LIST_FILE -> listFile(e);
            case PATTERN -> listServer(e);
        };
    }

    private List<String> listFile(DatabaseEntry e) {
        List<String> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(e.value()));
        } catch (IOException ex) {
            throw new ConfigException(e.label() + ": cannot read the list of databases: " + ex);
        }
        for (int i = 0; i < lines.size(); i++) {
            String name = lines.get(i).strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            String bad = FleetSection.badName(name);
            if (bad != null) {
                throw new ConfigException(e.label() + " line " + (i + 1) + ": a database name " + bad);
            }
            out.add(name);
        }
        return out;
    }

    /** The databases {@code LIKE} the pattern on the entry's server, templates left out. */
    private List<String> listServer(DatabaseEntry e) {
        PostgresSettings pg = settings(e, null);
        Properties props = new Properties();
        if (pg.user() != null) {
            props.setProperty("user", pg.user());
        }
        if (pg.password() != null) {
            props.setProperty("password", pg.password());
        }
        props.setProperty("ApplicationName", "partition-keeper");
        props.setProperty(
                "loginTimeout",
                String.valueOf(
                        Math.max(1, config.fleet().limits().connectTimeout().toSeconds())));
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), props);
                PreparedStatement s = c.prepareStatement(
                        "SELECT datname FROM pg_database WHERE datname LIKE ? AND NOT datistemplate ORDER BY datname")) {
            s.setString(1, e.value());
            List<String> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (FleetSection.badName(name) == null) {
                        out.add(name);
                    } else {
                        log.warn(
                                "{}: database \"{}\" left out: its name {}",
                                e.label(),
                                name,
                                FleetSection.badName(name));
                    }
                }
            }
            lastListing.put(e.index(), List.copyOf(out));
            return out;
        } catch (SQLException ex) {
            List<String> last = lastListing.get(e.index());
            if (last == null) {
                throw new IllegalStateException(
                        e.label() + ": cannot list the databases of "
                                + PostgresSettings.redactUrl(pg.jdbcUrl()) + ": " + ex.getMessage()
                                + "; the pass is tried again",
                        ex);
            }
            log.warn(
                    "{}: cannot list the databases ({}); keeping the {} of the last listing",
                    e.label(),
                    ex.getMessage(),
                    last.size());
            return last;
        }
    }

    private DatabaseTarget target(DatabaseEntry e, String db) {
        PostgresSettings pg = settings(e, db);
        return new DatabaseTarget(db, pg.jdbcUrl(), pg.user(), pg.password(), FleetSection.server(pg.jdbcUrl()));
    }

    /** The entry's connection, to {@code db} (null: the database its URL names, where a pattern is listed). */
    private PostgresSettings settings(DatabaseEntry e, String db) {
        String user = e.user() != null ? e.user() : config.postgresUser();
        String passwordFile = e.passwordFile() != null ? e.passwordFile() : config.postgresPasswordFile();
        if (e.service() != null) {
            PgServiceFile service = PgServiceFile.find(e.service(), env);
            String url = service.jdbcUrl("postgres");
            String role = e.user() != null ? e.user() : service.user() != null ? service.user() : user;
            if (db != null) {
                url = withDatabase(url, db);
            }
            PostgresSettings pg = PostgresSettings.resolve(url, role, passwordFile, config.poolSize(), env);
            // the service's password counts only where no password file of the configuration names one
            return passwordFile == null && service.password() != null
                    ? new PostgresSettings(pg.jdbcUrl(), pg.user(), service.password(), pg.poolSize())
                    : pg;
        }
        String url = e.url() != null ? e.url() : config.postgresUrl();
        if (url == null) {
            url = PostgresSettings.resolve(null, user, passwordFile, config.poolSize(), env)
                    .jdbcUrl();
        }
        if (db != null) {
            url = withDatabase(url, db);
        }
        return PostgresSettings.resolve(url, user, passwordFile, config.poolSize(), env);
    }

    /** The JDBC URL with its database part replaced. */
    static String withDatabase(String url, String database) {
        String prefix = "jdbc:postgresql://";
        if (!url.startsWith(prefix)) {
            throw new ConfigException("a fleet database's URL must look like jdbc:postgresql://host:5432/db, got: "
                    + PostgresSettings.redactUrl(url));
        }
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        String params = q < 0 ? "" : url.substring(q);
        int slash = base.indexOf('/', prefix.length());
        String server = slash < 0 ? base : base.substring(0, slash);
        return server + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20")
                + params;
    }
}

package dev.partitionkeeper.worker.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A libpq connection service ({@code pg_service.conf}): the {@code [name]} section of the per-user file
 * ({@code PGSERVICEFILE}, default {@code ~/.pg_service.conf}) or else of the system one
 * ({@code PGSYSCONFDIR/pg_service.conf}), as libpq reads them. Its {@code host}, {@code port}, {@code dbname},
 * {@code user}, {@code password} and {@code sslmode} become a JDBC URL, a role and a password.
 *
 * @param params the section's {@code key=value} lines, keys in lower case
 */
public record PgServiceFile(String service, Path file, Map<String, String> params) {
    private static final List<String> KNOWN = List.of("host", "port", "dbname", "user", "password", "sslmode");

    /** The service {@code name}; a missing service or file is a {@link ConfigException} naming where it looked. */
    public static PgServiceFile find(String name, Map<String, String> env) {
        Path user = Path.of(env.getOrDefault("PGSERVICEFILE", System.getProperty("user.home") + "/.pg_service.conf"));
        Path system = env.containsKey("PGSYSCONFDIR") ? Path.of(env.get("PGSYSCONFDIR"), "pg_service.conf") : null;
        for (Path f : system == null ? List.of(user) : List.of(user, system)) {
            Map<String, String> p = section(f, name);
            if (p != null) {
                for (String k : p.keySet()) {
                    if (!KNOWN.contains(k)) {
                        throw new ConfigException("service " + name + " in " + f + ": parameter '" + k
                                + "' has no JDBC form here; known: " + String.join(", ", KNOWN));
                    }
                }
                return new PgServiceFile(name, f, p);
            }
        }
        throw new ConfigException("service " + name + " is in no connection service file (looked in " + user
                + (system == null ? "" : " and " + system) + "; PGSERVICEFILE and PGSYSCONFDIR choose them)");
    }

    private static Map<String, String> section(Path f, String name) {
        if (!Files.isReadable(f)) {
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(f);
        } catch (IOException e) {
            throw new ConfigException("cannot read the connection service file " + f + ": " + e.getMessage());
        }
        Map<String, String> out = null;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                if (out != null) {
                    break; // the section ended
                }
                if (line.substring(1, line.length() - 1).strip().equals(name)) {
                    out = new LinkedHashMap<>();
                }
            } else if (out != null) {
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException(
                            "connection service file " + f + ", service " + name + ": not key=value: " + line);
                }
                out.put(
                        line.substring(0, eq).strip().toLowerCase(Locale.ROOT),
                        line.substring(eq + 1).strip());
            }
        }
        return out;
    }

    /** {@code jdbc:postgresql://host:port/dbname[?sslmode=…]}; libpq's defaults for what the section leaves out. */
    public String jdbcUrl(String defaultDatabase) {
        String host = params.getOrDefault("host", "localhost");
        if (host.startsWith("/")) {
            host = "localhost"; // JDBC has no Unix sockets
        }
        String url = "jdbc:postgresql://" + host + ":" + params.getOrDefault("port", "5432") + "/"
                + params.getOrDefault("dbname", defaultDatabase);
        String ssl = params.get("sslmode");
        return ssl == null ? url : url + "?sslmode=" + ssl;
    }

    public String user() {
        return params.get("user");
    }

    public String password() {
        return params.get("password");
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(params);
        shown.computeIfPresent("password", (k, v) -> "<masked>");
        return "PgServiceFile[service=" + service + ", file=" + file + ", params=" + shown + "]";
    }
}

package dev.partitionkeeper.worker.config;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the managed database is: a JDBC URL, or the libpq variables ({@code PGHOST}, {@code PGPORT},
 * {@code PGDATABASE}, {@code PGUSER}, {@code PGPASSWORD}, {@code PGSSLMODE}) and {@code ~/.pgpass},
 * as every PostgreSQL tool does.
 *
 * @param password never printed: {@link #toString()} masks it
 */
public record PostgresSettings(String jdbcUrl, String user, String password, int poolSize) {
    /** {@code jdbc:postgresql://host[:port]/[database]}: one host only, which is all pgpass can match. */
    private static final Pattern URL_TARGET = Pattern.compile("jdbc:postgresql://([^/:?,\\[]+)(?::(\\d+))?/([^?]*)");

    @Override
    public String toString() {
        return "PostgresSettings[url=" + redactUrl(jdbcUrl) + ", user=" + user + ", password="
                + (password == null ? "<none>" : "<masked>") + ", poolSize=" + poolSize + "]";
    }

    /** The URL without any {@code password=} parameter, for logs. */
    public static String redactUrl(String url) {
        if (url == null) {
            return null;
        }
        return url.replaceAll("(?i)(password=)[^&]*", "$1<masked>")
                .replaceAll("//([^/@:]+):([^/@]+)@", "//$1:<masked>@");
    }

    /**
     * Resolves the settings. A configured URL wins; otherwise the libpq variables build one. A password
     * comes from (first found) the config's password file, {@code PGPASSWORD}, or the pgpass file
     * ({@code PGPASSFILE}, default {@code ~/.pgpass}).
     */
    public static PostgresSettings resolve(
            String url, String user, String passwordFile, int poolSize, Map<String, String> env) {
        String host = env.getOrDefault("PGHOST", "localhost");
        if (host.startsWith("/")) {
            // JDBC has no Unix sockets; libpq's pgpass matches socket connections as "localhost" too
            host = "localhost";
        }
        String port = env.getOrDefault("PGPORT", "5432");
        String urlUser = url == null ? null : urlParameter(url, "user");
        String resolvedUser = user != null
                ? user
                : urlUser != null ? urlUser : env.getOrDefault("PGUSER", System.getProperty("user.name"));
        String db = env.getOrDefault("PGDATABASE", resolvedUser);
        Matcher target = url == null ? null : URL_TARGET.matcher(url);
        if (target != null && target.lookingAt()) {
            // the pgpass lookup must match the server the URL names, not the PG* variables
            host = target.group(1);
            port = target.group(2) == null ? "5432" : target.group(2);
            db = target.group(3).isEmpty() ? resolvedUser : target.group(3);
        }
        String jdbc = url;
        if (jdbc == null) {
            StringBuilder sb = new StringBuilder("jdbc:postgresql://")
                    .append(host)
                    .append(':')
                    .append(port)
                    .append('/')
                    .append(db);
            String ssl = env.get("PGSSLMODE");
            if (ssl != null && !ssl.isBlank()) {
                sb.append("?sslmode=").append(ssl);
            }
            jdbc = sb.toString();
        } else if (!jdbc.startsWith("jdbc:postgresql:")) {
            throw new ConfigException(
                    "postgres.url must be a JDBC URL such as jdbc:postgresql://db:5432/app, got: " + redactUrl(jdbc));
        }
        String password = null;
        if (passwordFile != null) {
            try {
                password = Files.readString(Path.of(passwordFile)).strip();
            } catch (IOException e) {
                throw new ConfigException(
                        "postgres.password_file " + passwordFile + " cannot be read: " + e.getMessage());
            }
        } else if (env.get("PGPASSWORD") != null) {
            password = env.get("PGPASSWORD");
        } else {
            String passFile = env.getOrDefault("PGPASSFILE", System.getProperty("user.home") + "/.pgpass");
            password = fromPgpass(Path.of(passFile), host, port, db, resolvedUser);
        }
        return new PostgresSettings(jdbc, resolvedUser, password, poolSize);
    }

    private static String urlParameter(String url, String name) {
        Matcher m = Pattern.compile("[?&]" + name + "=([^&]*)").matcher(url);
        return m.find() ? URLDecoder.decode(m.group(1), StandardCharsets.UTF_8) : null;
    }

    /**
     * Looks up {@code host:port:database:user:password} lines as libpq does: a bare {@code *} matches
     * anything, and a backslash escapes the next character ({@code \:} a colon, {@code \\} a backslash).
     */
    static String fromPgpass(Path file, String host, String port, String db, String user) {
        if (!Files.isReadable(file)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                List<String[]> f = pgpassFields(line);
                if (f.size() == 5 && m(f.get(0), host) && m(f.get(1), port) && m(f.get(2), db) && m(f.get(3), user)) {
                    return f.get(4)[1];
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** The fields of one pgpass line, each as {raw text, unescaped value}. */
    private static List<String[]> pgpassFields(String line) {
        List<String[]> out = new ArrayList<>();
        StringBuilder raw = new StringBuilder();
        StringBuilder value = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                raw.append(c).append(line.charAt(i + 1));
                value.append(line.charAt(++i));
            } else if (c == ':' && out.size() < 4) {
                out.add(new String[] {raw.toString(), value.toString()});
                raw.setLength(0);
                value.setLength(0);
            } else {
                raw.append(c);
                value.append(c);
            }
        }
        out.add(new String[] {raw.toString(), value.toString()});
        return out;
    }

    private static boolean m(String[] field, String value) {
        return "*".equals(field[0]) || field[1].equals(value);
    }
}

package dev.partitionkeeper.worker.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the managed database is: a JDBC URL, or the libpq variables ({@code PGHOST}, {@code PGPORT},
 * {@code PGDATABASE}, {@code PGUSER}, {@code PGPASSWORD}, {@code PGSSLMODE}) and {@code ~/.pgpass},
 * as every PostgreSQL tool does.
 *
 * @param password never printed: {@link #toString()} masks it
 */
public record PostgresSettings(String jdbcUrl, String user, String password, int poolSize) {

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
    return url.replaceAll("(?i)(password=)[^&]*", "$1<masked>").replaceAll("//([^/@:]+):([^/@]+)@", "//$1:<masked>@");
  }

  /**
   * Resolves the settings. A configured URL wins; otherwise the libpq variables build one. A password
   * comes from (first found) the config's password file, {@code PGPASSWORD}, or the pgpass file
   * ({@code PGPASSFILE}, default {@code ~/.pgpass}).
   */
  public static PostgresSettings resolve(String url, String user, String passwordFile, int poolSize,
      Map<String, String> env) {
    String host = env.getOrDefault("PGHOST", "localhost");
    String port = env.getOrDefault("PGPORT", "5432");
    String resolvedUser = user != null ? user : env.getOrDefault("PGUSER", System.getProperty("user.name"));
    String db = env.getOrDefault("PGDATABASE", resolvedUser);
    String jdbc = url;
    if (jdbc == null) {
      StringBuilder sb = new StringBuilder("jdbc:postgresql://").append(host.startsWith("/") ? "localhost" : host)
          .append(':').append(port).append('/').append(db);
      String ssl = env.get("PGSSLMODE");
      if (ssl != null && !ssl.isBlank()) {
        sb.append("?sslmode=").append(ssl);
      }
      jdbc = sb.toString();
    } else if (!jdbc.startsWith("jdbc:postgresql:")) {
      throw new ConfigException("postgres.url must be a JDBC URL such as jdbc:postgresql://db:5432/app, got: "
          + redactUrl(jdbc));
    }
    String password = null;
    if (passwordFile != null) {
      try {
        password = Files.readString(Path.of(passwordFile)).strip();
      } catch (IOException e) {
        throw new ConfigException("postgres.password_file " + passwordFile + " cannot be read: " + e.getMessage());
      }
    } else if (env.get("PGPASSWORD") != null) {
      password = env.get("PGPASSWORD");
    } else {
      String passFile = env.getOrDefault("PGPASSFILE", System.getProperty("user.home") + "/.pgpass");
      password = fromPgpass(Path.of(passFile), host, port, db, resolvedUser);
    }
    return new PostgresSettings(jdbc, resolvedUser, password, poolSize);
  }

  /** Looks up {@code host:port:database:user:password} lines, {@code *} matching anything. */
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
        String[] f = line.split("(?<!\\\\):", 5);
        if (f.length == 5 && m(f[0], host) && m(f[1], port) && m(f[2], db) && m(f[3], user)) {
          return f[4].replace("\\:", ":").replace("\\\\", "\\");
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  private static boolean m(String pattern, String value) {
    return "*".equals(pattern) || pattern.replace("\\:", ":").equals(value);
  }
}

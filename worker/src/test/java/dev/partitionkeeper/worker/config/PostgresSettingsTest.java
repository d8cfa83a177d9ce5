package dev.partitionkeeper.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PostgresSettingsTest {
    @TempDir
    Path dir;
    /** Never the developer's real ~/.pgpass: every test names its pgpass file (or a missing one). */
    private Map<String, String> env;

    @BeforeEach
    void isolatedEnvironment() {
        env = new HashMap<>();
        env.put("PGPASSFILE", dir.resolve("no-such-pgpass").toString());
    }

    private Path pgpass(String... lines) throws Exception {
        Path f = dir.resolve("pgpass");
        Files.writeString(f, String.join("\n", lines) + "\n");
        env.put("PGPASSFILE", f.toString());
        return f;
    }

    @Test
    void configuredUrlWinsOverLibpqVariables() {
        env.putAll(Map.of("PGHOST", "other", "PGPORT", "1111", "PGDATABASE", "otherdb", "PGSSLMODE", "disable"));
        PostgresSettings s = PostgresSettings.resolve("jdbc:postgresql://db:6543/app", "keeper", null, 4, env);
        assertEquals("jdbc:postgresql://db:6543/app", s.jdbcUrl());
        assertEquals("keeper", s.user());
        assertEquals(4, s.poolSize());
    }

    @Test
    void libpqVariablesBuildTheUrl() {
        env.putAll(Map.of(
                "PGHOST",
                "db.internal",
                "PGPORT",
                "6432",
                "PGDATABASE",
                "billing",
                "PGUSER",
                "keeper",
                "PGSSLMODE",
                "verify-full"));
        PostgresSettings s = PostgresSettings.resolve(null, null, null, 8, env);
        assertEquals("jdbc:postgresql://db.internal:6432/billing?sslmode=verify-full", s.jdbcUrl());
        assertEquals("keeper", s.user());
        assertNull(s.password());
    }

    @Test
    void libpqDefaultsAreLocalhostPort5432AndTheUserAsDatabase() {
        env.put("PGUSER", "keeper");
        PostgresSettings s = PostgresSettings.resolve(null, null, null, 8, env);
        assertEquals("jdbc:postgresql://localhost:5432/keeper", s.jdbcUrl());
        assertEquals("keeper", s.user());
    }

    @Test
    void withoutPgUserTheOsUserIsUsed() {
        PostgresSettings s = PostgresSettings.resolve(null, null, null, 8, env);
        assertEquals(System.getProperty("user.name"), s.user());
    }

    @Test
    void configuredUserWinsOverPgUser() {
        env.put("PGUSER", "fromenv");
        assertEquals(
                "fromconfig",
                PostgresSettings.resolve(null, "fromconfig", null, 8, env).user());
    }

    @Test
    void aUnixSocketHostBecomesLocalhost() {
        env.putAll(Map.of("PGHOST", "/var/run/postgresql", "PGUSER", "keeper"));
        assertEquals(
                "jdbc:postgresql://localhost:5432/keeper",
                PostgresSettings.resolve(null, null, null, 8, env).jdbcUrl());
    }

    @Test
    void pgPasswordIsUsed() throws Exception {
        pgpass("*:*:*:*:from-pgpass");
        env.putAll(Map.of("PGUSER", "keeper", "PGPASSWORD", "from-env"));
        assertEquals(
                "from-env", PostgresSettings.resolve(null, null, null, 8, env).password());
    }

    @ParameterizedTest(name = "{0}:{1}:{2}:{3} -> {4}")
    @CsvSource({
        // host, port, database, user, expected password
        "db.internal, 6432, billing, keeper, 'pa:ss\\word'",
        "db.internal, 5432, billing, keeper, port-wildcard",
        "db.internal, 6432, other, keeper, any-db",
        "elsewhere, 5432, app, someone, fallback",
        "::1, 5432, app, keeper, ipv6",
        "star*host, 5432, app, keeper, literal-star"
    })
    void pgpassLinesMatchInOrderWithWildcardsAndEscapes(
            String host, String port, String db, String user, String expected) throws Exception {
        pgpass(
                "# comments and blank lines are skipped",
                "",
                "db.internal:6432:billing:keeper:pa\\:ss\\\\word",
                "db.internal:*:billing:keeper:port-wildcard",
                "db.internal:6432:*:keeper:any-db",
                "\\:\\:1:5432:app:keeper:ipv6",
                "star\\*host:5432:app:keeper:literal-star",
                "short:line",
                "*:*:*:*:fallback");
        env.putAll(Map.of("PGHOST", host, "PGPORT", port, "PGDATABASE", db, "PGUSER", user));
        assertEquals(
                expected, PostgresSettings.resolve(null, null, null, 8, env).password());
    }

    @Test
    void anEscapedStarIsNotAWildcard() throws Exception {
        pgpass("\\*:*:*:*:only-for-a-host-named-star");
        env.putAll(Map.of("PGHOST", "db", "PGUSER", "keeper"));
        assertNull(PostgresSettings.resolve(null, null, null, 8, env).password());
    }

    @Test
    void pgpassPasswordMayContainUnescapedColons() throws Exception {
        pgpass("*:*:*:keeper:a:b:c");
        env.put("PGUSER", "keeper");
        assertEquals("a:b:c", PostgresSettings.resolve(null, null, null, 8, env).password());
    }

    @Test
    void noMatchingPgpassLineMeansNoPassword() throws Exception {
        pgpass("db:5432:app:someone-else:x");
        env.putAll(Map.of("PGHOST", "db", "PGDATABASE", "app", "PGUSER", "keeper"));
        assertNull(PostgresSettings.resolve(null, null, null, 8, env).password());
    }

    @Test
    void pgpassIsMatchedAgainstTheServerTheUrlNames() throws Exception {
        pgpass("localhost:5432:keeper:keeper:wrong-server", "db.internal:6432:billing:keeper:right-server");
        env.putAll(Map.of("PGHOST", "localhost", "PGUSER", "keeper"));
        PostgresSettings s = PostgresSettings.resolve(
                "jdbc:postgresql://db.internal:6432/billing?user=keeper&ssl=true", null, null, 8, env);
        assertEquals("right-server", s.password());
        assertEquals("keeper", s.user(), "the URL's user= is the user that connects");
    }

    @Test
    void urlWithoutPortMatchesPgpassOn5432() throws Exception {
        pgpass("db.internal:5432:billing:keeper:default-port");
        PostgresSettings s = PostgresSettings.resolve("jdbc:postgresql://db.internal/billing", "keeper", null, 8, env);
        assertEquals("default-port", s.password());
    }

    @Test
    void passwordFileWinsOverPgPasswordAndPgpass() throws Exception {
        pgpass("*:*:*:*:from-pgpass");
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "  from-file \n");
        env.put("PGPASSWORD", "from-env");
        PostgresSettings s = PostgresSettings.resolve("jdbc:postgresql://db/app", "keeper", pw.toString(), 8, env);
        assertEquals("from-file", s.password());
    }

    @Test
    void unreadablePasswordFileIsAConfigErrorNamingIt() {
        Path missing = dir.resolve("missing-password");
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> PostgresSettings.resolve("jdbc:postgresql://db/app", "keeper", missing.toString(), 8, env));
        assertTrue(e.getMessage().startsWith("postgres.password_file " + missing + " cannot be read"), e.getMessage());
    }

    @Test
    void nonJdbcUrlIsRefusedWithoutEchoingItsPassword() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> PostgresSettings.resolve("postgres://keeper:s3cr3t@db/app", null, null, 8, env));
        assertTrue(e.getMessage().contains("must be a JDBC URL such as jdbc:postgresql://db:5432/app"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        assertTrue(e.getMessage().contains("postgres://keeper:<masked>@db/app"), e.getMessage());
    }

    @Test
    void toStringNeverContainsThePassword() {
        PostgresSettings s =
                new PostgresSettings("jdbc:postgresql://db/app?user=keeper&password=s3cr3t", "keeper", "s3cr3t", 8);
        String text = s.toString();
        assertFalse(text.contains("s3cr3t"), text);
        assertTrue(text.contains("password=<masked>"), text);
        assertTrue(text.contains("url=jdbc:postgresql://db/app?user=keeper&password=<masked>"), text);
        assertTrue(new PostgresSettings("jdbc:postgresql://db/app", "keeper", null, 8)
                .toString()
                .contains("password=<none>"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "jdbc:postgresql://db/app?password=s3cr3t | jdbc:postgresql://db/app?password=<masked>",
                "jdbc:postgresql://db/app?user=u&password=s3cr3t&ssl=true | jdbc:postgresql://db/app?user=u&password=<masked>&ssl=true",
                "jdbc:postgresql://db/app?PASSWORD=s3cr3t | jdbc:postgresql://db/app?PASSWORD=<masked>",
                "jdbc:postgresql://db/app?sslpassword=s3cr3t | jdbc:postgresql://db/app?sslpassword=<masked>",
                "postgresql://keeper:s3cr3t@db:5432/app | postgresql://keeper:<masked>@db:5432/app",
                "jdbc:postgresql://db:5432/app?user=keeper | jdbc:postgresql://db:5432/app?user=keeper"
            })
    void redactUrlMasksPasswords(String url, String expected) {
        assertEquals(expected, PostgresSettings.redactUrl(url));
    }

    @Test
    void redactUrlOfNullIsNull() {
        assertNull(PostgresSettings.redactUrl(null));
    }
}

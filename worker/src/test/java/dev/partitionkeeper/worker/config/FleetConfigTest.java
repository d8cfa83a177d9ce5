package dev.partitionkeeper.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePattern;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fleet as written: {@code databases:} entries, the pool bounds, and tables that match many databases. */
class FleetConfigTest {

    private static List<String> problems(String yaml) {
        try {
            WorkerConfig.parse("fleet.yaml", yaml, Map.of());
        } catch (ConfigException e) {
            return e.problems();
        }
        fail("expected a problem in:\n" + yaml);
        return List.of();
    }

    private static void assertProblem(String yaml, String... words) {
        List<String> p = problems(yaml);
        for (String w : words) {
            assertTrue(p.stream().anyMatch(m -> m.contains(w)), () -> "no problem says \"" + w + "\": " + p);
        }
    }

    @Test
    void aFleetWithNamesPatternsAndListFilesParsesWithItsBounds() {
        WorkerConfig cfg = WorkerConfig.parse("fleet.yaml", """
        postgres:
          user: keeper
          pool_size: 3
          max_connections_total: 12
          max_databases_per_server: 2
          pool_idle_close: 5s
          connect_timeout: 2s
        temporal:
          database_parallelism: 8
        databases:
          - name: billing
            url: jdbc:postgresql://db1:5432/billing
          - pattern: "tenant_%"
            url: jdbc:postgresql://db2:5432/postgres
            user: tenants
            password_file: /run/secrets/tenants
          - list_file: /etc/partition-keeper/shards.txt
            url: jdbc:postgresql://db3/postgres
        tables:
          - table: public.invoices
            database: billing
            interval: monthly
          - table: public.events
            database: "tenant_%"
            interval: daily
          - table: public.audit
            interval: monthly
        """, Map.of());
        FleetSection f = cfg.fleet();
        assertTrue(f.isFleet());
        assertEquals(3, f.databases().size());
        assertEquals(DatabaseEntry.Kind.PATTERN, f.databases().get(1).kind());
        assertEquals("tenants", f.databases().get(1).user());
        assertEquals(3, f.limits().poolSize());
        assertEquals(12, f.limits().maxConnectionsTotal());
        assertEquals(2, f.limits().maxDatabasesPerServer());
        assertEquals(8, f.databaseParallelism());
        assertEquals("billing", cfg.tables().get(0).database());
        assertEquals("tenant_%", cfg.tables().get(1).database());
        assertNull(cfg.tables().get(2).database(), "no database: means every database of the fleet");
    }

    @Test
    void aSingleDatabaseConfigurationIsNoFleetAndItsTablesHaveNoDatabase() {
        WorkerConfig cfg = WorkerConfig.parse("one.yaml", """
        postgres:
          url: jdbc:postgresql://db:5432/app
        tables:
          - table: public.events
            interval: daily
        """, Map.of());
        assertFalse(cfg.fleet().isFleet());
        assertNull(cfg.tables().get(0).database());
        assertEquals("public.events", cfg.tables().get(0).qualifiedName());
    }

    @Test
    void aDatabaseEntryNeedsExactlyOneOfNamePatternOrListFile() {
        assertProblem(
                """
                databases:
                  - url: jdbc:postgresql://db/postgres
                  - name: a
                    pattern: "b%"
                tables: [{table: public.t, interval: daily}]
                """,
                "databases[0] must have exactly one of name",
                "got: none",
                "databases[1] must have exactly one of name",
                "got: name and pattern");
    }

    @Test
    void badEntriesAreNamedWithTheirKey() {
        assertProblem(
                """
                databases:
                  - name: "a/b"
                  - pattern: tenants
                  - name: c
                    url: postgres://db/c
                  - name: d
                    host: db
                  - "e"
                tables: [{table: public.t, interval: daily}]
                """,
                "databases[0].name must be a database name without '/'",
                "databases[1].pattern must be a LIKE pattern with % or _",
                "databases[2].url must be a JDBC URL",
                "databases[3]: unknown key 'host'; known keys: list_file, name, password_file, pattern, service, url,"
                        + " user",
                "databases[4] must be a mapping");
        assertProblem(
                "databases:\n  - name: a\n    service: fleet\n    url: jdbc:postgresql://db/a\n"
                        + "tables: [{table: public.t, interval: daily}]\n",
                "databases[0] has both url and service");
        assertProblem(
                "databases: {name: a}\ntables: [{table: public.t, interval: daily}]\n",
                "'databases:' must be a list of at least one database entry");
    }

    @Test
    void overlappingDatabaseEntriesOfOneServerAreAnErrorNamingBoth() {
        assertProblem(
                """
                databases:
                  - pattern: "tenant_%"
                    url: jdbc:postgresql://db2:5432/postgres
                  - name: tenant_7
                    url: jdbc:postgresql://db2:5432/tenant_7
                  - name: billing
                  - name: billing
                tables: [{table: public.t, interval: daily}]
                """,
                "databases[1] (name tenant_7) overlaps databases[0] (pattern tenant_%): both mean database tenant_7",
                "databases[3] (name billing) overlaps databases[2] (name billing)");
        // the same name on two servers is two databases
        WorkerConfig.parse("ok.yaml", """
        databases:
          - name: app
            url: jdbc:postgresql://eu:5432/app
          - name: app2
            url: jdbc:postgresql://us:5432/app
        tables: [{table: public.t, interval: daily}]
        """, Map.of());
    }

    @Test
    void aTableMatchedTwiceIsAnErrorNamingBothEntries() {
        assertProblem(
                """
                databases:
                  - pattern: "tenant_%"
                tables:
                  - table: public.events
                    database: "tenant_%"
                    interval: daily
                  - table: public.events
                    database: tenant_7
                    interval: monthly
                """,
                "tables[1] (public.events): tables[0] (public.events, database tenant_%) already matches"
                        + " tenant_7/public.events (this entry: database tenant_7)");
        assertProblem(
                """
                databases:
                  - name: a
                tables:
                  - table: public.events
                    interval: daily
                  - table: public.events
                    database: a
                    interval: monthly
                """,
                "tables[1] (public.events): tables[0] (public.events, database (every database)) already matches"
                        + " a/public.events");
        assertProblem("""
                databases:
                  - name: a
                tables:
                  - table: public.events
                    database: a
                    interval: daily
                  - table: public.events
                    database: a
                    interval: monthly
                """, "tables[1] (public.events): duplicate table, already listed as tables[0]");
    }

    @Test
    void theSameTableInTwoDatabasesIsTwoTables() {
        WorkerConfig cfg = WorkerConfig.parse("ok.yaml", """
        databases:
          - name: eu
          - name: us
        tables:
          - table: public.events
            database: eu
            interval: daily
          - table: public.events
            database: us
            interval: monthly
        """, Map.of());
        assertEquals(2, cfg.tables().size());
    }

    @Test
    void aTableDatabaseNeedsAFleetAndBoundsAreChecked() {
        assertProblem(
                "tables: [{table: public.t, interval: daily, database: app}]\n",
                "tables (public.t): database app needs a databases: list naming it");
        assertProblem(
                """
                postgres:
                  pool_size: 8
                  max_connections_total: 4
                  max_databases_per_server: 0
                  connect_timeout: 10ms
                temporal:
                  database_parallelism: 0
                databases: [{name: a}]
                tables: [{table: public.t, interval: daily}]
                """,
                "postgres.max_connections_total must be at least postgres.pool_size (8: one database's pool)",
                "postgres.max_databases_per_server must be between 1 and 10000",
                "postgres.connect_timeout must be at least 250ms",
                "temporal.database_parallelism must be between 1 and 1000");
    }

    @Test
    void theIcebergArchiveIsRefusedForAFleet() {
        assertProblem("""
                archive:
                  location: /srv/archive
                  format: iceberg
                databases: [{name: a}]
                tables: [{table: public.t, interval: daily}]
                """, "archive.format iceberg is not supported with databases: (a fleet) yet");
    }

    @Test
    void likePatternsMatchAsInSql() {
        assertTrue(DatabaseEntry.like("tenant_%", "tenant_1"));
        assertTrue(DatabaseEntry.like("tenant_%", "tenantX1"), "_ is one character in LIKE");
        assertFalse(DatabaseEntry.like("tenant\\_%", "tenantX1"), "\\_ is a literal underscore");
        assertFalse(DatabaseEntry.like("tenant_%", "tenant"));
        assertTrue(DatabaseEntry.selects("tenant_1", "tenant_1"));
        assertFalse(DatabaseEntry.selects("tenant_1", "tenantX1"), "a name without % is exact");
        assertEquals("db2:5432", FleetSection.server("jdbc:postgresql://db2:5432/postgres?sslmode=require"));
    }

    @Test
    void tablePatternsParseAndBadOnesAreNamed() {
        WorkerConfig cfg = WorkerConfig.parse("p.yaml", """
        tables:
          - table: "Tenant_*.events"
            interval: daily
          - table: "*_log"
            interval: daily
        """, Map.of());
        assertEquals("tenant_*", cfg.tables().get(0).table().schema(), "folded as SQL folds unquoted names");
        assertEquals("public", cfg.tables().get(1).table().schema());
        assertTrue(TablePattern.isPattern(cfg.tables().get(1).table()));
        assertTrue(TablePattern.matches(cfg.tables().get(0).table(), new TableName("tenant_42", "events")));
        assertFalse(TablePattern.matches(cfg.tables().get(0).table(), new TableName("tenant_42", "events2")));
        assertEquals("tenant\\_%", TablePattern.like("tenant_*"));
        assertProblem(
                """
                tables:
                  - table: "a.b.*"
                    interval: daily
                  - table: "pub-lic.*"
                    interval: daily
                  - table: 'public."a*b"'
                    interval: daily
                """,
                "tables[0]: table: table pattern \"a.b.*\" must be schema.table or table",
                "tables[1]: table: table pattern \"pub-lic.*\" may hold only letters",
                "tables[2]: table: a table whose name holds a * cannot be listed");
    }
}

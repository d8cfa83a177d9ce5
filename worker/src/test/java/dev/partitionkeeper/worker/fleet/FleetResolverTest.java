package dev.partitionkeeper.worker.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.fleet.DatabaseTarget;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.config.ConfigException;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet as a pass resolves it against a real server: a pattern listed from {@code pg_database} (through a libpq
 * service), a list file, and the errors that need the server's databases to be seen.
 */
@Tag("postgres")
class FleetResolverTest {
    @TempDir
    Path dir;

    private static final Pattern HOST_PORT = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/");

    private Map<String, String> serviceFile() throws Exception {
        Matcher m = HOST_PORT.matcher(PgTestSupport.adminUrl());
        assertTrue(m.lookingAt(), PgTestSupport.adminUrl());
        Path f = dir.resolve("pg_service.conf");
        Files.writeString(
                f,
                "# the test server\n[other]\nhost=nowhere\n\n[fleet]\nhost=" + m.group(1) + "\nport=" + m.group(2)
                        + "\ndbname=postgres\nuser=postgres\n");
        return Map.of("PGSERVICEFILE", f.toString());
    }

    private static FleetResolver resolver(String yaml, Map<String, String> env) {
        return new FleetResolver(WorkerConfig.parse("fleet.yaml", yaml, env), env);
    }

    @Test
    void aPatternIsListedThroughALibpqServiceAndAListFileIsRead() throws Exception {
        List<String> dbs = FleetTestSupport.databases("resolve", 2, false);
        String prefix = FleetTestSupport.commonPrefix(dbs);
        Path list = dir.resolve("shards.txt");
        Files.writeString(list, "# shards\n\nbilling_eu\n  billing_us  \n");
        Map<String, String> env = serviceFile();
        FleetResolver r = resolver(
                "databases:\n  - pattern: '" + prefix + "%'\n    service: fleet\n  - list_file: " + list
                        + "\n    url: jdbc:postgresql://billing:5432/postgres\n"
                        + "tables:\n  - table: public.events\n    interval: daily\n"
                        + "  - table: public.invoices\n    database: billing_eu\n    interval: monthly\n",
                env);
        Map<String, DatabaseTarget> found = r.databases();
        assertEquals(List.of(dbs.get(0), dbs.get(1), "billing_eu", "billing_us"), List.copyOf(found.keySet()));
        DatabaseTarget first = found.get(dbs.get(0));
        assertTrue(first.jdbcUrl().endsWith("/" + dbs.get(0)), first::toString);
        assertEquals("postgres", first.user(), "the service's user");
        assertEquals("billing:5432", found.get("billing_us").server());
        List<TablePolicy> tables =
                r.resolve(WorkerConfig.parse("fleet.yaml", """
                databases: [{name: x}]
                tables:
                  - table: public.events
                    interval: daily
                  - table: public.invoices
                    database: billing_eu
                    interval: monthly
                """, Map.of()).tables());
        assertEquals(
                List.of(
                        dbs.get(0) + "/public.events",
                        dbs.get(1) + "/public.events",
                        "billing_eu/public.events",
                        "billing_eu/public.invoices",
                        "billing_us/public.events"),
                tables.stream().map(TablePolicy::qualifiedName).toList());
        assertEquals(first, r.target(dbs.get(0)));
    }

    @Test
    void aDatabaseTwoEntriesMatchIsAnErrorNamingBoth() throws Exception {
        List<String> dbs = FleetTestSupport.databases("resolvetwice", 1, false);
        Path list = dir.resolve("list.txt");
        Files.writeString(list, dbs.get(0) + "\n");
        FleetResolver r = resolver(
                "postgres:\n  url: '" + PgTestSupport.adminUrl() + "'\ndatabases:\n  - pattern: '"
                        + FleetTestSupport.commonPrefix(dbs) + "%'\n  - list_file: " + list
                        + "\ntables: [{table: public.events, interval: daily}]\n",
                Map.of());
        ConfigException e = assertThrows(ConfigException.class, r::databases);
        assertTrue(
                e.getMessage().contains("database " + dbs.get(0) + " is matched by databases[0] (pattern ")
                        && e.getMessage().contains("and databases[1] (list_file " + list + ")"),
                e::getMessage);
    }

    @Test
    void twoPatternsGivingOneTableAndAnUnknownNameAreErrorsNamingTheEntries() {
        FleetResolver r = resolver(
                "databases:\n  - name: tenant_7\n  - name: tenant_8\ntables: [{table: public.t, interval: daily}]\n",
                Map.of());
        List<TablePolicy> twice = WorkerConfig.parse("t.yaml", """
                databases: [{name: x}]
                tables:
                  - table: public.events
                    database: "tenant_%"
                    interval: daily
                  - table: public.events
                    database: "%_7"
                    interval: monthly
                """, Map.of()).tables();
        ConfigException e = assertThrows(ConfigException.class, () -> r.resolve(twice));
        assertTrue(
                e.getMessage()
                        .contains("the tables: entries for public.events with database: \"tenant_%\" and"
                                + " database: \"%_7\" both match tenant_7/public.events"),
                e::getMessage);
        List<TablePolicy> unknown = WorkerConfig.parse(
                        "u.yaml",
                        "databases: [{name: x}]\ntables: [{table: public.events, database: tenant_9, interval: daily}]\n",
                        Map.of())
                .tables();
        ConfigException u = assertThrows(ConfigException.class, () -> r.resolve(unknown));
        assertTrue(
                u.getMessage()
                        .contains("database tenant_9 is in none of the databases: entries; known databases:"
                                + " tenant_7, tenant_8"),
                u::getMessage);
    }

    @Test
    void aServerThatCannotBeListedFailsUntilItWasListedOnce() {
        FleetResolver r = resolver(
                "postgres:\n  connect_timeout: 1s\ndatabases:\n  - pattern: 'tenant_%'\n"
                        + "    url: jdbc:postgresql://127.0.0.1:1/postgres\n"
                        + "tables: [{table: public.t, interval: daily}]\n",
                Map.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, r::databases);
        assertTrue(
                e.getMessage()
                        .startsWith("databases[0] (pattern tenant_%): cannot list the databases of"
                                + " jdbc:postgresql://127.0.0.1:1/postgres"),
                e::getMessage);
    }
}

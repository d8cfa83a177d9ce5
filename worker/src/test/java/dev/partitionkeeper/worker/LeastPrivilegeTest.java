package dev.partitionkeeper.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.TableReport;
import io.temporal.client.WorkflowFailedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole pass (create, detach, export to a directory, verify, drop) as a NOSUPERUSER, NOCREATEDB,
 * NOCREATEROLE role holding exactly the grants of docs/operations.md ("Least-privilege grants"), and, for
 * each grant taken away, a pass that fails with a message naming the missing grant, its object and the
 * statement that gives it.
 */
@Tag("postgres")
class LeastPrivilegeTest {
    static EmbeddedTemporal temporal;
    static final String OLD = "transactions_p"
            + LocalDate.now(ZoneOffset.UTC)
                    .withDayOfMonth(1)
                    .minusMonths(13)
                    .toString()
                    .substring(0, 7)
                    .replace('-', '_');
    static final String PASSWORD = "keeper-password";

    @TempDir
    Path archive;

    @BeforeAll
    static void startTemporal() {
        temporal = EmbeddedTemporal.start();
    }

    @AfterAll
    static void stopTemporal() {
        temporal.close();
    }

    /** A database with the demo table owned by {@code owner}, and {@code keeper} with the documented grants. */
    record Db(String url, String owner, String keeper) implements AutoCloseable {
        static Db create(String hint) throws Exception {
            String url = PgTestSupport.newDatabase(hint);
            // roles are cluster-wide: each database gets its own
            String sfx = "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
            Db db = new Db(url, "app_owner" + sfx, "pk" + sfx);
            DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 20);
            PgTestSupport.exec(
                    url,
                    "CREATE ROLE " + db.owner + " NOLOGIN",
                    // PostgreSQL 14 and older let PUBLIC create in public; 15+ do not. Same starting point for both.
                    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                    "GRANT USAGE, CREATE ON SCHEMA public TO " + db.owner,
                    "DO $$ DECLARE r regclass; BEGIN FOR r IN SELECT relid FROM pg_partition_tree('public.transactions')"
                            + " LOOP EXECUTE format('ALTER TABLE %s OWNER TO " + db.owner + "', r); END LOOP; END $$",
                    "CREATE ROLE " + db.keeper + " LOGIN PASSWORD '" + PASSWORD
                            + "' NOSUPERUSER NOCREATEDB NOCREATEROLE" + " NOREPLICATION NOBYPASSRLS");
            // docs/operations.md, "Least-privilege grants", statement by statement
            PgTestSupport.exec(
                    url,
                    "GRANT " + db.owner + " TO " + db.keeper,
                    "GRANT pg_read_all_stats TO " + db.keeper,
                    "CREATE SCHEMA partition_keeper AUTHORIZATION " + db.keeper,
                    "CREATE SCHEMA partition_archive",
                    "GRANT USAGE, CREATE ON SCHEMA partition_archive TO " + db.keeper);
            return db;
        }

        String keeperUrl() {
            return url.replaceAll("([?&])(user|password)=[^&]*&?", "$1").replaceAll("[?&]$", "");
        }

        long partitions() {
            return PgTestSupport.queryLong(
                    url, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.transactions'::regclass");
        }

        boolean attached(String partition) {
            return PgTestSupport.queryLong(
                            url,
                            "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                    + " WHERE i.inhparent = 'public.transactions'::regclass AND c.relname = '"
                                    + partition + "'")
                    == 1;
        }

        @Override
        public void close() {
            String name = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
            PgTestSupport.exec(PgTestSupport.adminUrl(), "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            for (String role : List.of(keeper, owner)) {
                PgTestSupport.exec(PgTestSupport.adminUrl(), "DROP ROLE IF EXISTS " + role);
            }
        }
    }

    private WorkerConfig config() {
        return WorkerConfig.parse("least-privilege", """
        archive:
          location: %s
        tables:
          - table: public.transactions
            interval: monthly
            premake: 3
            retention: 12 months
            retention_action: archive_and_drop
            drop_grace: 0d
        """.formatted(archive), Map.of())
                .withTaskQueue("least-privilege-" + System.nanoTime());
    }

    private MaintenanceReport pass(Db db) {
        WorkerConfig cfg = config();
        try (WorkerRuntime rt = new WorkerRuntime(
                temporal.connection().client(),
                cfg,
                new PostgresSettings(db.keeperUrl(), db.keeper(), PASSWORD, 4),
                cfg::tables,
                null)) {
            rt.start();
            return PassRunner.run(
                    temporal.connection().client(), cfg.taskQueue(), MaintenanceRequest.all("least privilege"));
        }
    }

    /** {@code validate --privileges} as the keeper, in-process: exit code and stdout + stderr. */
    private Object[] validatePrivileges(Db db) throws Exception {
        Path pw = Files.writeString(archive.resolve("pw"), PASSWORD);
        Path cfg =
                Files.writeString(archive.resolve("pk.yaml"), """
        postgres:
          url: %s
          user: %s
          password_file: %s
        archive:
          location: %s
        tables:
          - table: public.transactions
            interval: monthly
            retention: 12 months
            retention_action: archive_and_drop
        """.formatted(db.keeperUrl(), db.keeper(), pw, archive));
        var out = new StringWriter();
        var err = new StringWriter();
        int code =
                Main.run(new PrintWriter(out), new PrintWriter(err), "validate", "--privileges", "-c", cfg.toString());
        String all = out + "" + err;
        assertFalse(all.contains("Exception") || all.contains("\tat "), all);
        return new Object[] {code, all};
    }

    /** The pass fails; returns the table's error after the common checks. */
    private String failedPass(Db db) {
        WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> pass(db));
        TableReport t = PassRunner.reportOf(e).orElseThrow().tables().get(0);
        assertEquals(TableReport.FAILED, t.status(), t::toString);
        String error = t.error();
        assertTrue(error.contains("permission denied") || error.contains("refusing"), error);
        assertFalse(error.contains("Exception") || error.contains("\tat "), error);
        return error;
    }

    @Test
    void aWholePassRunsAsTheRoleWithOnlyTheDocumentedGrants() throws Exception {
        try (Db db = Db.create("least_priv_ok")) {
            assertEquals(
                    0,
                    PgTestSupport.queryLong(
                            db.url(),
                            "SELECT count(*) FROM pg_roles WHERE rolname = '" + db.keeper()
                                    + "' AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls)"));
            long oldRows = PgTestSupport.queryLong(db.url(), "SELECT count(*) FROM public." + OLD);
            Object[] v = validatePrivileges(db);
            assertEquals(0, v[0], v[1]::toString);
            assertTrue(v[1].toString().contains("the role holds every grant the policy needs"), v[1]::toString);
            assertFalse(v[1].toString().contains("warning"), v[1]::toString);

            MaintenanceReport r = pass(db);

            TableReport t = r.tables().get(0);
            assertEquals(
                    List.of("create", "create", "detach", "export", "verify", "drop"),
                    t.actions().stream().map(a -> a.action().split(" ")[0]).toList(),
                    t::toString);
            assertTrue(Files.exists(archive.resolve("public/transactions/" + OLD + "/manifest.json")));
            assertFalse(db.attached(OLD));
            assertEquals(
                    0,
                    PgTestSupport.queryLong(db.url(), "SELECT count(*) FROM pg_tables WHERE tablename = '" + OLD + "'"),
                    "detached, archived, verified and dropped");
            assertEquals(
                    oldRows,
                    PgTestSupport.queryLong(
                            db.url(),
                            "SELECT archived_rows FROM partition_keeper.partition_lifecycle"
                                    + " WHERE partition_name = '" + OLD + "' AND dropped_at IS NOT NULL"));
            // nothing needed CREATE on the database: the schemas were given, not created
            assertEquals(
                    0,
                    PgTestSupport.queryLong(
                            db.url(),
                            "SELECT count(*) FROM pg_namespace WHERE nspowner = '" + db.keeper()
                                    + "'::regrole AND nspname <> 'partition_keeper'"));
        }
    }

    @Test
    void withoutPgReadAllStatsThePassStillRuns() throws Exception {
        try (Db db = Db.create("least_priv_stats")) {
            PgTestSupport.exec(db.url(), "REVOKE pg_read_all_stats FROM " + db.keeper());
            // recommended, not required: the lock gate is blind to other roles' transactions, DDL still works
            MaintenanceReport r = pass(db);
            assertEquals(6, r.tables().get(0).actions().size(), r::toString);
            assertFalse(db.attached(OLD));
        }
    }

    @Test
    void withoutMembershipInTheOwnerRoleThePassNamesTheRoleToGrant() throws Exception {
        try (Db db = Db.create("least_priv_owner")) {
            PgTestSupport.exec(db.url(), "REVOKE " + db.owner() + " FROM " + db.keeper());
            long before = db.partitions();
            String error = failedPass(db);
            assertTrue(
                    error.contains("role \"" + db.keeper() + "\" is not a member of role \"" + db.owner()
                            + "\", which owns public.transactions"),
                    error);
            assertTrue(error.contains("run: GRANT " + db.owner() + " TO " + db.keeper()), error);
            assertEquals(before, db.partitions(), "nothing created or detached");
        }
    }

    @Test
    void withoutCreateOnTheTablesSchemaThePassNamesIt() throws Exception {
        try (Db db = Db.create("least_priv_public")) {
            PgTestSupport.exec(db.url(), "REVOKE CREATE ON SCHEMA public FROM " + db.owner());
            long before = db.partitions();
            String error = failedPass(db);
            assertTrue(error.contains("role \"" + db.keeper() + "\" lacks CREATE on schema \"public\""), error);
            assertTrue(error.contains("run: GRANT CREATE ON SCHEMA public TO " + db.keeper()), error);
            assertEquals(before, db.partitions());
        }
    }

    @Test
    void withoutCreateOnTheArchiveSchemaNothingIsDetached() throws Exception {
        try (Db db = Db.create("least_priv_archive")) {
            PgTestSupport.exec(
                    db.url(),
                    "REVOKE CREATE ON SCHEMA partition_archive FROM " + db.keeper(),
                    "REVOKE pg_read_all_stats FROM " + db.keeper());
            Object[] v = validatePrivileges(db);
            assertEquals(1, v[0], v[1]::toString);
            assertTrue(
                    v[1].toString()
                            .contains("error: the role lacks 1 grant(s) the policy needs:\n  - role \"" + db.keeper()
                                    + "\" lacks CREATE on schema \"partition_archive\""),
                    v[1]::toString);
            assertTrue(
                    v[1].toString().contains("warning: the role is not a member of pg_read_all_stats"), v[1]::toString);
            String error = failedPass(db);
            assertTrue(error.contains("refusing to detach " + OLD), error);
            assertTrue(
                    error.contains("role \"" + db.keeper() + "\" lacks CREATE on schema \"partition_archive\""), error);
            assertTrue(error.contains("run: GRANT CREATE ON SCHEMA partition_archive TO " + db.keeper()), error);
            assertTrue(db.attached(OLD), "the partition stays attached");
        }
    }

    @Test
    void withoutItsBookkeepingSchemaThePassNamesTheGrantBeforeAnyDdl() throws Exception {
        try (Db db = Db.create("least_priv_books")) {
            // the schema exists but belongs to someone else, with no grant
            PgTestSupport.exec(db.url(), "DROP SCHEMA partition_keeper", "CREATE SCHEMA partition_keeper");
            long before = db.partitions();
            String error = failedPass(db);
            assertTrue(
                    error.contains(
                            "role \"" + db.keeper() + "\" lacks USAGE and CREATE on schema \"partition_keeper\""),
                    error);
            assertTrue(error.contains("run: GRANT USAGE, CREATE ON SCHEMA partition_keeper TO " + db.keeper()), error);
            assertEquals(before, db.partitions(), "refused before the first create");

            // and when it does not exist at all, creating it needs CREATE on the database
            PgTestSupport.exec(db.url(), "DROP SCHEMA partition_keeper");
            String missing = failedPass(db);
            assertTrue(
                    missing.contains("schema \"partition_keeper\" does not exist and role \"" + db.keeper()
                            + "\" lacks CREATE on database"),
                    missing);
            assertTrue(
                    missing.contains(
                            "CREATE SCHEMA partition_keeper; GRANT USAGE, CREATE ON SCHEMA partition_keeper TO "
                                    + db.keeper()),
                    missing);
            assertEquals(before, db.partitions());
        }
    }
}

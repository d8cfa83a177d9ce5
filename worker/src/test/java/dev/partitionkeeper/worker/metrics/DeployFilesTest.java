package dev.partitionkeeper.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.archive.ArchiveActivitiesImpl;
import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.store.ArchiveStores;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The files docker-compose.yml runs are true: the demo schema loads, the least-privilege grants let the
 * worker do a whole pass as {@code partition_keeper} (create, detach, export and verify: DDL as the
 * owner's member, its own schemas, other sessions visible to the lock gate), the application role still
 * writes through new partitions, and the compose worker's configuration file is valid.
 */
@Tag("postgres")
class DeployFilesTest {

    static Path deploy(String file) {
        Path docs = AlertRulesTest.docs("alerts.md"); // <repo>/docs/alerts.md
        return docs.getParent().getParent().resolve("deploy").resolve(file);
    }

    @Test
    void demoSchemaAndGrantsCarryAWholePassAsTheLeastPrivilegedRole() throws Exception {
        String url = PgTestSupport.newDatabase("deploy");
        // roles are cluster-wide: give this run its own names so runs and servers never collide
        String sfx = "_t" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        String owner = "app_owner" + sfx;
        String app = "app" + sfx;
        String keeper = "partition_keeper" + sfx;
        String demo = initdbScript(deploy("app-db/initdb/01-demo-schema.sh"))
                .replaceAll("\\bapp_owner\\b", owner)
                .replaceAll("\\bapp\\b", app);
        String grants = Files.readString(deploy("app-db/initdb/partition-keeper-grants.psql"))
                .replaceAll("\\bapp_owner\\b", owner)
                // the role, not the bookkeeping schema of the same name
                .replaceAll("(?<!SCHEMA )\\bpartition_keeper\\b", keeper)
                .replace(":'pk_password'", "'demo-password'");
        PgTestSupport.exec(url, demo, grants);

        // the compose file's configuration, its MinIO location replaced (from the environment, as the rule says)
        Path store = Files.createTempDirectory("pk-deploy-archive");
        WorkerConfig cfg =
                WorkerConfig.load(deploy("partition-keeper.yaml"), Map.of("PK_ARCHIVE_LOCATION", store.toString()));
        TablePolicy policy = cfg.tables().get(0);
        assertEquals("public.transactions", policy.table().toString());
        assertEquals(RetentionAction.ARCHIVE_AND_DROP, policy.retentionAction());
        String keeperUrl = url.replaceAll("([?&])(user|password)=[^&]*&?", "$1").replaceAll("[?&]$", "");
        try (HikariDataSource ds = PgDataSources.create(keeperUrl, keeper, "demo-password", 3);
                Connection admin = DriverManager.getConnection(url)) {
            var acts = new PostgresPartitionActivitiesImpl(
                    ds, cfg.lockSettings(), cfg.archiveSchema(), cfg.bookkeepingSchema(), null);
            var archive = new ArchiveActivitiesImpl(
                    ds,
                    ArchiveStores.open(cfg.archive().location()),
                    ExportOptions.defaults(),
                    cfg.bookkeepingSchema(),
                    cfg.lockSettings(),
                    null);
            long now = System.currentTimeMillis();
            MaintenancePlan plan = acts.plan(policy, now);
            for (PlannedAction a : plan.actions()) {
                if (a instanceof PlannedAction.CreatePartition c) {
                    acts.createPartition(policy, c);
                } else if (a instanceof PlannedAction.DetachPartition d) {
                    acts.detachPartition(policy, d);
                } else if (a instanceof PlannedAction.ExportPartition e) {
                    archive.export(policy, e);
                } else if (a instanceof PlannedAction.VerifyArchive v) {
                    archive.verify(policy, v);
                } else {
                    throw new AssertionError("unexpected action for the demo: " + a.summary());
                }
            }
            assertEquals(
                    List.of("create", "create", "detach", "export", "verify"),
                    plan.actions().stream().map(a -> a.summary().split(" ")[0]).toList(),
                    plan.actions()::toString);
            LayoutReport layout = acts.verifyLayout(policy, now);
            assertEquals(3, layout.runwayPartitions(), layout.problems()::toString);
            assertEquals(2, layout.defaultRows(), "the two 2019 strays stay in the default partition");

            // the lock gate sees another role's open transaction (pg_read_all_stats)
            admin.setAutoCommit(false);
            int adminPid;
            try (Statement s = admin.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                adminPid = rs.getInt(1);
            }
            try (Connection c = ds.getConnection();
                    PreparedStatement ps =
                            c.prepareStatement("SELECT xact_start FROM pg_stat_activity WHERE pid = ?")) {
                ps.setInt(1, adminPid);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertNotNull(rs.getTimestamp(1), "xact_start of another role's session is visible");
                }
            }
            admin.rollback();
            admin.setAutoCommit(true);

            // the application still writes, through the parent, into a partition the keeper created
            try (Statement s = admin.createStatement()) {
                s.execute("SET ROLE " + app);
                s.execute("INSERT INTO public.transactions (account_id, amount, currency, status, created_at)"
                        + " VALUES (1, 1.00, 'USD', 'pending', date_trunc('month', now()) + interval '3 months')");
                s.execute("RESET ROLE");
            }

            // and the gauges read as the keeper
            try (Connection c = ds.getConnection()) {
                TableState state = new TableStateReader(cfg.bookkeepingSchema()).read(c, policy, Instant.now());
                assertTrue(state.readable(), state::error);
                assertEquals(3, state.runwayPartitions());
                assertEquals(2, state.defaultRows());
                assertEquals(0, state.detachedUnverified(), "the detached partition's archive is verified");
            }
        } finally {
            String db = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
            PgTestSupport.exec(PgTestSupport.adminUrl(), "DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
            for (String role : List.of(keeper, app, owner)) {
                PgTestSupport.exec(PgTestSupport.adminUrl(), "DROP ROLE IF EXISTS " + role);
            }
        }
    }

    /**
     * What an initdb shell script runs, in order, as one SQL text: each {@code "${PSQL[@]}"} line's {@code -c "SQL"}
     * and {@code -f "$here/FILE"} (the files next to it). So the test runs exactly what the postgres image runs.
     */
    static String initdbScript(Path script) throws Exception {
        StringBuilder sql = new StringBuilder();
        Matcher m = Pattern.compile("-(c|f) \"([^\"]+)\"").matcher("");
        for (String line : Files.readAllLines(script)) {
            if (!line.startsWith("\"${PSQL[@]}\"")) {
                continue;
            }
            m.reset(line);
            while (m.find()) {
                sql.append(
                                m.group(1).equals("c")
                                        ? m.group(2)
                                        : Files.readString(
                                                script.resolveSibling(m.group(2).replace("$here/", ""))))
                        .append(";\n");
            }
            sql.append("RESET ROLE;\n"); // each psql call is a session of its own: a SET ROLE ends with it
        }
        assertTrue(sql.length() > 0, "no psql calls in " + script);
        return sql.toString();
    }
}

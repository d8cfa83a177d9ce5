package dev.partitionkeeper.worker.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL itself is restarted mid-pass (a fast shutdown: every session is ended, in-flight transactions
 * roll back; then the same data directory is started again on the same port) while a detach is under way
 * and the writers insert. The steps fail with connection errors, retry with backoff, and the pass completes.
 *
 * <p>Always on a private embedded PostgreSQL (the zonky binaries, 17), even when {@code PG_TEST_URL} names a
 * shared server: a test must not restart a server others use.
 */
@Tag("chaos")
@Tag("postgres")
class PostgresRestartChaosTest {

    @Test
    void thePassSurvivesAPostgresRestartMidDetach(@TempDir Path dir) throws Exception {
        ChaosSettings settings = ChaosSettings.fromSystemProperties();
        Path data = dir.resolve("pgdata");
        EmbeddedPostgres[] pg = {start(data, 0)};
        int port = pg[0].getPort();
        try {
            try (Connection c = DriverManager.getConnection(pg[0].getJdbcUrl("postgres", "postgres"));
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE chaos");
            }
            String url = pg[0].getJdbcUrl("postgres", "chaos");
            try (ArchiveStore store = new FileSystemArchiveStore(dir.resolve("archive"))) {
                FaultScenario.Outcome out = FaultScenario.run(
                        "pg-restart",
                        url,
                        dir,
                        "archive:\n  location: " + dir.resolve("archive") + "\n",
                        store,
                        Map.of(),
                        FaultScenario.Trigger.MID_DETACH,
                        settings.postgresDown(),
                        new FaultScenario.Fault() {
                            @Override
                            public void begin() throws Exception {
                                pg[0].close(); // pg_ctl stop -m fast
                            }

                            @Override
                            public void end() throws Exception {
                                pg[0] = start(data, port);
                            }
                        });
                assertTrue(
                        out.probe().retried().stream()
                                .anyMatch(s -> s.contains("SQLException") || s.contains("timeout")),
                        () -> "no step failed on the restart: " + out);
            }
        } finally {
            pg[0].close();
        }
    }

    private static EmbeddedPostgres start(Path data, int port) throws Exception {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setServerConfig("max_connections", "100")
                .setServerConfig("fsync", "off")
                .setServerConfig("full_page_writes", "off");
        if (port != 0) {
            b.setPort(port);
        }
        return b.start();
    }
}

package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.worker.dev.TemporalDevServer;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dev --once} on the real Temporal server it starts with the CLI ({@code temporal server start-dev}):
 * the Web UI's address is printed and the pass is the same as on the test server. Skipped without the CLI,
 * unless {@value #REQUIRE_ENV} is set (as CI sets it): then a missing CLI fails.
 */
@Tag("temporal-server")
class DevRealServerTest {
    static final String REQUIRE_ENV = "PK_REQUIRE_TEMPORAL_CLI";

    @TempDir
    Path dir;

    @Test
    void devOnceStartsTheDevServerPrintsTheUiAndRunsTheWholeChain() throws Exception {
        Optional<Path> cli = TemporalDevServer.findCli(null, System.getenv());
        if (System.getenv(REQUIRE_ENV) == null) {
            Assumptions.assumeTrue(cli.isPresent(), () -> "no Temporal CLI: " + TemporalDevServer.INSTALL_HINT);
        }
        assertTrue(
                cli.isPresent(),
                () -> REQUIRE_ENV + " is set but there is no Temporal CLI: " + TemporalDevServer.INSTALL_HINT);
        Cli.Result r = Cli.run(
                "dev",
                "--once",
                "--temporal-cli",
                cli.get().toString(),
                "--rows-per-month",
                "200",
                "--dir",
                dir.toString());
        DevCommandTest.assertDevPass(r, dir);
        assertTrue(
                r.out()
                        .lines()
                        .anyMatch(l -> l.startsWith("Temporal dev server on 127.0.0.1:")
                                && l.contains("Web UI: http://127.0.0.1:")),
                () -> "the Web UI's address\n" + r);
        assertTrue(dir.resolve("temporal-server.log").toFile().exists(), "the server's log is in --dir");
    }
}

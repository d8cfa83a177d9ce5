package dev.partitionkeeper.worker.realserver;

import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.dev.TemporalDevServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Temporal server (the CLI's {@code server start-dev}) for a test class: register it as a static
 * field with {@code @RegisterExtension}. Without the CLI the class is skipped with a message that says how to
 * install it, unless {@value #REQUIRE_ENV} is set (as {@code .ci/run} sets it): then it fails, so CI never
 * passes on skipped real-server tests.
 */
public final class DevServerExtension implements ExecutionCondition, BeforeAllCallback, AfterAllCallback {
    /** Set (to anything) where the real-server tests must run: a missing CLI is then a failure. */
    public static final String REQUIRE_ENV = "PK_REQUIRE_TEMPORAL_CLI";
    /** JUnit tag of every test class that starts a real server. */
    public static final String TAG = "temporal-server";

    private final boolean persistent;
    private final boolean ui;
    private final boolean startAtOnce;
    private TemporalDevServer server;
    private Path dir;
    private Path cli;
    private String testClass;

    private DevServerExtension(boolean persistent, boolean ui, boolean startAtOnce) {
        this.persistent = persistent;
        this.ui = ui;
        this.startAtOnce = startAtOnce;
    }

    /** In-memory state, headless. */
    public static DevServerExtension headless() {
        return new DevServerExtension(false, false, true);
    }

    /** In-memory state, with the Web UI. */
    public static DevServerExtension withUi() {
        return new DevServerExtension(false, true, true);
    }

    /** State in a SQLite file, so {@link TemporalDevServer#kill()} then {@link TemporalDevServer#restart()} keeps it. */
    public static DevServerExtension persistent() {
        return new DevServerExtension(true, false, true);
    }

    /**
     * Headless, in a SQLite file, started only when the test calls {@link #start(int)}: for tests of what
     * happens before the server is up. Skipped without the CLI like the others; stopped after the class.
     */
    public static DevServerExtension startedByTest() {
        return new DevServerExtension(true, false, false);
    }

    static Optional<Path> cli() {
        return TemporalDevServer.findCli(null, System.getenv());
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (cli().isPresent() || System.getenv(REQUIRE_ENV) != null) {
            return ConditionEvaluationResult.enabled("Temporal CLI found");
        }
        return ConditionEvaluationResult.disabled(
                "no Temporal CLI: " + TemporalDevServer.INSTALL_HINT + " (or set " + TemporalDevServer.CLI_ENV + ")");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cli = cli().orElseThrow(() -> new IllegalStateException(
                REQUIRE_ENV + " is set but there is no Temporal" + " CLI: " + TemporalDevServer.INSTALL_HINT));
        testClass = context.getRequiredTestClass().getSimpleName();
        dir = Files.createTempDirectory("pk-temporal-" + testClass);
        if (startAtOnce) {
            start(0);
        }
    }

    /** Starts the server on {@code port} (0: a free one); once per class. */
    public TemporalDevServer start(int port) {
        if (server != null) {
            throw new IllegalStateException(
                    "the Temporal dev server of " + testClass + " is already started on " + server.target());
        }
        TemporalDevServer.Options.Builder o = TemporalDevServer.Options.newBuilder()
                .ui(ui)
                .port(port)
                .logFile(Path.of("target", "temporal-dev-server-" + testClass + ".log")
                        .toAbsolutePath());
        if (persistent) {
            o.dbFile(dir.resolve("temporal.db"));
        }
        server = TemporalDevServer.start(cli, o.build());
        return server;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }

    public TemporalDevServer server() {
        return server;
    }

    public TemporalConnection connection() {
        return server.connection();
    }

    /** host:port, for {@code --address} and {@code TEMPORAL_ADDRESS}. */
    public String target() {
        return server.target();
    }
}

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
  private TemporalDevServer server;
  private Path dir;

  private DevServerExtension(boolean persistent, boolean ui) {
    this.persistent = persistent;
    this.ui = ui;
  }

  /** In-memory state, headless. */
  public static DevServerExtension headless() {
    return new DevServerExtension(false, false);
  }

  /** In-memory state, with the Web UI. */
  public static DevServerExtension withUi() {
    return new DevServerExtension(false, true);
  }

  /** State in a SQLite file, so {@link TemporalDevServer#kill()} then {@link TemporalDevServer#restart()} keeps it. */
  public static DevServerExtension persistent() {
    return new DevServerExtension(true, false);
  }

  static Optional<Path> cli() {
    return TemporalDevServer.findCli(null, System.getenv());
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (cli().isPresent() || System.getenv(REQUIRE_ENV) != null) {
      return ConditionEvaluationResult.enabled("Temporal CLI found");
    }
    return ConditionEvaluationResult.disabled("no Temporal CLI: " + TemporalDevServer.INSTALL_HINT
        + " (or set " + TemporalDevServer.CLI_ENV + ")");
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path cli = cli().orElseThrow(() -> new IllegalStateException(REQUIRE_ENV + " is set but there is no Temporal"
        + " CLI: " + TemporalDevServer.INSTALL_HINT));
    dir = Files.createTempDirectory("pk-temporal-" + context.getRequiredTestClass().getSimpleName());
    TemporalDevServer.Options.Builder o = TemporalDevServer.Options.newBuilder().ui(ui)
        .logFile(Path.of("target", "temporal-dev-server-" + context.getRequiredTestClass().getSimpleName() + ".log")
            .toAbsolutePath());
    if (persistent) {
      o.dbFile(dir.resolve("temporal.db"));
    }
    server = TemporalDevServer.start(cli, o.build());
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

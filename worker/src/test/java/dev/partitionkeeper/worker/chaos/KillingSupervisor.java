package dev.partitionkeeper.worker.chaos;

import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Keeps one worker process running and SIGKILLs it on a seeded schedule: each kill comes at a random delay
 * (0 to 300 ms) after the worker is seen making progress (a new row in {@code action_log}: a step just
 * finished, the next is starting), or at the latest 0.1 to 1 s after it started (or the pass was planned),
 * and always while a step is running on it (the server lists an activity started), so every kill
 * interrupts a step. A warm pass takes under a second, so a planned kill may find no step left to
 * interrupt: {@link #killsThisPass()} is then empty and the test runs another pass. A killed worker is
 * restarted at once.
 */
final class KillingSupervisor implements AutoCloseable {
    private final Path config;
    private final String temporalTarget;
    private final Path logs;
    private final String url;
    private final Random rng;
    private final Map<String, String> env;
    private WorkerProcess worker;
    private WorkflowClient client;
    private int launches;
    private int killsLeft;
    private long killAt;
    private long progressMark = -1;
    private long startedAt;
    private final List<String> killsThisPass = new ArrayList<>();

    KillingSupervisor(Path config, String temporalTarget, Path logs, String url, Random rng) {
        this(config, temporalTarget, logs, url, rng, Map.of());
    }

    /** @param env extra environment of the worker processes (e.g. S3 credentials) */
    KillingSupervisor(Path config, String temporalTarget, Path logs, String url, Random rng, Map<String, String> env) {
        this.env = env;
        this.config = config;
        this.temporalTarget = temporalTarget;
        this.logs = logs;
        this.url = url;
        this.rng = rng;
    }

    /** The next pass gets {@code kills} SIGKILLs. */
    void plan(int kills, WorkflowClient client) {
        this.killsLeft = kills;
        this.client = client;
        killsThisPass.clear();
        if (worker != null) {
            try {
                progressMark = actions();
            } catch (SQLException e) {
                progressMark = -1;
            }
            startedAt = System.nanoTime();
            scheduleFallback();
        }
    }

    List<String> killsThisPass() {
        return List.copyOf(killsThisPass);
    }

    void tick() throws SQLException {
        if (worker == null || !worker.isAlive()) {
            worker = WorkerProcess.start(config, temporalTarget, logs.resolve("worker-" + (++launches) + ".log"), env);
            startedAt = System.nanoTime();
            progressMark = actions();
            scheduleFallback();
            return;
        }
        if (killsLeft == 0) {
            return;
        }
        long now = System.nanoTime();
        if (progressMark >= 0) {
            long a = actions();
            if (a > progressMark) {
                progressMark = -1; // seen: kill soon
                killAt = Math.min(killAt, now + rng.nextInt(300) * 1_000_000L);
            }
        }
        if (now >= killAt) {
            List<String> inFlight = PendingSteps.of(client);
            if (inFlight.stream().noneMatch(step -> step.endsWith("/started"))) {
                return; // between steps: wait for the next one to start, so the kill interrupts a step
            }
            worker.kill();
            killsLeft--;
            killsThisPass.add("pid " + worker.pid() + " after " + (now - startedAt) / 1_000_000 + " ms " + inFlight);
            worker = null;
        }
    }

    private void scheduleFallback() {
        killAt = System.nanoTime() + (100 + rng.nextInt(900)) * 1_000_000L;
    }

    private Connection connection;

    private long actions() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url);
        }
        try (var s = connection.createStatement()) {
            try (var rs = s.executeQuery("SELECT to_regclass('partition_keeper.action_log') IS NOT NULL")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (var rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM partition_keeper.action_log")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        if (worker != null) {
            worker.kill();
        }
        if (connection != null) {
            connection.close();
        }
    }
}

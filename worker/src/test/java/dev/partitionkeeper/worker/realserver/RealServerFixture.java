package dev.partitionkeeper.worker.realserver;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.controlplane.CliRun;
import dev.partitionkeeper.worker.dev.DemoData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A database with the demo {@code transactions} table, a configuration file for it (filesystem archive,
 * {@code archive_and_drop} without grace, so a pass runs the whole chain) and, on demand, an in-process worker
 * on the real server. The CLI runs in this JVM against {@code --address}.
 */
final class RealServerFixture implements AutoCloseable {
    final String url;
    final Path config;
    final Path archive;
    final String taskQueue;
    private final DevServerExtension temporal;
    private WorkerRuntime worker;

    RealServerFixture(DevServerExtension temporal, Path dir, String hint, String scheduleYaml) throws Exception {
        this.temporal = temporal;
        this.url = PgTestSupport.newDatabase(hint);
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 50);
        this.archive = Files.createDirectories(dir.resolve("archive"));
        this.taskQueue = hint + "-" + System.nanoTime();
        this.config = dir.resolve("partition-keeper.yaml");
        // the demo policy dev runs: the whole chain in one pass, into the archive directory
        Files.writeString(config, """
        postgres:
          url: '%s'
        temporal:
          task_queue: %s
        %s
        """.formatted(url, taskQueue, scheduleYaml) + DemoData.policyYaml(archive));
    }

    WorkerConfig loadConfig() {
        return WorkerConfig.load(config, Map.of());
    }

    /** Starts an in-process worker (the production wiring) polling the fixture's task queue. */
    void startWorker() {
        WorkerConfig cfg = loadConfig();
        worker = new WorkerRuntime(
                temporal.connection().client(), cfg, new PostgresSettings(url, null, null, 4), cfg::tables, null);
        worker.start();
    }

    /** The CLI with {@code -c} (unless the command takes none) and {@code --address} of the real server. */
    CliRun cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--address", temporal.target()));
        if (!args[0].equals("history")) {
            all.addAll(List.of("-c", config.toString()));
        }
        return CliRun.of(all.toArray(String[]::new));
    }

    /** Polls {@code condition} (visibility and Schedules are eventually consistent) until {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.close();
        }
    }
}

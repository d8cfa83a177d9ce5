package dev.partitionkeeper.worker.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One worker JVM ({@link ChaosWorkerMain}, or any main class): started with this JVM's java binary and class
 * path, its output in a log file, killed with SIGKILL ({@link Process#destroyForcibly()}): no shutdown hook, no drain, sockets cut.
 */
public final class WorkerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts a {@link ChaosWorkerMain} and waits until it polls its task queue. */
    public static WorkerProcess start(Path config, String temporalTarget, Path log, Map<String, String> env) {
        WorkerProcess w = spawn(ChaosWorkerMain.class.getName(), List.of(config.toString(), temporalTarget), log, env);
        w.awaitLog(ChaosWorkerMain.READY + " (pid " + w.pid() + ")", Duration.ofSeconds(90));
        return w;
    }

    /**
     * Starts {@code mainClass} (e.g. the production {@code worker} command) in a JVM of its own with this JVM's
     * class path and returns at once; {@link #awaitLog} waits for what it prints. {@code TEMPORAL_CONFIG_FILE}
     * points nowhere, so a developer's Temporal profile never redirects a test's worker.
     */
    public static WorkerProcess spawn(String mainClass, List<String> args, Path log, Map<String, String> env) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("TEMPORAL_CONFIG_FILE", "/nonexistent");
        pb.environment().putAll(env);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            return new WorkerProcess(pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the worker process: " + e.getMessage(), e);
        }
    }

    /** Waits until the log contains {@code marker}; the process must stay alive meanwhile. */
    public void awaitLog(String marker, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!Files.readString(log).contains(marker)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("worker process exited with " + process.exitValue()
                            + " before it printed \"" + marker + "\"; its log " + log + ":\n" + tail());
                }
                if (System.nanoTime() > deadline) {
                    kill();
                    throw new IllegalStateException("worker process did not print \"" + marker + "\" within " + timeout
                            + "; its log " + log + ":\n" + tail());
                }
                Thread.sleep(25);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and wait until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of the log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        kill();
    }
}

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
 * One {@link ChaosWorkerMain} JVM: started with this JVM's java binary and class path, its output in a log
 * file, killed with SIGKILL ({@link Process#destroyForcibly()}): no shutdown hook, no drain, sockets cut.
 */
final class WorkerProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private WorkerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts a worker and waits until it polls its task queue. */
  static WorkerProcess start(Path config, String temporalTarget, Path log, Map<String, String> env) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), ChaosWorkerMain.class.getName(), config.toString(),
        temporalTarget));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    pb.environment().put("TEMPORAL_CONFIG_FILE", "/nonexistent");
    try {
      Files.createDirectories(log.getParent());
      WorkerProcess w = new WorkerProcess(pb.start(), log);
      w.awaitReady(Duration.ofSeconds(90));
      return w;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the worker process: " + e.getMessage(), e);
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String marker = ChaosWorkerMain.READY + " (pid " + process.pid() + ")";
    try {
      while (!Files.readString(log).contains(marker)) {
        if (!process.isAlive()) {
          throw new IllegalStateException("worker process exited with " + process.exitValue() + " before it was"
              + " ready; its log " + log + ":\n" + tail());
        }
        if (System.nanoTime() > deadline) {
          kill();
          throw new IllegalStateException("worker process not ready within " + timeout + "; its log " + log + ":\n"
              + tail());
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

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, and wait until the process is gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last lines of the log, for failure messages. */
  String tail() {
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

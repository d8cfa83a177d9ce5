package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.worker.metrics.Observability;
import dev.partitionkeeper.worker.metrics.TemporalHealth;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the worker against a real Temporal and PostgreSQL until SIGTERM. */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Run the worker: connects to Temporal (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,"
        + " TEMPORAL_TLS_*, profile file) and PostgreSQL (postgres.url or PGHOST/PGPORT/PGDATABASE/PGUSER/"
        + "PGPASSWORD/PGSSLMODE and ~/.pgpass).")
final class WorkerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

  @Mixin
  ConfigOption config;

  @Override
  public Integer call() throws Exception {
    WorkerConfig cfg = config.load();
    PostgresSettings pg = ConfigOption.postgres(cfg);
    // every pass reads the file again, so policy changes need no restart
    Supplier<List<TablePolicy>> policy = () -> WorkerConfig.load(config.file, System.getenv()).tables();
    Observability obs = Observability.create(cfg);
    TemporalConnection temporal = TemporalConnection.fromEnvironment(obs.temporalScope());
    WorkerRuntime runtime = new WorkerRuntime(temporal.client(), cfg, pg, policy, obs.listener());
    obs.start(runtime.dataSource(), policy, runtime::isPolling, TemporalHealth.of(temporal.stubs()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping: draining running activities");
      runtime.close();
      obs.close();
      temporal.close();
      stopped.countDown();
    }, "partition-keeper-shutdown"));
    runtime.start();
    log.info("worker started on task queue {} ({}), {} table(s) under policy", cfg.taskQueue(), temporal,
        cfg.tables().size());
    stopped.await();
    return Main.OK;
  }
}

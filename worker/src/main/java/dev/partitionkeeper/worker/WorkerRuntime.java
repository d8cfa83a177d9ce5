package dev.partitionkeeper.worker;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.workflows.MaintenanceWorkflowImpl;
import dev.partitionkeeper.workflows.TableMaintenanceWorkflowImpl;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires one worker process: connection pool, activities, workflows, task queue. */
public final class WorkerRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);

  private final HikariDataSource dataSource;
  private final WorkerFactory factory;
  private final PostgresPartitionActivitiesImpl partitionActivities;

  public WorkerRuntime(WorkflowClient client, WorkerConfig config, PostgresSettings pg,
      Supplier<List<TablePolicy>> policy, PostgresPartitionActivitiesImpl.MaintenanceListener listener) {
    log.info("connecting to PostgreSQL {}", pg);
    this.dataSource = PgDataSources.create(pg.jdbcUrl(), pg.user(), pg.password(), pg.poolSize());
    this.partitionActivities = new PostgresPartitionActivitiesImpl(dataSource, config.lockSettings(),
        config.archiveSchema(), config.bookkeepingSchema(), listener);
    this.factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(config.taskQueue(), WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(Math.max(1, pg.poolSize() - 1))
        .build());
    worker.registerWorkflowImplementationTypes(MaintenanceWorkflowImpl.class, TableMaintenanceWorkflowImpl.class);
    worker.registerActivitiesImplementations(partitionActivities, new PolicyActivitiesImpl(policy));
  }

  public HikariDataSource dataSource() {
    return dataSource;
  }

  public PostgresPartitionActivitiesImpl partitionActivities() {
    return partitionActivities;
  }

  public void start() {
    factory.start();
  }

  /** Stops polling, lets running activities finish (up to {@code seconds}), closes the pool. */
  @Override
  public void close() {
    factory.shutdown();
    try {
      factory.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      log.warn("worker did not stop cleanly: {}", e.toString());
    }
    dataSource.close();
  }
}

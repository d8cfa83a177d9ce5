package dev.partitionkeeper.worker;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.archive.ArchiveActivitiesImpl;
import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.ParquetArchiveFormat;
import dev.partitionkeeper.activities.archive.RestoreActivitiesImpl;
import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.iceberg.IcebergArchiveFormat;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.ArchiveStores;
import dev.partitionkeeper.activities.archive.store.S3Settings;
import dev.partitionkeeper.activities.convert.ConvertActivitiesImpl;
import dev.partitionkeeper.activities.fleet.DatabaseArchiveStore;
import dev.partitionkeeper.activities.fleet.DatabasePools;
import dev.partitionkeeper.activities.fleet.RoutedArchiveActivities;
import dev.partitionkeeper.activities.fleet.RoutedPartitionActivities;
import dev.partitionkeeper.activities.fleet.SharedSlots;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.worker.config.ArchiveSettings;
import dev.partitionkeeper.worker.config.FleetSection;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.fleet.FleetResolver;
import dev.partitionkeeper.worker.metrics.MaintenanceMetrics;
import dev.partitionkeeper.worker.schedule.WorkerPoolSettings;
import dev.partitionkeeper.workflows.DatabasePassWorkflowImpl;
import dev.partitionkeeper.workflows.MaintenanceWorkflow;
import dev.partitionkeeper.workflows.MaintenanceWorkflowImpl;
import dev.partitionkeeper.workflows.RestoreWorkflowImpl;
import dev.partitionkeeper.workflows.TableMaintenanceWorkflowImpl;
import dev.partitionkeeper.workflows.activity.ArchiveActivities;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.convert.ConvertWorkflowImpl;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.WorkflowImplementationOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires one worker process: connection pool, activities, workflows, task queue. */
public final class WorkerRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);

    private final HikariDataSource dataSource;
    private final WorkerFactory factory;
    private final PostgresPartitionActivitiesImpl partitionActivities;
    private final ArchiveStore archiveStore;
    /** The archive format of archiveStore, null without one. */
    private ArchiveFormat archiveFormat;

    private final Duration shutdownGrace;
    /** The pools of a fleet's databases ({@code databases:}); null for a single database. */
    private final DatabasePools fleetPools;
    /** The policy each pass loads: a fleet's tables resolved, one per database and table. */
    private final Supplier<List<TablePolicy>> passPolicy;

    public WorkerRuntime(
            WorkflowClient client,
            WorkerConfig config,
            PostgresSettings pg,
            Supplier<List<TablePolicy>> policy,
            PostgresPartitionActivitiesImpl.MaintenanceListener listener) {
        this(client, config, pg, policy, listener, true);
    }

    /**
     * @param sticky keep workflow state cached on this worker between tasks (the SDK default). Off only where
     *     the server never times out a dead worker's sticky queue (the SDK's test server), so another worker
     *     on the task queue can take over at once.
     */
    public WorkerRuntime(
            WorkflowClient client,
            WorkerConfig config,
            PostgresSettings pg,
            Supplier<List<TablePolicy>> policy,
            PostgresPartitionActivitiesImpl.MaintenanceListener listener,
            boolean sticky) {
        this(client, config, pg, policy, listener, sticky, WorkflowImplementationOptions.getDefaultInstance());
    }

    /**
     * @param workflowOptions options of the registered workflows. The defaults in production; the chaos tests
     *     set per-activity-type options here to shorten the steps' timeouts (see {@code StepOptions}), so a
     *     killed worker's step is retried in seconds instead of after its production heartbeat timeout.
     */
    public WorkerRuntime(
            WorkflowClient client,
            WorkerConfig config,
            PostgresSettings pg,
            Supplier<List<TablePolicy>> policy,
            PostgresPartitionActivitiesImpl.MaintenanceListener listener,
            boolean sticky,
            WorkflowImplementationOptions workflowOptions) {
        log.info("connecting to PostgreSQL {}", pg);
        this.dataSource = PgDataSources.create(pg.jdbcUrl(), pg.user(), pg.password(), pg.poolSize());
        this.partitionActivities = new PostgresPartitionActivitiesImpl(
                dataSource, config.lockSettings(), config.archiveSchema(), config.bookkeepingSchema(), listener);
        this.factory = WorkerFactory.newInstance(client);
        WorkerPoolSettings pool = config.pool() == null ? WorkerPoolSettings.defaults() : config.pool();
        this.shutdownGrace = pool.shutdownGrace();
        WorkerOptions.Builder options =
                WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(pool.activitySlots(pg.poolSize()));
        if (!sticky) {
            options.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
        }
        Worker worker = factory.newWorker(config.taskQueue(), options.build());
        // the pass runs up to table_parallelism tables at once (recorded in each run's history)
        int databaseParallelism = config.fleet() == null
                ? FleetSection.DEFAULT_DATABASE_PARALLELISM
                : config.fleet().databaseParallelism();
        worker.registerWorkflowImplementationFactory(
                MaintenanceWorkflow.class,
                () -> new MaintenanceWorkflowImpl(pool.tableParallelism(), databaseParallelism),
                workflowOptions);
        worker.registerWorkflowImplementationTypes(
                workflowOptions,
                TableMaintenanceWorkflowImpl.class,
                DatabasePassWorkflowImpl.class,
                RestoreWorkflowImpl.class,
                ConvertWorkflowImpl.class);
        this.archiveStore = openStore(config.archive());
        ArchiveActivities archive = archiveActivities(config, pg, listener);
        Supplier<List<TablePolicy>> tables = policy;
        Function<String, PartitionActivities> fleetPartitions = null;
        Function<String, ArchiveActivities> fleetArchives = null;
        if (config.fleet() != null && config.fleet().isFleet()) {
            // the fleet's databases are listed again on every pass (patterns, list files); their pools open on use
            FleetResolver fleet = new FleetResolver(config, System.getenv());
            // the bounds are shared by every worker of the deployment: slots in the database of postgres.url
            this.fleetPools = new DatabasePools(
                    fleet::target, config.fleet().limits(), new SharedSlots(pg.jdbcUrl(), pg.user(), pg.password()));
            tables = () -> fleet.resolve(policy.get());
            fleetPartitions = db -> new PostgresPartitionActivitiesImpl(
                    fleetPools.dataSource(db),
                    config.lockSettings(),
                    config.archiveSchema(),
                    config.bookkeepingSchema(),
                    forDatabase(listener, db));
            fleetArchives = db -> fleetArchiveActivities(
                    config,
                    forDatabase(listener, db),
                    fleetPools.dataSource(db),
                    archiveStore == null ? null : new DatabaseArchiveStore(archiveStore, db));
        } else {
            this.fleetPools = null;
        }
        this.passPolicy = tables;
        worker.registerActivitiesImplementations(
                new RoutedPartitionActivities(
                        partitionActivities,
                        fleetPartitions,
                        db -> db == null ? dataSource : fleetPools.dataSource(db)),
                new PolicyActivitiesImpl(tables),
                new RoutedArchiveActivities(archive, fleetArchives),
                new RestoreActivitiesImpl(
                        dataSource,
                        location -> openStore(location, archiveSettings(config)),
                        config.lockSettings(),
                        archiveFormat instanceof IcebergArchiveFormat i ? i.restorer() : null),
                new ConvertActivitiesImpl(dataSource, config.lockSettings(), config.bookkeepingSchema()));
    }

    private static ArchiveSettings archiveSettings(WorkerConfig config) {
        return config.archive() == null ? ArchiveSettings.none() : config.archive();
    }

    /** The metrics of one fleet database's steps carry its name as a label. */
    private static PostgresPartitionActivitiesImpl.MaintenanceListener forDatabase(
            PostgresPartitionActivitiesImpl.MaintenanceListener listener, String db) {
        return listener instanceof MaintenanceMetrics m ? m.forDatabase(db) : listener;
    }

    /**
     * A fleet database's archive steps: the Parquet archive in the database's own folder of the location
     * ({@code archive.format: iceberg} is refused for a fleet when the configuration is read).
     */
    private static ArchiveActivities fleetArchiveActivities(
            WorkerConfig config,
            PostgresPartitionActivitiesImpl.MaintenanceListener listener,
            DataSource dataSource,
            ArchiveStore store) {
        if (store == null) {
            return new UnconfiguredArchiveActivities();
        }
        ExportOptions opts = exportOptions(config.archive());
        return new ArchiveActivitiesImpl(
                dataSource,
                store,
                new ParquetArchiveFormat(dataSource, store, opts),
                config.bookkeepingSchema(),
                config.lockSettings(),
                listener);
    }

    private static ExportOptions exportOptions(ArchiveSettings a) {
        ExportOptions.Builder opts =
                ExportOptions.newBuilder().maxFileBytes(a.maxFileBytes()).zstdLevel(a.zstdLevel());
        if (a.workDir() != null) {
            opts.workDir(a.workDir());
        }
        return opts.build();
    }

    private ArchiveActivities archiveActivities(
            WorkerConfig config, PostgresSettings pg, PostgresPartitionActivitiesImpl.MaintenanceListener listener) {
        if (archiveStore == null) {
            return new UnconfiguredArchiveActivities();
        }
        ArchiveSettings a = config.archive();
        ExportOptions.Builder opts =
                ExportOptions.newBuilder().maxFileBytes(a.maxFileBytes()).zstdLevel(a.zstdLevel());
        if (a.workDir() != null) {
            opts.workDir(a.workDir());
        }
        archiveFormat = ArchiveFormats.open(config, pg, dataSource, archiveStore, opts.build(), System.getenv());
        return new ArchiveActivitiesImpl(
                dataSource, archiveStore, archiveFormat, config.bookkeepingSchema(), config.lockSettings(), listener);
    }

    private static ArchiveStore openStore(ArchiveSettings a) {
        if (a == null || a.location() == null) {
            return null;
        }
        try {
            return openStore(a.location(), a);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open archive location " + a.location() + ": " + e.getMessage(), e);
        }
    }

    /** Opens any archive location with the configured S3 settings (restore reads archives anywhere). */
    public static ArchiveStore openStore(String location, ArchiveSettings a) throws IOException {
        S3Settings.Builder s3 =
                S3Settings.newBuilder().pathStyle(a.s3PathStyle()).partSizeBytes(a.s3PartSizeBytes());
        if (a.s3Endpoint() != null) {
            s3.endpoint(a.s3Endpoint());
        }
        if (a.s3Region() != null) {
            s3.region(a.s3Region());
        }
        return ArchiveStores.open(location, s3.build());
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** The policy as each pass loads it: for a fleet, the tables of every database (the databases listed again). */
    public Supplier<List<TablePolicy>> passPolicy() {
        return passPolicy;
    }

    /** The connections of one fleet database, within the fleet's bounds; null without a fleet. */
    public Function<String, DataSource> fleetDataSources() {
        return fleetPools == null ? null : fleetPools::dataSource;
    }

    /** The pools of the fleet's databases; null when the configuration has no {@code databases:}. */
    public DatabasePools fleetPools() {
        return fleetPools;
    }

    public PostgresPartitionActivitiesImpl partitionActivities() {
        return partitionActivities;
    }

    public void start() {
        factory.start();
    }

    /** Live: the worker is polling its task queue. */
    public boolean isPolling() {
        return factory.isStarted() && !factory.isShutdown();
    }

    /** Stops polling, lets running activities finish (up to {@code seconds}), closes the pool. */
    @Override
    public void close() {
        try {
            // stop polling; running steps get shutdown_grace to finish (heartbeating ones see the shutdown and
            // stop early), then are interrupted and retried by another worker on the task queue
            factory.shutdown();
            factory.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
            if (!factory.isTerminated()) {
                log.warn("steps still running after {} ms; interrupting them", shutdownGrace.toMillis());
                factory.shutdownNow();
                factory.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (RuntimeException e) {
            // e.g. Temporal unreachable while shutting down: the pool and the store must still close
            log.warn("worker did not stop cleanly: {}", e.toString());
        }
        dataSource.close();
        if (fleetPools != null) {
            fleetPools.close();
        }
        if (archiveFormat != null) {
            try {
                archiveFormat.close(); // the Iceberg catalog's own connections
            } catch (IOException e) {
                log.warn("closing archive format: {}", e.toString());
            }
        }
        if (archiveStore != null) {
            try {
                archiveStore.close();
            } catch (IOException e) {
                log.warn("closing archive store: {}", e.toString());
            }
        }
    }
}

package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.metrics.Observability;
import dev.partitionkeeper.worker.metrics.TemporalHealth;
import dev.partitionkeeper.worker.schedule.ScheduleApplier;
import dev.partitionkeeper.worker.schedule.ScheduleSettings;
import dev.partitionkeeper.worker.schedule.SearchAttributeSetup;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the worker against a real Temporal and PostgreSQL until SIGTERM. */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description = "Run the worker: connects to Temporal (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,"
                + " TEMPORAL_TLS_*, profile file) and PostgreSQL (postgres.url or PGHOST/PGPORT/PGDATABASE/PGUSER/"
                + "PGPASSWORD/PGSSLMODE and ~/.pgpass).")
final class WorkerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

    @Mixin
    ConfigOption config;

    @Option(
            names = "--apply-schedule",
            description = "At start, create or update the daily pass from the schedule:"
                    + " section (a Temporal Schedule, or a cron workflow with schedule.mode: cron); idempotent, so every worker"
                    + " of a pool may do it.")
    boolean applySchedule;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description = "schedule or cron: overrides schedule.mode and"
                    + " implies --apply-schedule (cron: for servers without the Schedules API).")
    String mode;

    @Override
    public Integer call() throws Exception {
        WorkerConfig cfg = config.load();
        PostgresSettings pg = ConfigOption.postgres(cfg);
        // every pass reads the file again, so policy changes need no restart
        Supplier<List<TablePolicy>> policy =
                () -> WorkerConfig.load(config.file, System.getenv()).tables();
        Observability obs = Observability.create(cfg);
        TemporalConnection temporal = TemporalConnection.fromEnvironment(obs.temporalScope());
        try {
            // started together with (or before) its server, the worker waits for it instead of exiting: the
            // schedule, the search attributes and the worker's own start all need the server
            temporal.awaitReachable(null);
        } catch (RuntimeException | InterruptedException e) {
            obs.close();
            temporal.close();
            throw e;
        }
        if (applySchedule || mode != null) {
            ScheduleSettings s = cfg.schedule() == null ? ScheduleSettings.defaults() : cfg.schedule();
            s = mode == null ? s : s.withMode(ScheduleSettings.Mode.parse(mode));
            try {
                ScheduleApplier.Applied a = new ScheduleApplier(temporal.client(), temporal.toString()).apply(cfg, s);
                log.info("{} {}: {} ({}); next passes {}", a.mode(), a.id(), a.outcome(), a.when(), a.nextRuns());
                a.notes().forEach(n -> log.info("{}", n));
            } catch (RuntimeException e) {
                // a worker asked to keep the pass scheduled must not run silently without it
                obs.close();
                temporal.close();
                throw e;
            }
        } else {
            // so the passes this worker's starters launch can carry them (apply does this itself)
            SearchAttributeSetup.ensure(
                    temporal.stubs(), temporal.client().getOptions().getNamespace());
        }
        WorkerRuntime runtime = new WorkerRuntime(temporal.client(), cfg, pg, policy, obs.listener());
        // a fleet's gauges read each database's tables through the fleet's pools
        obs.start(
                runtime.dataSource(),
                runtime.fleetDataSources(),
                runtime.passPolicy(),
                runtime::isPolling,
                TemporalHealth.of(temporal.stubs()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("stopping: draining running activities");
                            runtime.close();
                            obs.close();
                            temporal.close();
                            stopped.countDown();
                        },
                        "partition-keeper-shutdown"));
        runtime.start();
        log.info(
                "worker started on task queue {} ({}), {} table(s) under policy",
                cfg.taskQueue(),
                temporal,
                cfg.tables().size());
        stopped.await();
        return Main.OK;
    }
}

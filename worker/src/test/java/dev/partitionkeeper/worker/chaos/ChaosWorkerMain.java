package dev.partitionkeeper.worker.chaos;

import dev.partitionkeeper.worker.TemporalConnection;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import java.nio.file.Path;

/**
 * The worker process the chaos suite SIGKILLs: the production {@link WorkerRuntime} (pool, activities,
 * workflows) on the configuration file, against the test's Temporal server, with {@link FastSteps} and no
 * sticky queue (the SDK's test server never hands a dead worker's sticky workflow tasks back to the shared
 * queue; a real server does after a few seconds, so the real-server tests set {@value #STICKY_ENV}).
 *
 * <p>Arguments: the configuration file, the Temporal target ({@code host:port}). Prints {@link #READY} once
 * it polls. Exits when its standard input closes, so it never outlives the test JVM.
 */
public final class ChaosWorkerMain {
    public static final String READY = "chaos worker ready";
    /** Set to {@code true} in the worker's environment for sticky queues, as in production (real servers only). */
    public static final String STICKY_ENV = "PK_CHAOS_STICKY";

    private ChaosWorkerMain() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        WorkerConfig cfg = WorkerConfig.load(file, System.getenv());
        PostgresSettings pg = new PostgresSettings(cfg.postgresUrl(), null, null, cfg.poolSize());
        TemporalConnection temporal = TemporalConnection.to(args[1], "default");
        WorkerRuntime runtime = new WorkerRuntime(
                temporal.client(),
                cfg,
                pg,
                () -> WorkerConfig.load(file, System.getenv()).tables(),
                null,
                "true".equals(System.getenv(STICKY_ENV)),
                FastSteps.options());
        runtime.start();
        System.out.println(READY + " (pid " + ProcessHandle.current().pid() + ")");
        System.out.flush();
        while (System.in.read() >= 0) {
            // the test never writes; EOF means the test JVM is gone
        }
        Runtime.getRuntime().halt(0);
    }
}

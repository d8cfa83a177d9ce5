package dev.partitionkeeper.worker.fleet;

import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.StepOptions;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.activity.PolicyActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.common.RetryOptions;
import io.temporal.common.metadata.POJOActivityInterfaceMetadata;
import io.temporal.common.metadata.POJOActivityMethodMetadata;
import io.temporal.worker.WorkflowImplementationOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Databases of a fleet on the test server, and steps that give up in seconds instead of hours. */
final class FleetTestSupport {
    private FleetTestSupport() {}

    /**
     * {@code n} new databases, each with the partitioned table {@code public.events} (and {@code public.visits}),
     * in name order: the order a pass and a pattern visit them. That is not always the order they were created in
     * ({@code pk_fleet…_10_} sorts before {@code pk_fleet…_8_}).
     */
    static List<String> databases(String hint, int n, boolean twoTables) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String url = PgTestSupport.newDatabase(hint);
            PgTestSupport.exec(
                    url,
                    "CREATE TABLE public.events (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
            if (twoTables) {
                PgTestSupport.exec(
                        url,
                        "CREATE TABLE public.visits (id bigint NOT NULL, at timestamptz NOT NULL)"
                                + " PARTITION BY RANGE (at)");
            }
            names.add(url.substring(url.lastIndexOf('/') + 1, url.contains("?") ? url.indexOf('?') : url.length()));
        }
        names.sort(null);
        return names;
    }

    /** Stops a database taking connections and ends the ones it has, as a database going down does. */
    static void refuseConnections(String database) {
        PgTestSupport.exec(
                PgTestSupport.adminUrl(),
                "ALTER DATABASE \"" + database + "\" ALLOW_CONNECTIONS false",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
    }

    static void allowConnections(String database) {
        PgTestSupport.exec(PgTestSupport.adminUrl(), "ALTER DATABASE \"" + database + "\" ALLOW_CONNECTIONS true");
    }

    /**
     * The production retry policies with a few attempts a second apart: a database that refuses connections
     * fails its steps in seconds (the production policies retry DDL for 2 hours).
     */
    static WorkflowImplementationOptions quickSteps() {
        Map<String, ActivityOptions> byType = new HashMap<>();
        for (Class<?> api : new Class<?>[] {PartitionActivities.class, PolicyActivities.class}) {
            for (POJOActivityMethodMetadata m :
                    POJOActivityInterfaceMetadata.newInstance(api).getMethodsMetadata()) {
                RetryOptions production = m.getMethod().getName().equals("survey")
                                || m.getMethod().getName().equals("load")
                                || m.getMethod().getName().equals("plan")
                                || m.getMethod().getName().equals("verifyLayout")
                        ? StepOptions.read("").getRetryOptions()
                        : StepOptions.ddl("").getRetryOptions();
                byType.put(
                        m.getActivityTypeName(),
                        ActivityOptions.newBuilder()
                                .setStartToCloseTimeout(Duration.ofSeconds(30))
                                .setRetryOptions(RetryOptions.newBuilder(production)
                                        .setInitialInterval(Duration.ofMillis(200))
                                        .setMaximumInterval(Duration.ofMillis(500))
                                        .setMaximumAttempts(3)
                                        .build())
                                .build());
            }
        }
        return WorkflowImplementationOptions.newBuilder()
                .setActivityOptions(byType)
                .build();
    }

    /** The configuration of a fleet of the named databases, on the test server, with the given extra keys. */
    static String yaml(String postgresExtra, String databases, String tables) {
        return "postgres:\n  url: \"" + PgTestSupport.adminUrl() + "\"\n" + postgresExtra + "temporal:\n"
                + "  table_parallelism: 1\n" + "databases:\n" + databases + "tables:\n" + tables;
    }

    /** {@code yaml} parsed as {@code fleet.yaml}, on the task queue {@code queue}. */
    static WorkerConfig config(String yaml, String queue) {
        return WorkerConfig.parse("fleet.yaml", yaml, Map.of()).withTaskQueue(queue);
    }

    /**
     * A worker for the fleet on the test server: pools of 2, non-sticky, the {@link #quickSteps}, and
     * {@code listener} (null for none) told of every action.
     */
    static WorkerRuntime worker(
            WorkflowClient client, WorkerConfig cfg, PostgresPartitionActivitiesImpl.MaintenanceListener listener) {
        return new WorkerRuntime(
                client,
                cfg,
                new PostgresSettings(PgTestSupport.adminUrl(), null, null, 2),
                cfg::tables,
                listener,
                true,
                quickSteps());
    }

    /** The databases' names up to their counter: {@code pk_fleet1a2b_<pid>_}. */
    static String commonPrefix(List<String> names) {
        String p = names.get(0);
        for (String n : names) {
            while (!n.startsWith(p)) {
                p = p.substring(0, p.length() - 1);
            }
        }
        return p.replace("_", "\\_");
    }
}

package dev.partitionkeeper.worker.metrics;

import dev.partitionkeeper.worker.config.PostgresSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * Liveness (the worker is polling its task queue) and readiness (Temporal and PostgreSQL answer). Each
 * check runs on its own thread with a deadline: a database that hangs makes the check fail after
 * {@link #DEFAULT_TIMEOUT}, not the probe hang. A check still running from an earlier probe is waited for
 * again rather than started twice, so a dead server never piles up threads.
 */
public final class HealthChecks implements AutoCloseable {
    /** Long enough for a TLS handshake with a managed database, short enough for a probe. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public static final String WORKER_POLLING = "worker_polling";
    public static final String TEMPORAL = "temporal";
    public static final String POSTGRES = "postgres";

    /** One probe's answer. */
    public record Status(boolean live, boolean ready, Map<String, Check> checks) {
        public boolean healthy() {
            return live && ready;
        }

        /** {@code {"status":"UP","live":true,"ready":true,"checks":{"postgres":{"up":true},...}}} */
        public String toJson() {
            StringBuilder sb = new StringBuilder("{\"status\":\"")
                    .append(healthy() ? "UP" : "DOWN")
                    .append("\",\"live\":")
                    .append(live)
                    .append(",\"ready\":")
                    .append(ready)
                    .append(",\"checks\":{");
            boolean first = true;
            for (var e : checks.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append('"')
                        .append(e.getKey())
                        .append("\":{\"up\":")
                        .append(e.getValue().up());
                if (e.getValue().error() != null) {
                    sb.append(",\"error\":\"")
                            .append(jsonEscape(e.getValue().error()))
                            .append('"');
                }
                sb.append('}');
            }
            return sb.append("}}").toString();
        }
    }

    /** One check: up, or down with the reason. */
    public record Check(boolean up, String error) {}

    private final BooleanSupplier workerPolling;
    private final BooleanSupplier temporalReachable;
    private final DataSource dataSource;
    private final Duration timeout;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "partition-keeper-health");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Future<Boolean>> running = new LinkedHashMap<>();

    public HealthChecks(
            BooleanSupplier workerPolling, BooleanSupplier temporalReachable, DataSource dataSource, Duration timeout) {
        this.workerPolling = workerPolling == null ? () -> true : workerPolling;
        this.temporalReachable = temporalReachable == null ? () -> true : temporalReachable;
        this.dataSource = dataSource;
        this.timeout = timeout;
    }

    /** Live: the worker polls. */
    public Status live() {
        Map<String, Check> checks = new LinkedHashMap<>();
        checks.put(WORKER_POLLING, await(WORKER_POLLING, submit(WORKER_POLLING, workerPolling::getAsBoolean)));
        boolean live = checks.get(WORKER_POLLING).up();
        return new Status(live, false, checks);
    }

    /** Ready: Temporal and PostgreSQL answer. */
    public Status ready() {
        // both at once: a probe with two dead dependencies still answers within one timeout
        Future<Boolean> temporal = submit(TEMPORAL, temporalReachable::getAsBoolean);
        Future<Boolean> postgres = submit(POSTGRES, this::postgresAnswers);
        Map<String, Check> checks = new LinkedHashMap<>();
        checks.put(TEMPORAL, await(TEMPORAL, temporal));
        checks.put(POSTGRES, await(POSTGRES, postgres));
        boolean ready = checks.values().stream().allMatch(Check::up);
        return new Status(false, ready, checks);
    }

    /** Both, for {@code /health}. */
    public Status all() {
        Status l = live();
        Status r = ready();
        Map<String, Check> checks = new LinkedHashMap<>(l.checks());
        checks.putAll(r.checks());
        return new Status(l.live(), r.ready(), checks);
    }

    private boolean postgresAnswers() throws Exception {
        if (dataSource == null) {
            throw new IllegalStateException("no data source");
        }
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
            s.execute("SELECT 1");
            return true;
        }
    }

    /** Starts the check, or joins the one still running from an earlier probe. */
    private Future<Boolean> submit(String name, Callable<Boolean> check) {
        synchronized (running) {
            Future<Boolean> f = running.get(name);
            if (f == null || f.isDone()) {
                f = executor.submit(check);
                running.put(name, f);
            }
            return f;
        }
    }

    private Check await(String name, Future<Boolean> f) {
        try {
            boolean up = Boolean.TRUE.equals(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            return new Check(up, up ? null : name + " check returned false");
        } catch (TimeoutException e) {
            return new Check(false, "no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(false, "interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            // a driver message may quote the URL it was given: never show a password in a probe's answer
            return new Check(
                    false,
                    c.getClass().getSimpleName() + ": " + PostgresSettings.redactUrl(String.valueOf(c.getMessage())));
        }
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

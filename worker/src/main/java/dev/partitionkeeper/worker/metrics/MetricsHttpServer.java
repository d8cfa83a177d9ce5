package dev.partitionkeeper.worker.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} (Prometheus text format), {@code /health} (200 when live and ready, else 503, with a
 * JSON body naming each check), {@code /health/live} and {@code /health/ready} for orchestrators that
 * probe them separately. The JDK's HTTP server: nothing to configure, nothing else to ship.
 */
final class MetricsHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);
    /** The Prometheus text exposition format that every Prometheus version scrapes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    MetricsHttpServer(
            String address, int port, PrometheusMeterRegistry registry, DatabaseGauges gauges, HealthChecks health) {
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve metrics on " + address + ":" + port + " (" + e.getMessage()
                            + "); set metrics.port (PK_METRICS_PORT) to a free port or metrics.enabled: false",
                    e);
        }
        // two threads: a scrape waiting on the database never blocks a liveness probe
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "partition-keeper-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(
                "/metrics",
                ex -> handle(ex, () -> {
                    if (gauges != null) {
                        gauges.refreshIfStale();
                    }
                    return new Response(200, PROMETHEUS_TEXT, registry.scrape());
                }));
        server.createContext(
                "/health/live",
                ex -> handle(ex, () -> {
                    HealthChecks.Status s = health.live();
                    return health(s, s.live());
                }));
        server.createContext(
                "/health/ready",
                ex -> handle(ex, () -> {
                    HealthChecks.Status s = health.ready();
                    return health(s, s.ready());
                }));
        server.createContext(
                "/health",
                ex -> handle(ex, () -> {
                    if (!ex.getRequestURI().getPath().equals("/health")
                            && !ex.getRequestURI().getPath().equals("/health/")) {
                        return new Response(
                                404,
                                "text/plain; charset=utf-8",
                                "not found; try /health, /health/live or /health/ready\n");
                    }
                    HealthChecks.Status s = health.all();
                    return health(s, s.healthy());
                }));
        server.createContext(
                "/",
                ex -> handle(
                        ex,
                        () -> new Response(
                                404,
                                "text/plain; charset=utf-8",
                                "partition-keeper: see /metrics, /health, /health/live, /health/ready\n")));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private record Response(int status, String contentType, String body) {}

    private interface Handler {
        Response handle() throws Exception;
    }

    private static Response health(HealthChecks.Status s, boolean ok) {
        return new Response(ok ? 200 : 503, "application/json", s.toJson() + "\n");
    }

    private static void handle(HttpExchange ex, Handler h) throws IOException {
        try (ex) {
            Response r;
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                r = new Response(405, "text/plain; charset=utf-8", "use GET\n");
            } else {
                try {
                    r = h.handle();
                } catch (Exception e) {
                    log.warn("{} failed: {}", ex.getRequestURI(), e.toString());
                    r = new Response(
                            500,
                            "text/plain; charset=utf-8",
                            "internal error: " + e.getClass().getSimpleName() + "\n");
                }
            }
            byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", r.contentType());
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(r.status(), head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

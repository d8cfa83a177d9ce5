package dev.partitionkeeper.worker.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * Where the in-process commands ({@code dev}, {@code once}, {@code restore}, {@code convert --embedded}) send the
 * worker's log while they run: to a file, so the screen shows our tables and one-line errors, not the SDK's
 * activity-failure warnings with their 60-line stack traces. With {@code --verbose} nothing changes (the log goes
 * to standard error as configured). Closing puts the console appenders back.
 */
final class CliLogging implements AutoCloseable {
    /** The text appender's layout in logback.xml, with the date: a file outlives the day. */
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0} [%X{table} %X{partition} %X{step}]"
            + " [wf=%X{WorkflowId} act=%X{ActivityId}] %msg%n";

    private final Path file;
    private final boolean keepAlways;
    private final Logger root;
    private final List<Appender<ILoggingEvent>> detached = new ArrayList<>();
    private final FileAppender<ILoggingEvent> appender;
    private final AtomicInteger warnings = new AtomicInteger();
    private boolean kept;

    private CliLogging(Path file, boolean keepAlways) {
        this.file = file;
        this.keepAlways = keepAlways;
        if (file == null) {
            root = null;
            appender = null;
            return;
        }
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LoggerContext ctx = root.getLoggerContext();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.start();
        appender = new FileAppender<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
                    warnings.incrementAndGet();
                }
                super.append(e);
            }
        };
        appender.setContext(ctx);
        appender.setName("pk-cli-file");
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            // only the console ones: a test's capturing appender keeps seeing everything
            if (a instanceof ch.qos.logback.core.ConsoleAppender) {
                detached.add(a);
            }
        }
        detached.forEach(root::detachAppender);
        root.addAppender(appender);
    }

    /** Logs as configured (standard error): {@code --verbose}. */
    static CliLogging console() {
        return new CliLogging(null, false);
    }

    /**
     * Logs to {@code file} (appending) until closed, and keeps it: {@code dev} names it at the start.
     */
    static CliLogging toFile(Path file) {
        return new CliLogging(file, true);
    }

    /**
     * Logs to a new temporary file until closed; the file is kept (and {@link #keptFile} names it) when something
     * was logged at WARN or above, else deleted: a quiet run leaves nothing behind.
     */
    static CliLogging toTempFile(String command) {
        try {
            return new CliLogging(Files.createTempFile("partition-keeper-" + command + "-", ".log"), false);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create a log file in " + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
    }

    /** {@link #console} with {@code verbose}, else {@link #toTempFile}. */
    static CliLogging of(boolean verbose, String command) {
        return verbose ? console() : toTempFile(command);
    }

    /** The file the log goes to; empty with {@code --verbose}. */
    Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** After {@link #close}: the file, when it was kept. */
    Optional<Path> keptFile() {
        return kept ? Optional.of(file) : Optional.empty();
    }

    /** Events at WARN and above so far. */
    int warnings() {
        return warnings.get();
    }

    /** One line naming the kept file for the screen, e.g. after an error; empty when there is none. */
    Optional<String> footer() {
        return keptFile()
                .map(f -> "log with details (" + warnings.get() + " warning(s)): " + f
                        + " (or run again with --verbose)");
    }

    @Override
    public void close() {
        if (file == null || !appender.isStarted()) {
            return;
        }
        root.detachAppender(appender);
        detached.forEach(root::addAppender);
        appender.stop();
        kept = keepAlways || warnings.get() > 0;
        if (!kept) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                kept = true; // then it stays, and is named
            }
        }
    }
}

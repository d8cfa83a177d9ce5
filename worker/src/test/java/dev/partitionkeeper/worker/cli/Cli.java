package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Runs the CLI in this JVM with captured output: the command's writers, and what the console log appender printed
 * meanwhile (the SDK's warnings with their stack traces would).
 */
final class Cli {
    private Cli() {}

    /**
     * A worker file for the database {@code url}, archiving to the directory {@code archive}, with {@code tables}:
     * the entries of {@code tables:}, each starting {@code "  - table: "}.
     */
    static String config(String url, Path archive, String tables) {
        return "postgres:\n  url: '" + url + "'\narchive:\n  location: '" + archive + "'\ntables:\n" + tables;
    }

    /**
     * @param console what the log's console appender printed during the run, stack traces included: on a
     *     terminal it is on the screen too
     */
    record Result(int exitCode, String out, String err, String console) {
        /** Everything on the screen. */
        String all() {
            return out + err + console;
        }

        /** Users get a message, never a Java stack trace. */
        void assertNoStackTrace() {
            assertFalse(all().contains("Exception"), () -> "no exception class names expected:\n" + this);
            assertFalse(all().contains("\tat "), () -> "no stack trace expected:\n" + this);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err + "--- console ---\n"
                    + console;
        }
    }

    /**
     * As {@link #run}, on one command tree reused call after call (the fuzz tests run hundreds of commands;
     * building the tree is most of each one's time).
     */
    static final class Session {
        private final picocli.CommandLine cl = Main.commandLine();

        Result run(String... args) {
            return capture(cl, args);
        }
    }

    static Result run(String... args) {
        return capture(Main.commandLine(), args);
    }

    private static Result capture(picocli.CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Screen screen = new Screen();
        int code;
        try (screen;
                PrintWriter o = new PrintWriter(out, true);
                PrintWriter e = new PrintWriter(err, true)) {
            code = Main.run(cl, o, e, args);
        }
        return new Result(code, out.toString(), err.toString(), screen.text());
    }

    /**
     * A console appender on the root logger that writes to a buffer: what the real one prints on the screen while
     * it is attached (the in-process commands detach console appenders while they log to a file).
     */
    private static final class Screen extends ConsoleAppender<ILoggingEvent> implements AutoCloseable {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

        Screen() {
            setContext(root.getLoggerContext());
            setName("test-screen");
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(root.getLoggerContext());
            encoder.setPattern("%-5level %logger{0} %msg%n");
            encoder.start();
            setEncoder(encoder);
            start();
            setOutputStream(buffer);
            root.addAppender(this);
        }

        String text() {
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            root.detachAppender(this);
            stop();
        }
    }
}

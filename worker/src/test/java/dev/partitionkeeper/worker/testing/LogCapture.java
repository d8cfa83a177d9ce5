package dev.partitionkeeper.worker.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Everything logged while open, at DEBUG and above (HikariCP included: it prints its configuration,
 * JDBC URL and all, at DEBUG), as text and as logback's JSON lines ({@code LOG_FORMAT=json}).
 */
public final class LogCapture implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<Logger> chatty = List.of(
            (Logger) LoggerFactory.getLogger("com.zaxxer.hikari"),
            (Logger) LoggerFactory.getLogger("io.temporal"),
            (Logger) LoggerFactory.getLogger("org.postgresql"));
    private final Level rootLevel = root.getLevel();
    private final List<Level> chattyLevels =
            chatty.stream().map(Logger::getLevel).toList();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture() {
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
        root.setLevel(Level.DEBUG);
        chatty.forEach(l -> l.setLevel(Level.DEBUG));
    }

    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    /** Message, MDC and exceptions of every event, one per line. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (ILoggingEvent e : events()) {
            sb.append(e.getLevel())
                    .append(' ')
                    .append(e.getLoggerName())
                    .append(' ')
                    .append(e.getFormattedMessage())
                    .append(' ')
                    .append(e.getMDCPropertyMap())
                    .append('\n');
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                sb.append("  caused by ")
                        .append(t.getClassName())
                        .append(": ")
                        .append(t.getMessage())
                        .append('\n');
            }
        }
        return sb.toString();
    }

    /** Every event through the JSON encoder LOG_FORMAT=json uses, with the raw arguments too. */
    public String json() {
        JsonEncoder enc = new JsonEncoder();
        enc.setContext(root.getLoggerContext());
        enc.setWithArguments(true);
        enc.start();
        StringBuilder sb = new StringBuilder();
        for (ILoggingEvent e : events()) {
            sb.append(new String(enc.encode(e), StandardCharsets.UTF_8));
        }
        enc.stop();
        return sb.toString();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
        root.setLevel(rootLevel);
        for (int i = 0; i < chatty.size(); i++) {
            chatty.get(i).setLevel(chattyLevels.get(i));
        }
    }
}

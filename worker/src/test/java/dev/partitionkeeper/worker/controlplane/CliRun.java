package dev.partitionkeeper.worker.controlplane;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.partitionkeeper.worker.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in this JVM with captured output. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try (PrintWriter o = new PrintWriter(out, true);
                PrintWriter e = new PrintWriter(err, true)) {
            code = Main.run(o, e, args);
        }
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Users get a message, never a Java stack trace. */
    public void assertNoStackTrace() {
        assertFalse((out + err).contains("\tat "), () -> "no stack trace expected:\n" + this);
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
}

package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Runs the CLI in this JVM with captured output: the command's writers, and whatever reached the process's
 * standard output and error meanwhile (the console log appender writes there: the SDK's warnings with their
 * stack traces would).
 */
final class Cli {
  private Cli() {}

  /**
   * @param console what was written to {@code System.out}/{@code System.err} during the run: on a terminal it is
   *     on the screen too
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
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
    int code;
    System.setOut(capture);
    System.setErr(capture);
    try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
      code = Main.run(cl, o, e, args);
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    capture.flush();
    String seen = console.toString(StandardCharsets.UTF_8);
    // still visible in the test's own output
    stderr.print(seen);
    return new Result(code, out.toString(), err.toString(), seen);
  }
}

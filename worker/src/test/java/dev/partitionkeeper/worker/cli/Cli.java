package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in this JVM with captured output. */
final class Cli {
  private Cli() {}

  record Result(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }

    /** Users get a message, never a Java stack trace. */
    void assertNoStackTrace() {
      assertFalse(all().contains("Exception"), () -> "no exception class names expected:\n" + all());
      assertFalse(all().contains("\tat "), () -> "no stack trace expected:\n" + all());
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
  }

  /**
   * As {@link #run}, on one command tree reused call after call (the fuzz tests run hundreds of commands;
   * building the tree is most of each one's time).
   */
  static final class Session {
    private final picocli.CommandLine cl = Main.commandLine();

    Result run(String... args) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code;
      try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
        code = Main.run(cl, o, e, args);
      }
      return new Result(code, out.toString(), err.toString());
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
      code = Main.run(o, e, args);
    }
    return new Result(code, out.toString(), err.toString());
  }
}

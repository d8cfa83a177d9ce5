package dev.partitionkeeper.worker.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code partition-keeper}: a thin switch over the API. Exit codes: 0 ok, 1 a run failed,
 * 2 bad configuration or usage, 3 done but something needs attention.
 */
@Command(
        name = "partition-keeper",
        mixinStandardHelpOptions = true,
        version = "partition-keeper 0.1.0",
        resourceBundle = "dev.partitionkeeper.worker.cli.OptionTexts",
        description = "Keeps PostgreSQL range-partitioned tables healthy from a Temporal worker.",
        subcommands = {
            DevCommand.class,
            WorkerCommand.class,
            OnceCommand.class,
            RestoreCommand.class,
            ConvertCommand.class,
            PlanCommand.class,
            ValidateCommand.class,
            ScheduleCommand.class,
            MaintainCommand.class,
            StatusCommand.class,
            HistoryCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int ATTENTION = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return run(null, null, args);
    }

    /** As {@link #run(String...)}, printing to the given writers (null: standard out/err), for tests and embedding. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(commandLine(), out, err, args);
    }

    /** The command tree with its error handling; building it is most of a short command's time. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // No stack traces for the user: the message says what is wrong and how to fix it.
            cmd.getErr().println("error: " + CliErrors.message(ex));
            if (cmd.getCommand() instanceof LogOption.Holder h) {
                if (h.logOption().verbose) {
                    ex.printStackTrace(cmd.getErr());
                }
                // the stack traces are in the in-process worker's log file: one line names it
                h.logOption().footer().ifPresent(cmd.getErr()::println);
            }
            return CliErrors.exitCode(ex);
        });
        return cl;
    }

    /** Runs {@code args} on a tree from {@link #commandLine()}; picocli resets every option before parsing. */
    static int run(CommandLine cl, PrintWriter out, PrintWriter err, String... args) {
        if (out != null) {
            cl.setOut(out);
        }
        if (err != null) {
            cl.setErr(err);
        }
        return cl.execute(args);
    }
}

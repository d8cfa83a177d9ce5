package dev.partitionkeeper.worker.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --verbose} of the commands that run the worker in this process: without it the worker's log goes to a
 * file ({@link CliLogging}) and an error reads as one line, followed by one line naming that file.
 */
final class LogOption {
    @Option(
            names = "--verbose",
            description = "Print the worker's log, the SDK's warnings and their stack traces"
                    + " included, on standard error (default: to a log file, named when it has warnings).")
    boolean verbose;

    private CliLogging current;

    /** Starts logging for one run of {@code command}; close the result when the run ends. */
    CliLogging start(String command) {
        current = CliLogging.of(verbose, command);
        return current;
    }

    /** Starts logging to {@code file}, kept (dev names it once). */
    CliLogging startInFile(Path file) {
        current = verbose ? CliLogging.console() : CliLogging.toFile(file);
        return current;
    }

    /** This run logs as configured (the command does not run the worker here). */
    void none() {
        current = null;
    }

    /** The line naming the log file of the last run, when it was kept. */
    Optional<String> footer() {
        return current == null ? Optional.empty() : current.footer();
    }

    /** Commands with a {@link LogOption}: the error handler adds its footer after the error line. */
    interface Holder {
        LogOption logOption();
    }
}

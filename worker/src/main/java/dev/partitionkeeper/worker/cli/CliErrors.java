package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.config.ConfigException;
import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;

/** Turns exceptions into one readable line and an exit code. */
final class CliErrors {
    private CliErrors() {}

    static String message(Throwable ex) {
        Throwable t = ex;
        String last = ex.getMessage();
        while (t != null) {
            if (t instanceof ApplicationFailure af) {
                last = af.getOriginalMessage();
            } else if (t instanceof ConfigException) {
                return t.getMessage();
            }
            t = t.getCause();
        }
        if (ex instanceof WorkflowFailedException && last != null) {
            return last;
        }
        return last == null ? ex.toString() : last;
    }

    static int exitCode(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof ConfigException || t instanceof IllegalArgumentException) {
                return Main.BAD_INPUT;
            }
            // the policy names a table the database does not have, or one that is not range-partitioned
            if (t instanceof ApplicationFailure af && Failures.INVALID_POLICY.equals(af.getType())) {
                return Main.BAD_INPUT;
            }
        }
        return Main.FAILED;
    }
}

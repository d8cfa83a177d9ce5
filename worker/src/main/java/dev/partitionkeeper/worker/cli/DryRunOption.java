package dev.partitionkeeper.worker.cli;

import picocli.CommandLine.Option;

/** {@code --dry-run} of the commands that ask for a pass: plan and check, change nothing. */
final class DryRunOption {
    @Option(names = "--dry-run", description = "Plan and check only.")
    boolean enabled;
}

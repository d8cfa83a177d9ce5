package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by the commands that read the policy. */
final class ConfigOption {
    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            defaultValue = "${env:PK_CONFIG:-partition-keeper.yaml}",
            description = "Configuration and policy file (default: $PK_CONFIG or ./partition-keeper.yaml).")
    Path file;

    WorkerConfig load() {
        return WorkerConfig.load(file, System.getenv());
    }

    /** The connection settings, with or without a policy: for commands that work on a table named on the command line. */
    WorkerConfig loadWithoutPolicy() {
        return WorkerConfig.loadWithoutPolicy(file, System.getenv());
    }

    static PostgresSettings postgres(WorkerConfig cfg) {
        return PostgresSettings.resolve(
                cfg.postgresUrl(), cfg.postgresUser(), cfg.postgresPasswordFile(), cfg.poolSize(), System.getenv());
    }
}

package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.worker.config.WorkerConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Checks the configuration file without touching any database. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check the configuration and policy file (no database, no Temporal).")
final class ValidateCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config;
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    WorkerConfig cfg = config.load();
    AsciiTable t = new AsciiTable(List.of("table", "interval", "premake", "retention", "timezone", "default",
        "retention_action"), "No tables");
    for (TablePolicy p : cfg.tables()) {
      t.row(p.table(), p.interval().label(), p.premake(), p.retention() == null ? "forever" : p.retention(),
          p.timezone(), p.defaultPartition().name().toLowerCase(), p.retentionAction().label());
    }
    var out = spec.commandLine().getOut();
    out.println(cfg.source() + " is valid:");
    out.print(t.render());
    out.flush();
    return Main.OK;
  }
}

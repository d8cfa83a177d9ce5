package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --table TABLE} (repeatable), shared by the commands that work on some of the policy's tables. */
final class TableOption {
    // descriptionKey: maintain says what no --table means (OptionTexts)
    @Option(
            names = "--table",
            paramLabel = "TABLE",
            descriptionKey = "table",
            description = "Only this table (repeatable).")
    List<String> names = new ArrayList<>();

    /**
     * The policies named by {@code --table}, all of them without it.
     *
     * @throws IllegalArgumentException when {@code --table} names none of them, listing the ones there are; an
     *     empty policy without {@code --table} selects nothing (status --live needs no policy)
     */
    List<TablePolicy> select(WorkerConfig cfg) {
        List<TablePolicy> selected = new ArrayList<>();
        for (TablePolicy p : cfg.tables()) {
            if (names.isEmpty()
                    || names.stream().anyMatch(t -> TableName.parse(t, "public").equals(p.table()))) {
                selected.add(p);
            }
        }
        if (selected.isEmpty() && !(cfg.tables().isEmpty() && names.isEmpty())) {
            throw new IllegalArgumentException("no table in " + cfg.source() + " matches " + names + "; known tables: "
                    + cfg.tables().stream().map(p -> p.table().toString()).toList());
        }
        return selected;
    }
}

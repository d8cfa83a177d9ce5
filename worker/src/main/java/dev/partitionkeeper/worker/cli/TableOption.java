package dev.partitionkeeper.worker.cli;

import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.fleet.FleetResolver;
import dev.partitionkeeper.workflows.MaintenanceRequests;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePattern;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    @Option(
            names = "--database",
            paramLabel = "DATABASE",
            description = "Only this database of the fleet (databases: of the configuration; repeatable).")
    List<String> databases = new ArrayList<>();

    /** The tables a maintenance request names: {@code --table}s, each in every {@code --database} given. */
    List<String> requestNames(WorkerConfig cfg) {
        if (databases.isEmpty()) {
            return names;
        }
        requireFleet(cfg);
        List<String> out = new ArrayList<>();
        for (String db : databases) {
            if (names.isEmpty()) {
                out.add(db + "/" + MaintenanceRequests.ALL_OF_DATABASE);
            }
            for (String t : names) {
                out.add(db + "/" + t);
            }
        }
        return out;
    }

    private void requireFleet(WorkerConfig cfg) {
        if (!databases.isEmpty() && (cfg.fleet() == null || !cfg.fleet().isFleet())) {
            throw new IllegalArgumentException("--database " + databases + " needs a databases: list in " + cfg.source()
                    + "; without one the tables are those of the postgres: database");
        }
    }

    /**
     * The fleet's tables by database, as the pass resolves them, narrowed by {@code --database} and {@code
     * --table} (a pattern entry is kept when the name matches it).
     *
     * @throws IllegalArgumentException when a {@code --database} is none of the fleet's or nothing matches
     */
    Map<String, List<TablePolicy>> selectFleet(WorkerConfig cfg, FleetResolver fleet) {
        List<TablePolicy> all = fleet.resolve(cfg.tables());
        Map<String, List<TablePolicy>> out = new LinkedHashMap<>();
        List<TableName> wanted =
                names.stream().map(t -> TableName.parse(t, "public")).toList();
        Set<String> known = new LinkedHashSet<>();
        for (TablePolicy p : all) {
            known.add(p.database());
            boolean database = databases.isEmpty() || databases.contains(p.database());
            boolean table = wanted.isEmpty()
                    || wanted.stream()
                            .anyMatch(w -> TablePattern.isPattern(p.table())
                                    ? TablePattern.matches(p.table(), w)
                                    : w.equals(p.table()));
            if (database && table) {
                out.computeIfAbsent(p.database(), d -> new ArrayList<>()).add(p);
            }
        }
        for (String db : databases) {
            if (!known.contains(db)) {
                throw new IllegalArgumentException("database " + db + " is not in the fleet of " + cfg.source()
                        + " (or has no table under policy); its databases: " + String.join(", ", known));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no table of the fleet in " + cfg.source() + " matches " + names
                    + (databases.isEmpty() ? "" : " in " + databases));
        }
        return out;
    }

    /**
     * The policies named by {@code --table}, all of them without it.
     *
     * @throws IllegalArgumentException when {@code --table} names none of them, listing the ones there are; an
     *     empty policy without {@code --table} selects nothing (status --live needs no policy)
     */
    List<TablePolicy> select(WorkerConfig cfg) {
        requireFleet(cfg);
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

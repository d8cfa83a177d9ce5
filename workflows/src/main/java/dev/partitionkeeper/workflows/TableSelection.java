package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.failure.ApplicationFailure;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Which of the policy's tables a maintenance request names. */
final class TableSelection {
    private TableSelection() {}

    /**
     * The policies a request names: {@code schema.table} (in every database of a fleet), {@code
     * <database>/<schema.table>}, or {@code <database>/*} (all of a fleet database's tables); all without names.
     */
    static List<TablePolicy> select(List<TablePolicy> all, List<String> wanted) {
        if (wanted.isEmpty()) {
            return all;
        }
        Set<TablePolicy> out = new LinkedHashSet<>();
        for (String w : wanted) {
            String[] qualified = MaintenanceRequests.splitDatabase(w);
            String database = qualified[0];
            boolean wholeDatabase = database != null && MaintenanceRequests.ALL_OF_DATABASE.equals(qualified[1]);
            TableName name;
            try {
                name = wholeDatabase ? null : TableName.parse(qualified[1], "public");
            } catch (IllegalArgumentException e) {
                throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_POLICY);
            }
            List<TablePolicy> match = all.stream()
                    .filter(p -> database == null || database.equals(p.database()))
                    .filter(p -> name == null || p.table().equals(name))
                    .toList();
            if (match.isEmpty()) {
                throw ApplicationFailure.newNonRetryableFailure(
                        (wholeDatabase
                                        ? "database " + database + " has no table"
                                        : "table " + (database == null ? "" : database + "/") + name + " is not")
                                + " in the policy; known tables: "
                                + all.stream().map(TablePolicy::qualifiedName).collect(Collectors.joining(", ")),
                        Failures.INVALID_POLICY);
            }
            out.addAll(match);
        }
        return List.copyOf(out);
    }
}

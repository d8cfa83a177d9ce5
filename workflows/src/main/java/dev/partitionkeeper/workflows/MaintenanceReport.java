package dev.partitionkeeper.workflows;

import java.util.List;

/** The result of a pass over the policy's tables. */
public record MaintenanceReport(String reason, boolean dryRun, List<TableReport> tables) {

    public boolean failed() {
        return tables.stream().anyMatch(t -> TableReport.FAILED.equals(t.status()));
    }
}

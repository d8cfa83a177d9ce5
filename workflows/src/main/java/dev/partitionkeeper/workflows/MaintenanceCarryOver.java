package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.model.TableName;
import java.util.List;
import java.util.Map;

/**
 * What a {@link MaintenanceWorkflow} run hands to the run it continues as new: the requests it has not
 * served yet and the little state that must outlive a run. Clients start runs without one (null); a run
 * that keeps receiving requests continues as new with one once its history is long.
 *
 * @param queued signals not served yet, in arrival order (updates are always answered by the run that
 *     accepted them, so none is ever carried)
 * @param knownTables the policy's tables as last loaded, so the next run's {@code maintain} validator checks
 *     names at once; null when not loaded yet
 * @param releasedAt when the chain last released each table ({@code Workflow.currentTimeMillis()}), so the
 *     next run still leaves a table it just maintained to a waiting pass first (see {@code TablePass})
 * @param touchedTables every table maintained so far, for the {@code PartitionKeeperTables} search attribute
 * @param failures the last failure of each table in earlier runs of the chain (plan and actions left out);
 *     the run that completes the chain reports them and fails with them, as one long run would have
 * @param completedPasses passes completed by earlier runs of the chain (numbering and {@code status})
 * @param rejectedRequests signals not served by earlier runs of the chain ({@code status})
 * @param lastError the chain's most recent table or request failure, null when none ({@code status})
 * @param continueAsNewAfterEvents history length at which a run continues as new even if Temporal does not
 *     suggest it yet; 0 for {@link MaintenanceWorkflowImpl#CONTINUE_AS_NEW_AFTER_EVENTS} (tests set it low)
 */
public record MaintenanceCarryOver(
        List<MaintenanceRequest> queued,
        List<TableName> knownTables,
        Map<String, Long> releasedAt,
        List<String> touchedTables,
        List<TableReport> failures,
        int completedPasses,
        int rejectedRequests,
        String lastError,
        long continueAsNewAfterEvents) {

    public MaintenanceCarryOver {
        queued = queued == null ? List.of() : List.copyOf(queued);
        knownTables = knownTables == null ? null : List.copyOf(knownTables);
        releasedAt = releasedAt == null ? Map.of() : Map.copyOf(releasedAt);
        touchedTables = touchedTables == null ? List.of() : List.copyOf(touchedTables);
        failures = failures == null ? List.of() : List.copyOf(failures);
    }

    /** Nothing carried, only a history length to continue as new at (for tests: 0 is the default). */
    public static MaintenanceCarryOver continuingAfter(long events) {
        return new MaintenanceCarryOver(List.of(), null, Map.of(), List.of(), List.of(), 0, 0, null, events);
    }
}

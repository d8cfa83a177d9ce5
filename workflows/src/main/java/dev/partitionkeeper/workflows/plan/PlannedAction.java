package dev.partitionkeeper.workflows.plan;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** One step of a {@link MaintenancePlan}; each runs as one idempotent activity. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "action")
@JsonSubTypes({
    @JsonSubTypes.Type(value = PlannedAction.FinalizeDetach.class, name = "finalize_detach"),
    @JsonSubTypes.Type(value = PlannedAction.CreatePartition.class, name = "create"),
    @JsonSubTypes.Type(value = PlannedAction.CreateDefaultPartition.class, name = "create_default"),
    @JsonSubTypes.Type(value = PlannedAction.DetachPartition.class, name = "detach"),
    @JsonSubTypes.Type(value = PlannedAction.ExportPartition.class, name = "export"),
    @JsonSubTypes.Type(value = PlannedAction.VerifyArchive.class, name = "verify"),
    @JsonSubTypes.Type(value = PlannedAction.DropPartition.class, name = "drop"),
    @JsonSubTypes.Type(value = PlannedAction.ExpireArchive.class, name = "expire_archive"),
})
public sealed interface PlannedAction {

    /** Short text for the Temporal UI and the CLI. */
    String summary();

    /** The partition the action is about. */
    String partition();

    /** Finish a {@code DETACH ... CONCURRENTLY} that an interrupted run left pending. */
    record FinalizeDetach(String partition, String from, String to) implements PlannedAction {
        @Override
        public String summary() {
            return "finalize pending detach of " + partition;
        }
    }

    /**
     * Create partition {@code partition} for [{@code from}, {@code to}) and attach it. Bounds are
     * {@link KeyAxis} values; {@code fromText}/{@code toText} are their readable forms.
     */
    record CreatePartition(String partition, long from, long to, String fromText, String toText)
            implements PlannedAction {
        @Override
        public String summary() {
            return "create " + partition + " [" + fromText + ", " + toText + ")";
        }
    }

    /** Create the DEFAULT partition (policy {@code default_partition: create}). */
    record CreateDefaultPartition(String partition) implements PlannedAction {
        @Override
        public String summary() {
            return "create default partition " + partition;
        }
    }

    /** Detach {@code partition} (older than retention) and move it to the archive schema. */
    record DetachPartition(String partition, long from, long to, String fromText, String toText)
            implements PlannedAction {
        @Override
        public String summary() {
            return "detach " + partition + " [" + fromText + ", " + toText + ")";
        }
    }

    /** Export the detached partition to the archive store (Parquet + manifest). */
    record ExportPartition(String partition, String fromText, String toText) implements PlannedAction {
        @Override
        public String summary() {
            return "export " + partition + " [" + fromText + ", " + toText + ")";
        }
    }

    /** Read the archive back and match it to the detached table; sets the drop time when it matches. */
    record VerifyArchive(String partition) implements PlannedAction {
        @Override
        public String summary() {
            return "verify archive of " + partition;
        }
    }

    /** Drop the detached table: only for a verified archive past its grace period, checked again at run time. */
    record DropPartition(String partition) implements PlannedAction {
        @Override
        public String summary() {
            return "drop detached " + partition;
        }
    }

    /**
     * Delete a dropped partition's archive past {@code archive_retention} (compliance): its Iceberg rows and then
     * the snapshots that still hold its files, or its Parquet folder. Only for an archive that was verified and
     * whose detached table was dropped, checked again at run time.
     */
    record ExpireArchive(String partition, String fromText, String toText) implements PlannedAction {
        @Override
        public String summary() {
            return "expire archive of " + partition + " [" + fromText + ", " + toText + ")";
        }
    }
}

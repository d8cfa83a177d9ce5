package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.model.TablePolicy;
import java.util.List;

/**
 * Input of {@link DatabasePassWorkflow}.
 *
 * @param database the database every one of {@code tables} is in ({@link TablePolicy#database()})
 * @param tableParallelism tables of this database maintained at once (at least 1)
 */
public record DatabasePassRequest(
        String database, List<TablePolicy> tables, boolean dryRun, String reason, int tableParallelism) {}

package dev.partitionkeeper.workflows.convert;

import java.util.List;

/**
 * @param table the table name, now the partitioned table (convert) or the original again (rollback)
 * @param renamedTo where the other table went
 * @param replayed changes applied inside the swap transaction
 * @param attempts lock attempts it took
 * @param lockMillis how long the swap transaction held its locks
 * @param repointed sequences and views moved to the new table
 */
public record SwapResult(
        String table,
        String renamedTo,
        long replayed,
        int attempts,
        long lockMillis,
        List<String> repointed,
        boolean alreadyDone) {}

package dev.partitionkeeper.workflows.convert;

import dev.partitionkeeper.workflows.model.KeyType;
import java.util.List;

/**
 * What the database says about a table to convert, after every check passed.
 *
 * @param table the table as {@code schema.table}
 * @param twin the partitioned twin's name (in the same schema) while the conversion runs
 * @param oldName the name the original table gets at the swap
 * @param keyType the partition key's type
 * @param primaryKey the primary key's columns, in order (changes are copied and replayed by it)
 * @param estimatedRows from the planner's statistics
 * @param minKey the smallest key on the key's axis (see {@code KeyAxis}), null for an empty table
 * @param maxKey the largest key on the key's axis, null for an empty table
 * @param phase where an earlier run of this conversion got to ({@code none} when there is none)
 */
public record Inspection(
        String table,
        String twin,
        String oldName,
        KeyType keyType,
        List<String> primaryKey,
        long estimatedRows,
        Long minKey,
        Long maxKey,
        String phase) {

    public static final String NONE = "none";
    public static final String PREPARED = "prepared";
    public static final String COPIED = "copied";
    public static final String SWAPPED = "swapped";
    public static final String ROLLED_BACK = "rolled_back";
    public static final String FINISHED = "finished";
}

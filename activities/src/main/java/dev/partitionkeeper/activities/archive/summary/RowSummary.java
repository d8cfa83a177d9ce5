package dev.partitionkeeper.activities.archive.summary;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import java.util.List;

/**
 * What export, verify and restore each compute from a stream of rows, wherever the rows come from:
 * the count, the {@link ContentChecksum} and the partition key's min/max.
 */
public final class RowSummary {

    private final ContentChecksum checksum = new ContentChecksum();
    private final KeyRange keyRange;
    private final int keyIndex;

    /**
     * @param keyColumn the partition key column's name, or null when no min/max is wanted
     * @throws IllegalArgumentException when there is no such column
     */
    public RowSummary(List<ArchiveColumn> columns, String keyColumn) {
        int index = -1;
        if (keyColumn != null) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(keyColumn)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new IllegalArgumentException(
                        "partition key column \"" + keyColumn + "\" is not a column of the table;" + " it has: "
                                + columns.stream().map(ArchiveColumn::name).toList());
            }
        }
        this.keyIndex = index;
        this.keyRange = index < 0 ? null : new KeyRange(columns.get(index).kind());
    }

    public void add(Object[] row) {
        checksum.add(row);
        if (keyRange != null) {
            keyRange.accept(row[keyIndex]);
        }
    }

    public long rows() {
        return checksum.rows();
    }

    public String checksum() {
        return checksum.value();
    }

    public String keyMin() {
        return keyRange == null ? null : keyRange.minText();
    }

    public String keyMax() {
        return keyRange == null ? null : keyRange.maxText();
    }
}

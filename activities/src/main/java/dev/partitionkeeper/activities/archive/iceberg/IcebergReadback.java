package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.copy.TableScan;
import dev.partitionkeeper.activities.archive.summary.RowSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reads one archived partition back through Iceberg: the data files its snapshot added, which must still be
 * the table's only live files in the partition's key range, each read with Iceberg's Parquet reader in the
 * current table schema, with the columns' {@link PgTextColumns companions}.
 */
final class IcebergReadback {

    record Readback(RowSummary summary, long rowsInMetadata, List<String> mismatches, boolean complete) {}

    private IcebergReadback() {}

    static Readback read(Table table, ArchivedPartition p, TableScan.RowSink sink) {
        List<String> mismatches = new ArrayList<>();
        List<ArchiveColumn> columns = p.columns();
        RowSummary summary = new RowSummary(columns, p.keyColumn());
        List<DataFile> files = files(table, p);
        long metaRows = files.stream().mapToLong(DataFile::recordCount).sum();
        checkLive(table, p, files, mismatches);
        String[] pgText = PgTextColumns.find(table.schema(), columns);
        List<String> names =
                new ArrayList<>(columns.stream().map(ArchiveColumn::name).toList());
        for (String t : pgText) {
            if (t != null) {
                names.add(t);
            }
        }
        Schema projection = table.schema().select(names);
        Object[] row = new Object[columns.size()];
        boolean complete = true;
        for (DataFile f : files) {
            String path = f.location();
            try {
                IcebergFileReader.read(table.io(), path, projection, r -> {
                    IcebergValues.toRow(r, columns, pgText, row);
                    summary.add(row);
                    if (sink != null) {
                        try {
                            sink.accept(row);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                });
            } catch (IOException | RuntimeException e) {
                complete = false;
                mismatches.add("data file " + path + " cannot be read through Iceberg: " + e);
            }
        }
        return new Readback(summary, metaRows, mismatches, complete);
    }

    /**
     * The data files that archive the partition: those its snapshot added, or, once that snapshot was expired
     * (archive_retention), the files carried with it that are live in the current snapshot.
     */
    static List<DataFile> files(Table table, ArchivedPartition p) {
        List<DataFile> files = new ArrayList<>();
        Snapshot s = table.snapshot(p.snapshotId());
        if (s != null) {
            s.addedDataFiles(table.io()).forEach(files::add);
            return files;
        }
        Set<String> carried = new HashSet<>(p.files() == null ? List.of() : p.files());
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask t : tasks) {
                if (carried.remove(t.file().location())) {
                    files.add(t.file());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /**
     * The partition's files must be live in the current snapshot, and no other live file may hold rows of its key
     * range: otherwise a reader of the table sees rows missing or twice.
     */
    private static void checkLive(Table table, ArchivedPartition p, List<DataFile> ours, List<String> mismatches) {
        Set<String> mine = new HashSet<>();
        ours.forEach(f -> mine.add(f.location()));
        Set<String> live = new HashSet<>();
        Set<String> others = new HashSet<>();
        Expression range = keyRange(p);
        try (CloseableIterable<FileScanTask> tasks =
                table.newScan().filter(range).planFiles()) {
            for (FileScanTask t : tasks) {
                String loc = t.file().location();
                if (mine.contains(loc)) {
                    live.add(loc);
                } else {
                    others.add(loc);
                }
            }
        } catch (IOException e) {
            mismatches.add("cannot plan a scan of " + table.name() + ": " + e.getMessage());
            return;
        }
        for (String f : mine) {
            if (!live.contains(f)) {
                mismatches.add(
                        "data file " + f + " of snapshot " + p.snapshotId() + " is no longer live in " + table.name());
            }
        }
        if (range != Expressions.alwaysTrue() && !others.isEmpty()) {
            mismatches.add("other live data files of " + table.name() + " hold rows in this partition's key range"
                    + " (a reader would see them too): " + others);
        }
    }

    /** key between the partition's smallest and largest key, or everything when those are not known. */
    static Expression keyRange(ArchivedPartition p) {
        if (p.keyLow() == null || p.keyHigh() == null) {
            return Expressions.alwaysTrue();
        }
        return Expressions.and(
                Expressions.greaterThanOrEqual(p.keyColumn(), p.keyLow()),
                Expressions.lessThanOrEqual(p.keyColumn(), p.keyHigh()));
    }
}

package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code archive_retention} on an Iceberg archive: deletes one partition's data files from the table (one
 * commit, which also marks the partition expired) and then expires every snapshot but the current one,
 * so that the files are really deleted, not only hidden from new scans. The snapshots expired with it include
 * younger partitions' own snapshots: their summaries and files are carried into table properties first
 * ({@link ArchivedPartition#CARRIED}), so they are still found, verified and restored.
 *
 * <p>Each step looks before it acts: killed anywhere and run again, it carries what is not carried yet, skips the
 * delete once the partition is marked expired, and expires what is still there.
 */
final class IcebergExpiry {
    private static final Logger log = LoggerFactory.getLogger(IcebergExpiry.class);

    private IcebergExpiry() {}

    static ArchiveFormat.Expired expire(
            Table table, ArchivedPartition target, String partition, String where, IcebergArchiveFormat.Stages stages) {
        table.refresh();
        Map<String, String> carry = toCarry(table, partition);
        long rows = -1;
        boolean deleted = false;
        if (!ArchivedPartition.expired(table, partition)) {
            List<DataFile> files = target == null ? List.of() : IcebergReadback.files(table, target);
            Transaction tx = table.newTransaction();
            UpdateProperties props = tx.updateProperties();
            carry.forEach(props::set);
            props.set(
                    ArchivedPartition.EXPIRED + partition,
                    ArchivedPartition.expiredValue(
                            Instant.now().toString(),
                            files.stream().map(DataFile::location).toList()));
            props.remove(ArchivedPartition.CARRIED + partition);
            props.commit();
            if (target != null) {
                rows = target.rows();
                if (!files.isEmpty()) {
                    DeleteFiles delete = tx.newDelete();
                    files.forEach(f -> delete.deleteFile(f.location()));
                    delete.set(ArchivedPartition.PREFIX + "expired-partition", partition);
                    delete.commit();
                }
            }
            tx.commitTransaction();
            deleted = true;
            stages.reached("expire-deleted");
        } else if (!carry.isEmpty()) {
            UpdateProperties props = table.updateProperties();
            carry.forEach(props::set);
            props.commit();
        }
        table.refresh();
        AtomicInteger files = new AtomicInteger();
        Snapshot current = table.currentSnapshot();
        if (current != null && hasOlder(table, current)) {
            // each snapshot named: Iceberg then cleans up by reachability (a file no kept snapshot holds live is
            // deleted); by age it cleans incrementally and would keep the files the current snapshot deleted
            ExpireSnapshots expire = table.expireSnapshots().retainLast(1);
            for (Snapshot s : table.snapshots()) {
                if (s.snapshotId() != current.snapshotId()) {
                    expire.expireSnapshotId(s.snapshotId());
                }
            }
            expire.deleteWith(path -> {
                        table.io().deleteFile(path);
                        files.incrementAndGet();
                    })
                    .commit();
        }
        // a kill after expire snapshots committed but before its deletes ran leaves no snapshot to expire: the
        // partition's own data files, recorded when it was marked expired, are deleted here whatever happened
        for (String f : ArchivedPartition.expiredFiles(table, partition)) {
            if (table.io().newInputFile(f).exists()) {
                table.io().deleteFile(f);
                files.incrementAndGet();
            }
        }
        log.info("expired {} from {}: {} file(s) deleted", partition, table.name(), files.get());
        String detail = files.get() == 0 && !deleted
                ? where + " was already deleted"
                : "deleted " + where + " (" + (rows >= 0 ? rows + " rows, " : "") + files.get()
                        + " file(s) removed by expire snapshots)";
        return new ArchiveFormat.Expired(deleted ? Math.max(1, files.get()) : files.get(), rows, detail);
    }

    /** Whether any snapshot but the current one is still kept (expire snapshots has work). */
    private static boolean hasOlder(Table table, Snapshot current) {
        for (Snapshot s : table.snapshots()) {
            if (s.snapshotId() != current.snapshotId()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The carry properties of every other partition whose snapshot is still in the table's history and not
     * carried yet: expire snapshots is about to remove those snapshots.
     */
    private static Map<String, String> toCarry(Table table, String partition) {
        Map<String, String> out = new LinkedHashMap<>();
        if (table.currentSnapshot() == null) {
            return out;
        }
        Map<String, String> props = table.properties();
        for (Snapshot s : SnapshotUtil.currentAncestors(table)) {
            Map<String, String> m = s.summary();
            String p = m == null ? null : m.get(ArchivedPartition.PARTITION);
            if (p == null
                    || p.equals(partition)
                    || props.containsKey(ArchivedPartition.CARRIED + p)
                    || props.containsKey(ArchivedPartition.EXPIRED + p)
                    || out.containsKey(ArchivedPartition.CARRIED + p)) {
                continue;
            }
            List<String> files = new ArrayList<>();
            s.addedDataFiles(table.io()).forEach(f -> files.add(f.location()));
            out.put(ArchivedPartition.CARRIED + p, ArchivedPartition.carried(s, files));
        }
        return out;
    }
}

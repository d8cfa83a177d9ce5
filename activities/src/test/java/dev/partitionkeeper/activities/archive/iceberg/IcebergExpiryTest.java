package dev.partitionkeeper.activities.archive.iceberg;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * archive_retention on an Iceberg archive: the partition's rows deleted, its files gone after expire snapshots,
 * the younger partitions (whose snapshots were expired too) still verified, and kills between the delete and
 * the expire and inside the expire finished by the re-run.
 */
@Tag("postgres")
class IcebergExpiryTest {

    static final List<String> MONTHS = List.of("2024-01", "2024-02", "2024-03");

    @TempDir
    Path dir;

    static String partition(String month) {
        return "events_p" + month.replace('-', '_');
    }

    static TableName source(String month) {
        return new TableName("archive", partition(month));
    }

    static String next(String month) {
        return YearMonth.parse(month).plusMonths(1).toString();
    }

    private static long parquetFiles(Path warehouse, String partition) throws Exception {
        try (Stream<Path> files = Files.walk(warehouse)) {
            return files.filter(p -> p.toString().endsWith(".parquet"))
                    .filter(p -> p.toString().contains("/data/" + partition + "/"))
                    .count();
        }
    }

    @Test
    void anExpiryKilledBetweenTheDeleteAndTheExpireIsFinishedByTheRerunAndTouchesNothingYounger() throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_expiry");
        exec(url, "CREATE SCHEMA archive");
        for (int i = 0; i < MONTHS.size(); i++) {
            String m = MONTHS.get(i);
            exec(
                    url,
                    "CREATE TABLE " + source(m).quoted() + " (id integer NOT NULL, tstz timestamptz NOT NULL)",
                    "INSERT INTO " + source(m).quoted() + " SELECT g, '" + m + "-01 00:00:00+00'::timestamptz + g *"
                            + " interval '1 hour' FROM generate_series(1, " + (10 + i) + ") g");
        }
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        Path warehouse = dir.resolve("wh");
        IcebergSettings s = IcebergFixture.settings(url, warehouse);
        try (IcebergArchiveFormat format = new IcebergArchiveFormat(ds, s, smallFiles(work))) {
            for (String m : MONTHS) {
                format.export(
                        IcebergFixture.policy(IcebergFixture.PARENT),
                        new ExportRequest(
                                source(m),
                                IcebergFixture.PARENT,
                                partition(m),
                                "'" + m + "-01 00:00:00+00'",
                                "'" + next(m) + "-01 00:00:00+00'",
                                "tstz"),
                        ProgressListener.NONE);
            }
        }
        String january = partition("2024-01");
        assertEquals(1, parquetFiles(warehouse, january));

        try (IcebergArchiveFormat killed = new IcebergArchiveFormat(ds, s, smallFiles(work), at -> {
            if (at.equals("expire-deleted")) {
                throw new IllegalStateException("killed at " + at);
            }
        })) {
            assertThrows(IllegalStateException.class, () -> killed.expire(IcebergFixture.PARENT, january));
        }
        try (IcebergArchiveFormat rerun = new IcebergArchiveFormat(ds, s, smallFiles(work))) {
            Table table = rerun.catalog().loadTable(IcebergTables.id(s, IcebergFixture.PARENT));
            assertFalse(rerun.isComplete(IcebergFixture.PARENT, january), "marked expired by the delete commit");
            assertEquals(1, parquetFiles(warehouse, january), "still on disk: its snapshots are not expired yet");
            // and killed again inside expire snapshots: its metadata committed, none of its deletes run
            ExpireSnapshots half = table.expireSnapshots().cleanExpiredFiles(false);
            for (Snapshot old : IcebergFixture.snapshots(table)) {
                if (old.snapshotId() != table.currentSnapshot().snapshotId()) {
                    half.expireSnapshotId(old.snapshotId());
                }
            }
            half.commit();
            table.refresh();
            assertEquals(1, IcebergFixture.snapshots(table).size());
            assertEquals(1, parquetFiles(warehouse, january), "an orphan now: no snapshot is left to expire");

            ArchiveFormat.Expired e = rerun.expire(IcebergFixture.PARENT, january);
            assertTrue(e.files() > 0, e::detail);
            assertEquals(0, parquetFiles(warehouse, january), "deleted by the re-run, from the files it recorded");
            table.refresh();
            assertEquals(1, IcebergFixture.snapshots(table).size());
            assertEquals(11 + 12, IcebergFixture.countThroughGenerics(table), "a scan reads February and March only");

            // the younger partitions' snapshots went with January's: carried, they still verify against the source
            for (String m : List.of("2024-02", "2024-03")) {
                VerifyResult v = rerun.verify(IcebergFixture.policy(IcebergFixture.PARENT), partition(m), source(m));
                assertTrue(v.ok(), m + ": " + v.mismatches());
            }

            assertEquals(0, rerun.expire(IcebergFixture.PARENT, january).files(), "a second expiry has nothing to do");

            // expiring February too, after the carry: March still verifies, February is gone
            rerun.expire(IcebergFixture.PARENT, partition("2024-02"));
            assertEquals(0, parquetFiles(warehouse, partition("2024-02")));
            VerifyResult march =
                    rerun.verify(IcebergFixture.policy(IcebergFixture.PARENT), partition("2024-03"), source("2024-03"));
            assertTrue(march.ok(), march::summary);
            VerifyResult february =
                    rerun.verify(IcebergFixture.policy(IcebergFixture.PARENT), partition("2024-02"), source("2024-02"));
            assertFalse(february.ok(), "an expired partition is no longer in the archive");
        }
    }
}

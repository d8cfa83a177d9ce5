package dev.partitionkeeper.worker;

import static dev.partitionkeeper.worker.ArchiveEndToEndTest.OLD;
import static dev.partitionkeeper.worker.ArchiveEndToEndTest.assertArchivedVerifiedAndDropped;
import static dev.partitionkeeper.worker.ArchiveEndToEndTest.restore;
import static dev.partitionkeeper.worker.ArchiveEndToEndTest.restoreConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.config.ArchiveFormatSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.testing.EmbeddedTemporalExtension;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.TableReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** archive.format iceberg through Temporal: detach, export into Iceberg, verify through Iceberg, drop. */
@Tag("postgres")
class IcebergEndToEndTest {
    @RegisterExtension
    static final EmbeddedTemporalExtension temporal = new EmbeddedTemporalExtension();

    private static WorkerConfig config(Path warehouse) {
        return ArchiveEndToEndTest.config(warehouse, ArchiveFormatSettings.ICEBERG, "archive_and_drop", "0d");
    }

    @Test
    void aPassArchivesIntoIcebergVerifiesThroughItAndDrops(@TempDir Path dir) throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_e2e");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 40);
        long oldRows = PgTestSupport.queryLong(url, "SELECT count(*) FROM public." + OLD);

        TableReport t = assertArchivedVerifiedAndDropped(url, temporal.pass(url, config(dir)), oldRows);
        // the pass report names the Iceberg table and the snapshot
        String exportDetail = t.actions().get(3).detail();
        assertTrue(
                exportDetail.startsWith(
                        "archive iceberg:partition_keeper.public.transactions partition " + OLD + " snapshot "),
                exportDetail);
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = files.toList();
            assertTrue(all.stream().anyMatch(p -> p.toString().endsWith(".metadata.json")), all.toString());
            assertEquals(
                    1,
                    all.stream().filter(p -> p.toString().endsWith(".parquet")).count(),
                    all.toString());
            assertTrue(all.stream().noneMatch(p -> p.toString().endsWith("manifest.json")), "no Parquet manifest");
        }
        assertEquals(
                1,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM partition_keeper.partition_lifecycle WHERE partition_name = '" + OLD
                                + "' AND archive_location LIKE 'iceberg:partition_keeper.public.transactions partition "
                                + OLD + " snapshot %'"),
                "the bookkeeping names the Iceberg table and the snapshot");
        // the JDBC catalog's tables are in the bookkeeping schema and name the table
        assertEquals(
                1,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM partition_keeper.iceberg_tables"
                                + " WHERE table_namespace = 'public' AND table_name = 'transactions'"));

        MaintenanceReport again = temporal.pass(url, config(dir));
        assertEquals(0, again.tables().get(0).actions().size(), () -> again.toString());

        // restore from Iceberg by name, attached back, then by bounds into another name
        Path cfg = restoreConfig(dir, url, "\narchive:\n  location: " + dir + "\n  format: iceberg");
        restore(cfg, "iceberg:public.transactions/" + OLD, "--attach");
        assertEquals(oldRows, PgTestSupport.queryLong(url, "SELECT count(*) FROM public." + OLD));
        assertEquals(
                1,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM pg_inherits WHERE inhrelid = 'public." + OLD
                                + "'::regclass AND inhparent = 'public.transactions'::regclass"));
        String from = PgTestSupport.queryString(
                url,
                "SELECT range_from FROM partition_keeper.partition_lifecycle WHERE partition_name = '" + OLD + "'");
        String to = PgTestSupport.queryString(
                url, "SELECT range_to FROM partition_keeper.partition_lifecycle WHERE partition_name = '" + OLD + "'");
        restore(cfg, "iceberg:public.transactions@" + from + ".." + to, "--into", "public.restored_copy");
        assertEquals(oldRows, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.restored_copy"));
        // and by the id of the snapshot that archived it, as status and the bookkeeping show it
        String snapshot = PgTestSupport.queryString(
                url,
                "SELECT substring(archive_location from ' snapshot ([0-9]+)') FROM partition_keeper.partition_lifecycle"
                        + " WHERE partition_name = '" + OLD + "'");
        restore(cfg, "iceberg:public.transactions#" + snapshot, "--into", "public.snapshot_copy");
        assertEquals(oldRows, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.snapshot_copy"));

        // status shows each archived partition's Iceberg table and snapshot
        var status = new StringWriter();
        var err = new StringWriter();
        int statusCode = Main.run(new PrintWriter(status), new PrintWriter(err), "status", "-c", cfg.toString());
        assertTrue(
                statusCode == 0 || statusCode == 3, "status exits 0, or 3 when a table needs attention: " + statusCode);
        assertTrue(
                status.toString()
                        .contains("iceberg:partition_keeper.public.transactions partition " + OLD + " snapshot"),
                status::toString);

        int missing = Main.run(
                new PrintWriter(new StringWriter()),
                new PrintWriter(err),
                "restore",
                "iceberg:public.transactions/no_such_partition",
                "-c",
                cfg.toString());
        assertTrue(missing != 0, "a partition never archived is refused");
        assertTrue(err.toString().contains("archives partition no_such_partition"), err::toString);
    }
}

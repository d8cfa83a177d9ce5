package dev.partitionkeeper.activities.archive.iceberg;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.rowsDiffering;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.AllTypesTable;
import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

/**
 * What the Iceberg tests share: the all-types table ({@link AllTypesTable.Format#ICEBERG}) under its partitioned parent
 * {@code public.events}, its January partition exported, verified and restored, and the catalog settings.
 */
final class IcebergFixture {

    static final TableName PARENT = new TableName("public", "events");
    static final TableName SOURCE = AllTypesTable.SOURCE;
    static final TableName RESTORED = new TableName("restored", "events_p2024_01");
    static final String PARTITION = "events_p2024_01";

    private IcebergFixture() {}

    static TablePolicy policy(TableName t) {
        return new TablePolicy(
                t,
                PartitionInterval.MONTHLY,
                4,
                null,
                "UTC",
                DefaultPartitionMode.NONE,
                RetentionAction.DETACH_ONLY,
                TablePolicy.DEFAULT_DROP_GRACE_DAYS);
    }

    static IcebergSettings settings(String url, Path warehouse) {
        return settingsIn(url, warehouse.toString());
    }

    /** The JDBC catalog in the test database's partition_keeper schema, the warehouse anywhere. */
    static IcebergSettings settingsIn(String url, String warehouse) {
        exec(url, "CREATE SCHEMA IF NOT EXISTS partition_keeper");
        return IcebergSettings.jdbcInSchema(url, null, null, "partition_keeper", warehouse);
    }

    static ExportRequest request(TableName source, String partition, String from, String to) {
        return new ExportRequest(source, PARENT, partition, from, to, "tstz");
    }

    static final ExportRequest JANUARY =
            request(SOURCE, PARTITION, "'2024-01-01 00:00:00+00'", "'2024-02-01 00:00:00+00'");

    /** A new database holding the all-types table and its parent {@code public.events}; its URL. */
    static String allTypesDatabase(String hint) {
        String url = PgTestSupport.newDatabase(hint);
        createAllTypesTable(url);
        return url;
    }

    static void createAllTypesTable(String url) {
        AllTypesTable.create(url, AllTypesTable.Format.ICEBERG);
        exec(
                url,
                "CREATE TABLE public.events (LIKE archive.events_p2024_01 INCLUDING DEFAULTS INCLUDING GENERATED)"
                        + " PARTITION BY RANGE (tstz)");
    }

    /** The format over {@code url}'s database with the JDBC catalog in it, the warehouse and work folder in dir. */
    static IcebergArchiveFormat localFormat(String url, Path dir) throws IOException {
        Path work = Files.createDirectories(dir.resolve("work"));
        return new IcebergArchiveFormat(dataSource(url), settings(url, dir.resolve("wh")), smallFiles(work));
    }

    static ExportResult exportJanuary(ArchiveFormat format) throws IOException, SQLException {
        return format.export(policy(PARENT), JANUARY, ProgressListener.NONE);
    }

    static VerifyResult verifyJanuary(ArchiveFormat format) throws IOException, SQLException {
        return format.verify(policy(PARENT), PARTITION, SOURCE);
    }

    /** Restores January into {@code restored.events_p2024_01} and checks that it holds the source's rows. */
    static RestoreResult assertJanuaryRestores(String url, IcebergArchiveFormat format)
            throws IOException, SQLException {
        exec(url, "CREATE SCHEMA restored");
        RestoreResult restored = format.restorer().restore(PARENT, PARTITION, RESTORED, false);
        assertTrue(restored.ok(), restored.mismatches().toString());
        assertEquals(0, rowsDiffering(url, SOURCE, RESTORED));
        return restored;
    }

    static List<Snapshot> snapshots(Table table) {
        List<Snapshot> out = new ArrayList<>();
        table.snapshots().forEach(out::add);
        return out;
    }

    /** Rows of the whole table as Iceberg plans its scan: every live data file, read by field id. */
    static long countThroughGenerics(Table table) throws Exception {
        long n = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask t : tasks) {
                n += IcebergFileReader.read(table.io(), t.file().location(), table.schema(), r -> {});
            }
        }
        return n;
    }
}

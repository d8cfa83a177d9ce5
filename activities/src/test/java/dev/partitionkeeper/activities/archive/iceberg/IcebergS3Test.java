package dev.partitionkeeper.activities.archive.iceberg;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.rowsDiffering;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static dev.partitionkeeper.activities.testing.PgTestSupport.queryLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.archive.store.S3ArchiveStore;
import dev.partitionkeeper.activities.archive.store.S3ProxyFixture;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Iceberg warehouse on S3 (S3Proxy): metadata and data through the archive's S3 store and its settings. */
@Tag("postgres")
class IcebergS3Test {

    @TempDir
    Path dir;

    @Test
    void exportVerifyAndRestoreWithTheWarehouseOnS3AndACorruptedObjectFailsVerify() throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_s3");
        IcebergArchiveTest.createAllTypesTable(url);
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        try (S3ProxyFixture s3 = new S3ProxyFixture(dir.resolve("s3"));
                S3ArchiveStore store = new S3ArchiveStore(s3.settings().build(), S3ProxyFixture.BUCKET, "iceberg")) {
            exec(url, "CREATE SCHEMA partition_keeper");
            IcebergSettings settings =
                    IcebergSettings.jdbcInSchema(url, null, null, "partition_keeper", store.location());
            try (IcebergArchiveFormat format =
                    new IcebergArchiveFormat(ds, settings, smallFiles(work), IcebergArchiveFormat.Stages.NONE, store)) {
                ExportResult exported = format.export(
                        IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                        IcebergArchiveTest.JANUARY,
                        ProgressListener.NONE);
                assertEquals(ActionResult.DONE, exported.outcome());
                Table table = format.catalog().loadTable(IcebergTables.id(settings, IcebergArchiveTest.PARENT));
                assertTrue(
                        table.location().startsWith("s3://" + S3ProxyFixture.BUCKET + "/iceberg/"), table.location());
                assertTrue(store.list("").stream().anyMatch(k -> k.endsWith(".metadata.json")), "metadata on S3");

                VerifyResult verified = format.verify(
                        IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                        "events_p2024_01",
                        IcebergArchiveTest.SOURCE);
                assertTrue(verified.ok(), verified.mismatches().toString());

                exec(url, "CREATE SCHEMA restored");
                RestoreResult restored = format.restorer()
                        .restore(IcebergArchiveTest.PARENT, "events_p2024_01", IcebergArchiveTest.RESTORED, false);
                assertTrue(restored.ok(), restored.mismatches().toString());
                assertEquals(0, rowsDiffering(url, IcebergArchiveTest.SOURCE, IcebergArchiveTest.RESTORED));

                DataFile first = table.currentSnapshot()
                        .addedDataFiles(table.io())
                        .iterator()
                        .next();
                String key = new StoreFileIO(store, work).key(first.location());
                store.put(key, new ByteArrayInputStream("not a parquet file".getBytes()));
                VerifyResult corrupt = format.verify(
                        IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                        "events_p2024_01",
                        IcebergArchiveTest.SOURCE);
                assertFalse(corrupt.ok(), corrupt.toString());
                assertTrue(corrupt.summary().contains(first.location()), corrupt.summary());
            }
            assertEquals(0, Files.list(work).count(), "no local copies left behind");
            assertTrue(queryLong(url, "SELECT count(*) FROM " + IcebergArchiveTest.SOURCE.quoted()) > 0);
        }
    }

    @Test
    void anExportKilledAfterStoringItsFilesLeavesNoOrphanOnS3() throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_s3_orphans");
        IcebergArchiveTest.createAllTypesTable(url);
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        try (S3ProxyFixture s3 = new S3ProxyFixture(dir.resolve("s3"));
                S3ArchiveStore store = new S3ArchiveStore(s3.settings().build(), S3ProxyFixture.BUCKET, "iceberg")) {
            exec(url, "CREATE SCHEMA partition_keeper");
            IcebergSettings settings =
                    IcebergSettings.jdbcInSchema(url, null, null, "partition_keeper", store.location());
            try (IcebergArchiveFormat killed = new IcebergArchiveFormat(
                    ds,
                    settings,
                    smallFiles(work),
                    at -> {
                        if (at.equals("files-written")) {
                            throw new IllegalStateException("killed at " + at);
                        }
                    },
                    store)) {
                assertThrows(
                        IllegalStateException.class,
                        () -> killed.export(
                                IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                                IcebergArchiveTest.JANUARY,
                                ProgressListener.NONE));
            }
            List<String> left = dataKeys(store);
            assertTrue(left.size() > 1, "the killed attempt stored its files: " + left);
            // a sibling partition whose name extends this one's keeps its files
            String sibling = left.get(0).replace("/events_p2024_01/", "/events_p2024_01x/");
            assertFalse(sibling.equals(left.get(0)), sibling);
            store.put(sibling, new ByteArrayInputStream("another partition's".getBytes()));

            try (IcebergArchiveFormat rerun =
                    new IcebergArchiveFormat(ds, settings, smallFiles(work), IcebergArchiveFormat.Stages.NONE, store)) {
                assertEquals(
                        ActionResult.DONE,
                        rerun.export(
                                        IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                                        IcebergArchiveTest.JANUARY,
                                        ProgressListener.NONE)
                                .outcome());
                Table table = rerun.catalog().loadTable(IcebergTables.id(settings, IcebergArchiveTest.PARENT));
                StoreFileIO io = new StoreFileIO(store, work);
                List<String> committed = new ArrayList<>();
                for (DataFile f : table.currentSnapshot().addedDataFiles(table.io())) {
                    committed.add(io.key(f.location()));
                }
                committed.sort(null);
                List<String> expected = new ArrayList<>(committed);
                expected.add(sibling);
                expected.sort(null);
                assertEquals(expected, dataKeys(store), "on S3 are the committed snapshot's files only");
                VerifyResult v = rerun.verify(
                        IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                        "events_p2024_01",
                        IcebergArchiveTest.SOURCE);
                assertTrue(v.ok(), v.mismatches().toString());
            }
            assertEquals(0, Files.list(work).count(), "no local copies left behind");
        }
    }

    private static List<String> dataKeys(S3ArchiveStore store) throws Exception {
        // S3Proxy's filesystem backend lists its directories too
        return store.list("").stream()
                .filter(k -> k.contains("/data/") && k.endsWith(".parquet"))
                .sorted()
                .toList();
    }

    @Test
    void aRestCatalogWithTheWarehouseOnS3() throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_rest_s3");
        IcebergArchiveTest.createAllTypesTable(url);
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        try (S3ProxyFixture s3 = new S3ProxyFixture(dir.resolve("s3"));
                S3ArchiveStore store = new S3ArchiveStore(s3.settings().build(), S3ProxyFixture.BUCKET, "lake")) {
            Catalog backing = IcebergCatalogs.open(
                    IcebergArchiveTest.settingsIn(url, store.location()), new StoreFileIO(store, work));
            try (RestCatalogServer server = new RestCatalogServer(backing, "tok", "id:secret")) {
                IcebergSettings rest = new IcebergSettings(
                        IcebergSettings.REST, server.uri(), null, "tok", store.location(), null, null, null);
                try (IcebergArchiveFormat format =
                        new IcebergArchiveFormat(ds, rest, smallFiles(work), IcebergArchiveFormat.Stages.NONE, store)) {
                    assertEquals(
                            ActionResult.DONE,
                            format.export(
                                            IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                                            IcebergArchiveTest.JANUARY,
                                            ProgressListener.NONE)
                                    .outcome());
                    VerifyResult v = format.verify(
                            IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                            "events_p2024_01",
                            IcebergArchiveTest.SOURCE);
                    assertTrue(v.ok(), v.mismatches().toString());
                }
                assertTrue(store.list("").stream().anyMatch(k -> k.endsWith(".parquet")), "data on S3");
            }
        }
    }
}

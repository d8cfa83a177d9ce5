package dev.partitionkeeper.activities.archive.iceberg;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.PARENT;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.SOURCE;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.allTypesDatabase;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.assertJanuaryRestores;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.exportJanuary;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.settings;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.settingsIn;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.verifyJanuary;
import static dev.partitionkeeper.activities.testing.PgTestSupport.queryLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.store.S3ArchiveStore;
import dev.partitionkeeper.activities.archive.store.S3ProxyFixture;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ExportResult;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Iceberg warehouse on S3 (S3Proxy): metadata and data through the archive's S3 store and its settings. */
@Tag("postgres")
class IcebergS3Test {

    @TempDir
    Path dir;

    private String url;
    private DataSource ds;
    private Path work;
    private S3ProxyFixture s3;

    /** Each test: a new database with the all-types table, its data source, the work folder and S3Proxy. */
    @BeforeEach
    void allTypesTableAndS3() throws Exception {
        url = allTypesDatabase("iceberg_s3");
        ds = dataSource(url);
        work = Files.createDirectories(dir.resolve("work"));
        s3 = new S3ProxyFixture(dir.resolve("s3"));
    }

    @AfterEach
    void stopS3() {
        s3.close();
    }

    private S3ArchiveStore store(String prefix) {
        return new S3ArchiveStore(s3.settings().build(), S3ProxyFixture.BUCKET, prefix);
    }

    private IcebergArchiveFormat format(IcebergSettings settings, S3ArchiveStore store) {
        return new IcebergArchiveFormat(ds, settings, smallFiles(work), IcebergArchiveFormat.Stages.NONE, store);
    }

    @Test
    void exportVerifyAndRestoreWithTheWarehouseOnS3AndACorruptedObjectFailsVerify() throws Exception {
        try (S3ArchiveStore store = store("iceberg")) {
            IcebergSettings settings = settingsIn(url, store.location());
            try (IcebergArchiveFormat format = format(settings, store)) {
                ExportResult exported = exportJanuary(format);
                assertEquals(ActionResult.DONE, exported.outcome());
                Table table = format.catalog().loadTable(IcebergTables.id(settings, PARENT));
                assertTrue(
                        table.location().startsWith("s3://" + S3ProxyFixture.BUCKET + "/iceberg/"), table.location());
                assertTrue(store.list("").stream().anyMatch(k -> k.endsWith(".metadata.json")), "metadata on S3");

                VerifyResult verified = verifyJanuary(format);
                assertTrue(verified.ok(), verified.mismatches().toString());

                assertJanuaryRestores(url, format);

                DataFile first = table.currentSnapshot()
                        .addedDataFiles(table.io())
                        .iterator()
                        .next();
                String key = new StoreFileIO(store, work).key(first.location());
                store.put(key, new ByteArrayInputStream("not a parquet file".getBytes()));
                VerifyResult corrupt = verifyJanuary(format);
                assertFalse(corrupt.ok(), corrupt.toString());
                assertTrue(corrupt.summary().contains(first.location()), corrupt.summary());
            }
            assertEquals(0, Files.list(work).count(), "no local copies left behind");
            assertTrue(queryLong(url, "SELECT count(*) FROM " + SOURCE.quoted()) > 0);
        }
    }

    @Test
    void anExportKilledAfterStoringItsFilesLeavesNoOrphanOnS3() throws Exception {
        try (S3ArchiveStore store = store("iceberg")) {
            IcebergSettings settings = settingsIn(url, store.location());
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
                assertThrows(IllegalStateException.class, () -> exportJanuary(killed));
            }
            List<String> left = dataKeys(store);
            assertTrue(left.size() > 1, "the killed attempt stored its files: " + left);
            // a sibling partition whose name extends this one's keeps its files
            String sibling = left.get(0).replace("/events_p2024_01/", "/events_p2024_01x/");
            assertFalse(sibling.equals(left.get(0)), sibling);
            store.put(sibling, new ByteArrayInputStream("another partition's".getBytes()));

            try (IcebergArchiveFormat rerun = format(settings, store)) {
                assertEquals(ActionResult.DONE, exportJanuary(rerun).outcome());
                Table table = rerun.catalog().loadTable(IcebergTables.id(settings, PARENT));
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
                VerifyResult v = verifyJanuary(rerun);
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
        try (S3ArchiveStore store = store("lake")) {
            Catalog backing = IcebergCatalogs.open(settingsIn(url, store.location()), new StoreFileIO(store, work));
            try (RestCatalogServer server = new RestCatalogServer(backing, "tok", "id:secret")) {
                IcebergSettings rest = server.settings(store.location(), "tok", null);
                try (IcebergArchiveFormat format = format(rest, store)) {
                    assertEquals(ActionResult.DONE, exportJanuary(format).outcome());
                    VerifyResult v = verifyJanuary(format);
                    assertTrue(v.ok(), v.mismatches().toString());
                }
                assertTrue(store.list("").stream().anyMatch(k -> k.endsWith(".parquet")), "data on S3");
            }
        }
    }
}

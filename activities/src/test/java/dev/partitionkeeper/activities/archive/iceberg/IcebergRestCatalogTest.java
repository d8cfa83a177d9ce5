package dev.partitionkeeper.activities.archive.iceberg;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.PARENT;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.PARTITION;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.allTypesDatabase;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.assertJanuaryRestores;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.exportJanuary;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.settings;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.verifyJanuary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Iceberg REST catalog, against a REST server started here (Iceberg's handlers over a JDBC catalog). */
@Tag("postgres")
class IcebergRestCatalogTest {

    @TempDir
    Path dir;

    @Test
    void exportVerifyAndRestoreThroughARestCatalogAndAWrongTokenIsRefusedClearly() throws Exception {
        String url = allTypesDatabase("iceberg_rest");
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        Path warehouse = dir.resolve("wh");
        Catalog backing = IcebergCatalogs.open(settings(url, warehouse));
        try (RestCatalogServer server = new RestCatalogServer(backing, "s3cret-token", "pk-client:pk-secret")) {
            IcebergSettings rest = server.settings(warehouse.toString(), "s3cret-token", null);
            try (IcebergArchiveFormat format = new IcebergArchiveFormat(ds, rest, smallFiles(work))) {
                assertEquals(ActionResult.DONE, exportJanuary(format).outcome());
                assertEquals(ActionResult.ALREADY_DONE, exportJanuary(format).outcome());
                VerifyResult v = verifyJanuary(format);
                assertTrue(v.ok(), v.mismatches().toString());
                assertJanuaryRestores(url, format);
            }
            // the table is in the catalog behind the REST server
            assertTrue(backing.tableExists(IcebergTables.id(rest, PARENT)));

            IcebergSettings wrong = server.settings(warehouse.toString(), "wrong-token", null);
            try (IcebergArchiveFormat format = new IcebergArchiveFormat(ds, wrong, smallFiles(work))) {
                ArchiveFormat.Refused verify = assertThrows(ArchiveFormat.Refused.class, () -> verifyJanuary(format));
                assertEquals(Failures.ARCHIVE_STORE, verify.failureType());
                assertTrue(verify.getMessage().contains("refused the credentials"), verify.getMessage());
                assertTrue(verify.getMessage().contains("PK_ICEBERG_CATALOG_PASSWORD"), verify.getMessage());
                // and the drop's last check cannot pass either: nothing is dropped on a catalog it cannot read
                assertThrows(ArchiveFormat.Refused.class, () -> format.archived(PARENT, PARTITION));
            }

            // OAuth2 client credentials, exchanged at the catalog's token endpoint for the token
            IcebergSettings oauth = server.settings(warehouse.toString(), null, "pk-client:pk-secret");
            try (IcebergArchiveFormat format = new IcebergArchiveFormat(ds, oauth, smallFiles(work))) {
                assertTrue(format.isComplete(PARENT, PARTITION));
                VerifyResult v = verifyJanuary(format);
                assertTrue(v.ok(), v.mismatches().toString());
            }
            IcebergSettings badSecret = server.settings(warehouse.toString(), null, "pk-client:nope");
            try (IcebergArchiveFormat format = new IcebergArchiveFormat(ds, badSecret, smallFiles(work))) {
                ArchiveFormat.Refused e =
                        assertThrows(ArchiveFormat.Refused.class, () -> format.isComplete(PARENT, PARTITION));
                assertTrue(e.getMessage().contains("PK_ICEBERG_CATALOG_CREDENTIAL"), e.getMessage());
            }
        }
    }
}

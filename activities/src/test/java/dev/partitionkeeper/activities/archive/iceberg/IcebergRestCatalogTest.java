package dev.partitionkeeper.activities.archive.iceberg;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.rowsDiffering;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.RestoreResult;
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
        String url = PgTestSupport.newDatabase("iceberg_rest");
        IcebergArchiveTest.createAllTypesTable(url);
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        Path warehouse = dir.resolve("wh");
        Catalog backing = IcebergCatalogs.open(IcebergArchiveTest.settings(url, warehouse));
        try (RestCatalogServer server = new RestCatalogServer(backing, "s3cret-token", "pk-client:pk-secret")) {
            IcebergSettings rest = new IcebergSettings(
                    IcebergSettings.REST, server.uri(), null, "s3cret-token", warehouse.toString(), null, null, null);
            try (IcebergArchiveFormat format = new IcebergArchiveFormat(ds, rest, smallFiles(work))) {
                assertEquals(
                        ActionResult.DONE,
                        format.export(
                                        IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                                        IcebergArchiveTest.JANUARY,
                                        ProgressListener.NONE)
                                .outcome());
                assertEquals(
                        ActionResult.ALREADY_DONE,
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
                exec(url, "CREATE SCHEMA restored");
                RestoreResult r = format.restorer()
                        .restore(IcebergArchiveTest.PARENT, "events_p2024_01", IcebergArchiveTest.RESTORED, false);
                assertTrue(r.ok(), r.mismatches().toString());
                assertEquals(0, rowsDiffering(url, IcebergArchiveTest.SOURCE, IcebergArchiveTest.RESTORED));
            }
            // the table is in the catalog behind the REST server
            assertTrue(backing.tableExists(IcebergTables.id(rest, IcebergArchiveTest.PARENT)));

            IcebergSettings wrong = new IcebergSettings(
                    IcebergSettings.REST, server.uri(), null, "wrong-token", warehouse.toString(), null, null, null);
            try (IcebergArchiveFormat format = new IcebergArchiveFormat(ds, wrong, smallFiles(work))) {
                ArchiveFormat.Refused verify = assertThrows(
                        ArchiveFormat.Refused.class,
                        () -> format.verify(
                                IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                                "events_p2024_01",
                                IcebergArchiveTest.SOURCE));
                assertEquals(Failures.ARCHIVE_STORE, verify.failureType());
                assertTrue(verify.getMessage().contains("refused the credentials"), verify.getMessage());
                assertTrue(verify.getMessage().contains("PK_ICEBERG_CATALOG_PASSWORD"), verify.getMessage());
                // and the drop's last check cannot pass either: nothing is dropped on a catalog it cannot read
                assertThrows(
                        ArchiveFormat.Refused.class,
                        () -> format.archived(IcebergArchiveTest.PARENT, "events_p2024_01"));
            }

            // OAuth2 client credentials, exchanged at the catalog's token endpoint for the token
            IcebergSettings oauth = new IcebergSettings(
                    IcebergSettings.REST,
                    server.uri(),
                    null,
                    null,
                    warehouse.toString(),
                    null,
                    null,
                    "pk-client:pk-secret");
            try (IcebergArchiveFormat format = new IcebergArchiveFormat(ds, oauth, smallFiles(work))) {
                assertTrue(format.isComplete(IcebergArchiveTest.PARENT, "events_p2024_01"));
                VerifyResult v = format.verify(
                        IcebergArchiveTest.policy(IcebergArchiveTest.PARENT),
                        "events_p2024_01",
                        IcebergArchiveTest.SOURCE);
                assertTrue(v.ok(), v.mismatches().toString());
            }
            IcebergSettings badSecret = new IcebergSettings(
                    IcebergSettings.REST, server.uri(), null, null, warehouse.toString(), null, null, "pk-client:nope");
            try (IcebergArchiveFormat format = new IcebergArchiveFormat(ds, badSecret, smallFiles(work))) {
                ArchiveFormat.Refused e = assertThrows(
                        ArchiveFormat.Refused.class,
                        () -> format.isComplete(IcebergArchiveTest.PARENT, "events_p2024_01"));
                assertTrue(e.getMessage().contains("PK_ICEBERG_CATALOG_CREDENTIAL"), e.getMessage());
            }
        }
    }
}

package dev.partitionkeeper.worker.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.PassRunner;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.DemoData;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.MaintenanceReport;
import dev.partitionkeeper.workflows.MaintenanceRequest;
import dev.partitionkeeper.workflows.TableReport;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain in a fleet: two databases holding the same {@code public.transactions}, each detaching,
 * exporting, verifying and dropping its own old partition into its own folder of the archive, and no row lost.
 */
@Tag("postgres")
class FleetArchiveTest {
    static EmbeddedTemporal temporal;

    @TempDir
    Path dir;

    @BeforeAll
    static void startTemporal() {
        temporal = EmbeddedTemporal.start();
    }

    @AfterAll
    static void stopTemporal() {
        temporal.close();
    }

    @Test
    void eachDatabaseArchivesIntoItsOwnFolderAndDropsOnlyAfterItsOwnArchiveVerified() throws Exception {
        List<String> dbs = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String url = PgTestSupport.newDatabase("fleetarch");
            // different row counts, so an archive verified against the other database's partition would not match
            DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 20 + 10 * i);
            urls.add(url);
            dbs.add(url.substring(url.lastIndexOf('/') + 1, url.indexOf('?') < 0 ? url.length() : url.indexOf('?')));
        }
        long[] before = new long[2];
        for (int i = 0; i < 2; i++) {
            before[i] = PgTestSupport.queryLong(urls.get(i), "SELECT count(*) FROM public.transactions");
        }
        Path archive = Files.createDirectories(dir.resolve("archive"));
        String queue = "fleet-archive-" + System.nanoTime();
        String yaml = "postgres:\n  url: '" + PgTestSupport.adminUrl() + "'\n  connect_timeout: 5s\n"
                + "databases:\n  - name: " + dbs.get(0) + "\n  - name: " + dbs.get(1) + "\n"
                + DemoData.policyYaml(archive).stripIndent();
        WorkerConfig cfg = WorkerConfig.parse("fleet.yaml", yaml, Map.of()).withTaskQueue(queue);
        WorkflowClient client = temporal.connection().client();
        try (WorkerRuntime rt = new WorkerRuntime(
                client, cfg, new PostgresSettings(PgTestSupport.adminUrl(), null, null, 2), cfg::tables, null)) {
            rt.start();
            MaintenanceReport report = PassRunner.run(client, queue, MaintenanceRequest.all("fleet archive"));
            assertEquals(2, report.tables().size(), report::toString);
            for (int i = 0; i < 2; i++) {
                TableReport r = report.tables().get(i);
                assertEquals(dbs.get(i) + "/public.transactions", r.table());
                assertTrue(
                        r.actions().stream().anyMatch(a -> a.action().startsWith("drop")),
                        () -> "exported, verified and dropped: " + r);
                Path folder = archive.resolve(dbs.get(i)).resolve("public").resolve("transactions");
                try (Stream<Path> manifests = Files.walk(folder)) {
                    assertEquals(
                            1,
                            manifests
                                    .filter(p -> p.getFileName().toString().equals("manifest.json"))
                                    .count(),
                            "the database's archive is in its own folder: " + folder);
                }
                long attached = PgTestSupport.queryLong(urls.get(i), "SELECT count(*) FROM public.transactions");
                String manifest;
                try (Stream<Path> files = Files.walk(folder)) {
                    manifest = Files.readString(
                            files.filter(p -> p.getFileName().toString().equals("manifest.json"))
                                    .findFirst()
                                    .orElseThrow());
                }
                long archived = before[i] - attached;
                assertTrue(archived > 0, "an old partition left the table");
                assertTrue(
                        manifest.matches("(?s).*\"row_count\"\\s*:\\s*" + archived + "\\b.*"),
                        () -> "no row lost: the archive holds the rows that left the table (" + archived + "): "
                                + manifest);
            }
        }
    }
}

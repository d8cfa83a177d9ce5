package dev.partitionkeeper.worker.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.ArchiveStores;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.Failures;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 store stops mid-export (connections refused) for a few seconds, or 2 minutes with {@code -Pchaos},
 * then comes back on the same port with the same objects: the archive steps fail with the retryable
 * {@code ArchiveStoreUnavailable}, back off, and the pass completes once the store is back.
 */
@Tag("chaos")
@Tag("postgres")
class S3OutageChaosTest {

    @Test
    void thePassWaitsForTheStoreAndCompletesWhenItIsBack(@TempDir Path dir) throws Exception {
        ChaosSettings settings = ChaosSettings.fromSystemProperties();
        String url = PgTestSupport.newDatabase("chaos_s3");
        try (RestartableS3 s3 = new RestartableS3(dir.resolve("s3"));
                ArchiveStore store = ArchiveStores.open("s3://" + RestartableS3.BUCKET + "/chaos", s3.settings())) {
            FaultScenario.Outcome out = FaultScenario.run(
                    "s3-outage",
                    url,
                    dir,
                    s3.archiveYaml("chaos"),
                    store,
                    s3.workerEnvironment(),
                    FaultScenario.Trigger.MID_EXPORT,
                    settings.s3Outage(),
                    new FaultScenario.Fault() {
                        @Override
                        public void begin() throws Exception {
                            s3.stop();
                        }

                        @Override
                        public void end() throws Exception {
                            s3.start();
                        }
                    });
            assertTrue(
                    out.probe().retried().stream().anyMatch(s -> s.contains(Failures.ARCHIVE_STORE_UNAVAILABLE)),
                    () -> "no archive step failed with ArchiveStoreUnavailable: " + out);
        }
    }
}

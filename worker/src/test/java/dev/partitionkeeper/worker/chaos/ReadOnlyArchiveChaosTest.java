package dev.partitionkeeper.worker.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.Failures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive directory becomes unwritable mid-export ({@link UnwritableDirectory}: chmod, or chattr +i
 * as root) for a few seconds (a minute with {@code -Pchaos}): the export fails with the retryable
 * {@code ArchiveStoreUnavailable}, backs off, and the pass completes once the directory is writable again.
 */
@Tag("chaos")
@Tag("postgres")
class ReadOnlyArchiveChaosTest {

    @Test
    void thePassWaitsForTheDirectoryAndCompletesWhenItIsWritableAgain(@TempDir Path dir) throws Exception {
        ChaosSettings settings = ChaosSettings.fromSystemProperties();
        String url = PgTestSupport.newDatabase("chaos_readonly");
        Path archive = dir.resolve("archive");
        Files.createDirectories(archive);
        UnwritableDirectory unwritable = new UnwritableDirectory(archive);
        try (ArchiveStore store = new FileSystemArchiveStore(archive)) {
            FaultScenario.Outcome out = FaultScenario.run(
                    "read-only",
                    url,
                    dir,
                    "archive:\n  location: " + archive + "\n",
                    store,
                    Map.of(),
                    FaultScenario.Trigger.MID_EXPORT,
                    settings.readOnly(),
                    new FaultScenario.Fault() {
                        @Override
                        public void begin() throws Exception {
                            System.out.println(
                                    "read-only: archive directory made unwritable with " + unwritable.make());
                        }

                        @Override
                        public void end() throws Exception {
                            unwritable.undo();
                        }
                    });
            assertTrue(
                    out.probe().retried().stream().anyMatch(s -> s.contains(Failures.ARCHIVE_STORE_UNAVAILABLE)),
                    () -> "no archive step failed with ArchiveStoreUnavailable: " + out);
        } finally {
            unwritable.undo(); // so the temporary directory can be deleted
        }
    }
}

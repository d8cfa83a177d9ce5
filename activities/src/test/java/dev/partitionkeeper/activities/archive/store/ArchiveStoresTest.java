package dev.partitionkeeper.activities.archive.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveStoresTest {

    @TempDir
    Path dir;

    private static final S3Settings LOCAL_S3 = S3Settings.newBuilder()
            .endpoint("http://127.0.0.1:1")
            .region("us-east-1")
            .credentials("id", "secret")
            .pathStyle(true)
            .build();

    @Test
    void filesystemLocations() throws Exception {
        try (ArchiveStore s = ArchiveStores.open("file://" + dir.resolve("a"), LOCAL_S3)) {
            assertInstanceOf(FileSystemArchiveStore.class, s);
            assertEquals(dir.resolve("a"), ((FileSystemArchiveStore) s).root());
        }
        try (ArchiveStore s = ArchiveStores.open(dir.resolve("b").toString(), LOCAL_S3)) {
            assertEquals(dir.resolve("b"), ((FileSystemArchiveStore) s).root());
            assertTrue(s.location().startsWith("file:///"), s.location());
        }
    }

    @Test
    void s3Locations() throws Exception {
        try (ArchiveStore s = ArchiveStores.open("s3://bucket/some/prefix", LOCAL_S3)) {
            S3ArchiveStore s3 = assertInstanceOf(S3ArchiveStore.class, s);
            assertEquals("bucket", s3.bucket());
            assertEquals("some/prefix/", s3.prefix());
            assertEquals("s3://bucket/some/prefix/", s.location());
            assertEquals("s3://bucket/some/prefix/a/manifest.json", s.locationOf("a/manifest.json"));
        }
        try (ArchiveStore s = ArchiveStores.open("s3://bucket", LOCAL_S3)) {
            assertEquals("", ((S3ArchiveStore) s).prefix());
        }
    }

    @Test
    void badLocationsNameTheAcceptedForms() {
        assertEquals(
                "archive location \"gs://bucket/x\" uses an unsupported scheme; write s3://bucket/prefix,"
                        + " file:///path or a directory path",
                assertThrows(IllegalArgumentException.class, () -> ArchiveStores.open("gs://bucket/x", LOCAL_S3))
                        .getMessage());
        assertEquals(
                "archive location \"s3:///x\" has no bucket; write it as s3://bucket/prefix",
                assertThrows(IllegalArgumentException.class, () -> ArchiveStores.open("s3:///x", LOCAL_S3))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> ArchiveStores.open("file://otherhost/x", LOCAL_S3));
        assertThrows(IllegalArgumentException.class, () -> ArchiveStores.open("  ", LOCAL_S3));
    }

    @Test
    void s3SettingsRejectBadValuesAndMaskTheSecret() {
        assertEquals(
                "S3 part size must be between 5 MiB (5242880) and 5 GiB (5368709120) bytes, got: 1000",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> S3Settings.newBuilder()
                                        .partSizeBytes(1000)
                                        .build())
                        .getMessage());
        assertEquals(
                "S3 endpoint must be an http or https URL such as http://127.0.0.1:9000, got: \"minio:9000\"",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> S3Settings.newBuilder()
                                        .endpoint("minio:9000")
                                        .build())
                        .getMessage());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> S3Settings.newBuilder().credentials("id", null).build())
                .getMessage()
                .startsWith("S3 access key id and secret access key go together"));
        String text = LOCAL_S3.toString();
        assertTrue(text.contains("secretAccessKey=<masked>") && !text.contains("secret,"), text);
    }
}

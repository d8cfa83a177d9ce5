package dev.partitionkeeper.activities.archive.store;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.rowsDiffering;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.partitionkeeper.activities.archive.RestoreActivitiesImpl;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ParquetExporter;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.restore.ArchiveRestorer;
import dev.partitionkeeper.activities.archive.verify.ArchiveVerifier;
import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.RestoreRequest;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.TableName;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 store against S3Proxy (filesystem backend, signatures checked) with the real AWS SDK v2 client. */
class S3ArchiveStoreTest {

    @TempDir
    static Path dir;

    private static S3ProxyFixture s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new S3ProxyFixture(dir.resolve("s3"));
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Test
    @Tag("postgres")
    void exportVerifyAndRestoreThroughS3() throws Exception {
        String url = PgTestSupport.newDatabase("archive_s3");
        exec(
                url,
                "CREATE SCHEMA archive",
                "CREATE TABLE archive.orders_p1 (id bigint NOT NULL, placed timestamptz NOT NULL, total numeric(12,2),"
                        + " note text, tags text[])",
                "INSERT INTO archive.orders_p1 SELECT g, timestamptz '2024-05-01' + g * interval '1 minute', g * 3.5,"
                        + " CASE WHEN g % 10 = 0 THEN NULL ELSE md5(g::text) END, ARRAY['a', g::text] FROM generate_series(1, 2000) g");
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work-export"));
        ExportRequest request = new ExportRequest(
                new TableName("archive", "orders_p1"),
                new TableName("shop", "orders"),
                "orders_p1",
                "2024-05-01",
                "2024-06-01",
                "placed");
        try (S3ArchiveStore store = new S3ArchiveStore(s3.settings().build(), S3ProxyFixture.BUCKET, "pk/archive")) {
            ExportResult exported =
                    new ParquetExporter(ds, store, smallFiles(work)).export(request, ProgressListener.NONE);
            assertEquals(2000, exported.rows());
            assertEquals("s3://archive-test/pk/archive/shop/orders/orders_p1/", exported.archive());
            assertTrue(exported.files() > 1, exported.toString());

            List<String> expected = new ArrayList<>(List.of("shop/orders/orders_p1/manifest.json"));
            for (int i = 0; i < exported.files(); i++) {
                expected.add("shop/orders/orders_p1/" + ArchiveLayout.fileName(i));
            }
            assertEquals(expected, store.list("shop/orders/orders_p1/"));

            VerifyResult verified = new ArchiveVerifier(ds, store, work).verify(request.layout(), request.source());
            assertTrue(verified.ok(), verified.mismatches().toString());
            assertEquals(2000, verified.archiveRows());

            exec(url, "CREATE SCHEMA restored");
            TableName into = new TableName("restored", "orders_p1");
            RestoreResult restored = new ArchiveRestorer(ds, store, work).restore(request.layout(), into);
            assertTrue(restored.ok(), restored.mismatches().toString());
            assertEquals(0, rowsDiffering(url, request.source(), into));
        }
        // the same archive, opened by location as the CLI would
        try (ArchiveStore byLocation = ArchiveStores.open(
                "s3://archive-test/pk/archive/shop/orders/orders_p1",
                s3.settings().build())) {
            ArchiveManifest m = new ArchiveRestorer(ds, byLocation).manifest(ArchiveLayout.root());
            assertEquals(2000, m.rowCount());
            assertEquals("placed", m.partitionKey());
        }
    }

    @Test
    void aWrongSecretGivesAClearError() throws Exception {
        S3Settings wrong = s3.settings()
                .credentials(S3ProxyFixture.ACCESS_KEY, "not-the-secret")
                .build();
        try (S3ArchiveStore store = new S3ArchiveStore(wrong, S3ProxyFixture.BUCKET, "pk")) {
            ArchiveCredentialsException e =
                    assertThrows(ArchiveCredentialsException.class, () -> store.exists("a/manifest.json"));
            assertEquals(
                    "S3 rejected the credentials for bucket archive-test at endpoint " + s3.endpoint()
                            + " (SignatureDoesNotMatch): check the secret key",
                    e.getMessage());
            ArchiveCredentialsException put = assertThrows(
                    ArchiveCredentialsException.class, () -> store.put("a/b", new ByteArrayInputStream(new byte[10])));
            assertTrue(put.getMessage().contains("(SignatureDoesNotMatch): check the secret key"), put.getMessage());
        }
        S3Settings unknownKey = s3.settings().credentials("nobody", "whatever").build();
        try (S3ArchiveStore store = new S3ArchiveStore(unknownKey, S3ProxyFixture.BUCKET, "pk")) {
            ArchiveCredentialsException e = assertThrows(ArchiveCredentialsException.class, () -> store.list("a/"));
            assertTrue(
                    e.getMessage().startsWith("S3 rejected the credentials for bucket archive-test at endpoint "),
                    e.getMessage());
        }
    }

    @Test
    void credentialsComeFromTheDefaultChainWhenNotConfigured() throws Exception {
        // the SDK's default chain reads these system properties first, as it would AWS_ACCESS_KEY_ID in production
        System.setProperty("aws.accessKeyId", S3ProxyFixture.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyFixture.SECRET_KEY);
        try (S3ArchiveStore store =
                new S3ArchiveStore(s3.settings().credentials(null, null).build(), S3ProxyFixture.BUCKET, "chain")) {
            store.put("x", new ByteArrayInputStream(new byte[] {42}));
            assertTrue(store.exists("x"));
            store.delete("x");
            assertFalse(store.exists("x"));
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void noCredentialsAnywhereFailsAtOnceNamingWhatToSet() throws Exception {
        // A chain under the test's control, so keys in this machine's environment cannot make it pass: system
        // properties (none set) and a profile file that is empty, as on a worker nobody gave credentials to.
        assertEquals(null, System.getProperty("aws.accessKeyId"));
        Path emptyProfiles = Files.writeString(dir.resolve("empty-credentials"), "");
        AwsCredentialsProvider nothing = AwsCredentialsProviderChain.builder()
                .reuseLastProviderEnabled(false)
                .credentialsProviders(
                        SystemPropertyCredentialsProvider.create(),
                        ProfileCredentialsProvider.builder()
                                .profileFile(ProfileFile.builder()
                                        .content(emptyProfiles)
                                        .type(ProfileFile.Type.CREDENTIALS)
                                        .build())
                                .profileName("default")
                                .build())
                .build();
        S3Settings settings = s3.settings().credentials(null, null).build();
        try (S3Client client = S3ArchiveStore.newClient(settings, nothing);
                S3ArchiveStore store = new S3ArchiveStore(
                        client,
                        S3ProxyFixture.BUCKET,
                        "pk",
                        settings.partSizeBytes(),
                        settings.endpointForMessages())) {
            ArchiveCredentialsException e = assertThrows(ArchiveCredentialsException.class, () -> store.exists("a/b"));
            assertTrue(
                    e.getMessage()
                            .startsWith("cannot look up s3://archive-test/pk/a/b at S3 endpoint " + s3.endpoint()
                                    + ": no S3 credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("AWS_PROFILE"), e.getMessage());
            assertTrue(
                    e.getMessage().contains("The AWS SDK said: Unable to load credentials from any of the providers"),
                    e.getMessage());
            assertThrows(
                    ArchiveCredentialsException.class, () -> store.put("a/b", new ByteArrayInputStream(new byte[3])));
            assertThrows(ArchiveCredentialsException.class, () -> store.open("a/b"));
            assertThrows(ArchiveCredentialsException.class, () -> store.list("a/"));

            // the activity turns it into a failure Temporal does not retry (the DataSource is never reached)
            RestoreActivitiesImpl restore = new RestoreActivitiesImpl(null, location -> store, LockSettings.defaults());
            ApplicationFailure f = assertThrows(
                    ApplicationFailure.class,
                    () -> restore.restore(new RestoreRequest("s3://archive-test/pk/", null, false)));
            assertTrue(f.isNonRetryable(), f.toString());
            assertEquals(Failures.ARCHIVE_STORE, f.getType());
            assertTrue(f.getOriginalMessage().contains("no S3 credentials found"), f.getOriginalMessage());
        }
    }

    @Test
    void theDefaultChainFindingNothingFailsAtOnceToo() throws Exception {
        // The production path (no keys in the settings, the SDK's default chain). Env variables cannot be
        // cleared from inside the JVM, so the test only runs where the environment holds no credentials.
        for (String v : List.of(
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_PROFILE",
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
            assumeTrue(System.getenv(v) == null, v + " is set in this environment");
        }
        Path empty = Files.writeString(dir.resolve("empty-aws-file"), "");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("aws.sharedCredentialsFile", empty.toString());
        props.put("aws.configFile", empty.toString());
        props.put("aws.disableEc2Metadata", "true"); // no IMDS probe: fast, and no instance role on a CI runner
        Map<String, String> before = new LinkedHashMap<>();
        props.forEach((k, v) -> before.put(k, System.setProperty(k, v)));
        try (S3ArchiveStore store =
                new S3ArchiveStore(s3.settings().credentials(null, null).build(), S3ProxyFixture.BUCKET, "pk")) {
            ArchiveCredentialsException e = assertThrows(ArchiveCredentialsException.class, () -> store.exists("a/b"));
            assertTrue(e.getMessage().contains(": no S3 credentials found. Set AWS_ACCESS_KEY_ID"), e.getMessage());
        } finally {
            before.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    @Test
    void aMissingBucketIsNamed() throws Exception {
        try (S3ArchiveStore store = new S3ArchiveStore(s3.settings().build(), "no-such-bucket", "")) {
            IOException e = assertThrows(IOException.class, () -> store.exists("x"));
            assertEquals(
                    "bucket no-such-bucket does not exist at endpoint " + s3.endpoint()
                            + " (NoSuchBucket): create it or fix the archive location",
                    e.getMessage());
        }
    }

    @Test
    void largeObjectsGoUpAsMultipartUploads() throws Exception {
        long partSize = S3Settings.MIN_PART_SIZE_BYTES;
        byte[] data = new byte[(int) (2 * partSize + 12_345)];
        new Random(7).nextBytes(data);
        try (S3ArchiveStore store =
                new S3ArchiveStore(s3.settings().partSizeBytes(partSize).build(), S3ProxyFixture.BUCKET, "multipart")) {
            StoredObject o = store.put("big.bin", new ByteArrayInputStream(data));
            assertEquals(data.length, o.size());
            assertEquals(
                    HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(data)),
                    o.sha256());
            try (InputStream in = store.open("big.bin")) {
                assertArrayEquals(data, in.readAllBytes());
            }
            try (S3Client client = S3ArchiveStore.newClient(s3.settings().build())) {
                // S3 marks a multipart object's ETag with its number of parts
                String etag = client.headObject(
                                b -> b.bucket(S3ProxyFixture.BUCKET).key("multipart/big.bin"))
                        .eTag();
                assertTrue(etag.replace("\"", "").endsWith("-3"), "ETag of a 3-part upload: " + etag);
            }
            StoredObject small = store.put("small.bin", new ByteArrayInputStream(new byte[] {1, 2, 3}));
            assertEquals(3, small.size());
        }
    }

    @Test
    void aFailedMultipartUploadLeavesNoObject() throws Exception {
        long partSize = S3Settings.MIN_PART_SIZE_BYTES;
        InputStream failsAfterTwoParts = new InputStream() {
            private long n;

            @Override
            public int read() throws IOException {
                if (n++ >= 2 * partSize + 100) {
                    throw new IOException("worker killed");
                }
                return 7;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int count = 0;
                while (count < len) {
                    b[off + count] = (byte) read();
                    count++;
                }
                return count;
            }
        };
        try (S3ArchiveStore store =
                new S3ArchiveStore(s3.settings().partSizeBytes(partSize).build(), S3ProxyFixture.BUCKET, "failing")) {
            assertThrows(IOException.class, () -> store.put("half.bin", failsAfterTwoParts));
            assertFalse(store.exists("half.bin"));
            try (S3Client client = S3ArchiveStore.newClient(s3.settings().build())) {
                assertTrue(
                        client.listMultipartUploads(
                                        b -> b.bucket(S3ProxyFixture.BUCKET).prefix("failing/"))
                                .uploads()
                                .isEmpty(),
                        "the upload was aborted");
            }
        }
    }
}

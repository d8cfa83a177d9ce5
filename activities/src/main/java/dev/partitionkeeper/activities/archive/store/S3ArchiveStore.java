package dev.partitionkeeper.activities.archive.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An archive store in an S3 bucket below a prefix, through the AWS SDK v2 synchronous client. Objects up to
 * one part size go up in one PUT; larger ones as a multipart upload with one part buffered in memory at a
 * time, aborted when anything fails, so a crash never leaves a visible half object. Both are atomic in S3:
 * readers see the whole object or none.
 */
public final class S3ArchiveStore implements ArchiveStore {

    /** S3 allows at most this many parts in one upload. */
    static final int MAX_PARTS = 10_000;

    private static final String CONTENT_TYPE = "application/octet-stream";

    private final S3Client s3;
    private final boolean ownsClient;
    private final String bucket;
    private final String prefix;
    private final long partSizeBytes;
    private final String endpointForMessages;

    /**
     * Opens the store {@code s3://bucket/prefix}. Nothing is sent until the first call.
     *
     * @param prefix key prefix, with or without a trailing '/', empty for the bucket's root
     */
    public S3ArchiveStore(S3Settings settings, String bucket, String prefix) {
        this(newClient(settings), true, bucket, prefix, settings.partSizeBytes(), settings.endpointForMessages());
    }

    /** Uses a client the caller built and closes; {@code endpointForMessages} only appears in errors. */
    public S3ArchiveStore(S3Client s3, String bucket, String prefix, long partSizeBytes, String endpointForMessages) {
        this(s3, false, bucket, prefix, partSizeBytes, endpointForMessages);
    }

    private S3ArchiveStore(
            S3Client s3,
            boolean ownsClient,
            String bucket,
            String prefix,
            long partSizeBytes,
            String endpointForMessages) {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("S3 bucket must not be empty; write the location as s3://bucket/prefix");
        }
        if (partSizeBytes < S3Settings.MIN_PART_SIZE_BYTES) {
            throw new IllegalArgumentException("S3 part size must be at least 5 MiB (" + S3Settings.MIN_PART_SIZE_BYTES
                    + " bytes), got: " + partSizeBytes);
        }
        this.s3 = s3;
        this.ownsClient = ownsClient;
        this.bucket = bucket;
        this.prefix = normalizePrefix(prefix);
        this.partSizeBytes = partSizeBytes;
        this.endpointForMessages = endpointForMessages;
    }

    static String normalizePrefix(String prefix) {
        if (prefix == null) {
            return "";
        }
        String p = prefix;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        if (!p.isEmpty() && !p.endsWith("/")) {
            p = p + "/";
        }
        return p;
    }

    /** Builds the SDK client as the settings say. */
    public static S3Client newClient(S3Settings settings) {
        return newClient(settings, credentials(settings));
    }

    /** As {@link #newClient(S3Settings)} with the credentials from {@code credentials} (tests choose the chain). */
    static S3Client newClient(S3Settings settings, AwsCredentialsProvider credentials) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder())
                .forcePathStyle(settings.pathStyle())
                // Since SDK 2.30 every request carries a CRC by default, which many S3-compatible stores reject.
                // Integrity is ours to prove anyway: every file's SHA-256 is in the manifest and re-read by verify.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(credentials);
        if (settings.endpoint() != null) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        Region region = region(settings);
        if (region != null) {
            builder.region(region);
        }
        try {
            return builder.build();
        } catch (SdkClientException e) {
            throw new IllegalArgumentException(
                    "cannot set up the S3 client for " + settings + ": " + e.getMessage()
                            + " (set the region in the S3 settings or AWS_REGION)",
                    e);
        }
    }

    private static AwsCredentialsProvider credentials(S3Settings settings) {
        if (settings.accessKeyId() == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(
                settings.sessionToken() == null
                        ? AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())
                        : AwsSessionCredentials.create(
                                settings.accessKeyId(), settings.secretAccessKey(), settings.sessionToken()));
    }

    private static Region region(S3Settings settings) {
        if (settings.region() != null) {
            return Region.of(settings.region());
        }
        if (settings.endpoint() == null) {
            return null; // the SDK's own chain decides and says so when it finds nothing
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            // self-hosted stores rarely care about the region, but SigV4 needs one
            return Region.US_EAST_1;
        }
    }

    public String bucket() {
        return bucket;
    }

    public String prefix() {
        return prefix;
    }

    @Override
    public String location() {
        return "s3://" + bucket + "/" + prefix;
    }

    private String fullKey(String key) {
        return prefix + ArchiveKeys.check(key);
    }

    @Override
    public StoredObject put(String key, InputStream in) throws IOException {
        String full = fullKey(key);
        MessageDigest md = Sha256.newDigest();
        byte[] buffer = new byte[(int) Math.min(partSizeBytes, Integer.MAX_VALUE - 16)];
        int first = readFully(in, buffer, md);
        if (first < buffer.length) {
            call(
                    "upload",
                    key,
                    () -> s3.putObject(b -> b.bucket(bucket).key(full).contentType(CONTENT_TYPE), body(buffer, first)));
            return new StoredObject(key, first, Sha256.hex(md.digest()));
        }
        return multipart(key, full, in, buffer, first, md);
    }

    private StoredObject multipart(String key, String full, InputStream in, byte[] buffer, int first, MessageDigest md)
            throws IOException {
        String uploadId = call(
                "start multipart upload of",
                key,
                () -> s3.createMultipartUpload(b -> b.bucket(bucket).key(full).contentType(CONTENT_TYPE))
                        .uploadId());
        List<CompletedPart> parts = new ArrayList<>();
        long total = 0;
        try {
            int n = first;
            while (n > 0) {
                int partNumber = parts.size() + 1;
                if (partNumber > MAX_PARTS) {
                    throw new IOException("object " + locationOf(key) + " needs more than " + MAX_PARTS + " parts of "
                            + partSizeBytes + " bytes, S3's limit: raise the S3 part size");
                }
                int length = n;
                String etag = call(
                        "upload part " + partNumber + " of",
                        key,
                        () -> s3.uploadPart(
                                        b -> b.bucket(bucket)
                                                .key(full)
                                                .uploadId(uploadId)
                                                .partNumber(partNumber)
                                                .contentLength((long) length),
                                        body(buffer, length))
                                .eTag());
                parts.add(CompletedPart.builder()
                        .partNumber(partNumber)
                        .eTag(etag)
                        .build());
                total += length;
                n = readFully(in, buffer, md);
            }
            call(
                    "complete multipart upload of",
                    key,
                    () -> s3.completeMultipartUpload(
                            b -> b.bucket(bucket).key(full).uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
            return new StoredObject(key, total, Sha256.hex(md.digest()));
        } catch (IOException | RuntimeException | Error e) {
            abort(full, uploadId, e);
            throw e;
        }
    }

    /** Frees the parts uploaded so far; S3 would otherwise keep (and bill) them until a lifecycle rule runs. */
    private void abort(String full, String uploadId, Throwable cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(full).uploadId(uploadId));
        } catch (SdkException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    private static RequestBody body(byte[] buffer, int length) {
        // a provider, not fromBytes: no copy of the part buffer, and a fresh stream for each SDK retry
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, CONTENT_TYPE);
    }

    private static int readFully(InputStream in, byte[] buffer, MessageDigest md) throws IOException {
        int n = 0;
        while (n < buffer.length) {
            int r = in.read(buffer, n, buffer.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        md.update(buffer, 0, n);
        return n;
    }

    @Override
    public InputStream open(String key) throws IOException {
        String full = fullKey(key);
        try {
            return s3.getObject(b -> b.bucket(bucket).key(full));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(locationOf(key), null, "no such object in the archive store");
        } catch (SdkException e) {
            throw S3Errors.translate(e, "read", locationOf(key), bucket, endpointForMessages);
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        String full = fullKey(key);
        // a one-key listing rather than HEAD: HEAD errors carry no body, so a wrong secret would show only "403"
        ListObjectsV2Response page = call(
                "look up",
                key,
                () -> s3.listObjectsV2(b -> b.bucket(bucket).prefix(full).maxKeys(1)));
        return page.contents().stream().anyMatch(o -> o.key().equals(full));
    }

    @Override
    public List<String> list(String keyPrefix) throws IOException {
        String full = prefix + keyPrefix;
        List<String> keys = new ArrayList<>();
        call("list", keyPrefix + "*", () -> {
            for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder()
                            .bucket(bucket)
                            .prefix(full)
                            .build())
                    .contents()) {
                keys.add(o.key().substring(prefix.length()));
            }
            return null;
        });
        keys.sort(null);
        return keys;
    }

    @Override
    public void delete(String key) throws IOException {
        String full = fullKey(key);
        call("delete", key, () -> s3.deleteObject(b -> b.bucket(bucket).key(full)));
    }

    private <T> T call(String action, String key, SdkCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (SdkException e) {
            throw S3Errors.translate(e, action, locationOf(key), bucket, endpointForMessages);
        }
    }

    @Override
    public void close() {
        if (ownsClient) {
            s3.close();
        }
    }

    @Override
    public String toString() {
        return "S3ArchiveStore[" + location() + " at " + endpointForMessages + "]";
    }

    @FunctionalInterface
    private interface SdkCall<T> {
        T run();
    }
}

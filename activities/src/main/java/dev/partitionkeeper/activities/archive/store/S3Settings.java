package dev.partitionkeeper.activities.archive.store;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * How to reach an S3-compatible store. Anything left null falls back to the AWS SDK's standard chains:
 * region from {@code AWS_REGION}/profile, credentials from {@code AWS_ACCESS_KEY_ID}/{@code
 * AWS_SECRET_ACCESS_KEY}/profile/instance role, endpoint from {@code AWS_ENDPOINT_URL_S3}/{@code
 * AWS_ENDPOINT_URL} or AWS itself. Build with {@link #newBuilder()}; the secret prints as {@code <masked>}.
 *
 * @param endpoint e.g. {@code http://127.0.0.1:9000} for MinIO or S3Proxy; null for AWS or the environment
 * @param region e.g. {@code eu-central-1}; null for the environment, or {@code us-east-1} with an endpoint
 * @param accessKeyId null to use the default credentials chain
 * @param secretAccessKey required with {@code accessKeyId}
 * @param sessionToken optional, for temporary credentials
 * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key}; most
 *     self-hosted stores need it
 * @param partSizeBytes multipart part size; objects larger than this are uploaded in parts
 */
public record S3Settings(
        String endpoint,
        String region,
        String accessKeyId,
        String secretAccessKey,
        String sessionToken,
        boolean pathStyle,
        long partSizeBytes) {

    /** S3 refuses parts smaller than 5 MiB (except the last). */
    public static final long MIN_PART_SIZE_BYTES = 5L * 1024 * 1024;
    /** S3 refuses parts larger than 5 GiB. */
    public static final long MAX_PART_SIZE_BYTES = 5L * 1024 * 1024 * 1024;
    /** Default part size: 16 MiB, one buffer of it in memory at a time; 10,000 parts make 156 GiB. */
    public static final long DEFAULT_PART_SIZE_BYTES = 16L * 1024 * 1024;

    public S3Settings {
        if (endpoint != null) {
            checkEndpoint(endpoint);
        }
        if ((accessKeyId == null) != (secretAccessKey == null)) {
            throw new IllegalArgumentException("S3 access key id and secret access key go together: got "
                    + (accessKeyId == null
                            ? "a secret but no access key id"
                            : "access key id " + accessKeyId + " but no secret")
                    + "; set both, or neither to use the AWS default credentials chain");
        }
        if (partSizeBytes < MIN_PART_SIZE_BYTES || partSizeBytes > MAX_PART_SIZE_BYTES) {
            throw new IllegalArgumentException("S3 part size must be between 5 MiB (" + MIN_PART_SIZE_BYTES
                    + ") and 5 GiB (" + MAX_PART_SIZE_BYTES + ") bytes, got: " + partSizeBytes);
        }
    }

    private static void checkEndpoint(String endpoint) {
        try {
            URI uri = new URI(endpoint);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        "S3 endpoint must be an http or https URL such as http://127.0.0.1:9000, got: \"" + endpoint
                                + "\"");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "S3 endpoint must be an http or https URL such as http://127.0.0.1:9000, got: \"" + endpoint + "\"",
                    e);
        }
    }

    /** Everything from the AWS environment and default chains. */
    public static S3Settings defaults() {
        return newBuilder().build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .endpoint(endpoint)
                .region(region)
                .credentials(accessKeyId, secretAccessKey)
                .sessionToken(sessionToken)
                .pathStyle(pathStyle)
                .partSizeBytes(partSizeBytes);
    }

    /** The endpoint for messages: the configured one, or what the SDK will use. */
    public String endpointForMessages() {
        return endpoint != null ? endpoint : "AWS default endpoint" + (region != null ? " (" + region + ")" : "");
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", accessKeyId=" + accessKeyId
                + ", secretAccessKey=" + (secretAccessKey == null ? null : "<masked>")
                + ", sessionToken=" + (sessionToken == null ? null : "<masked>")
                + ", pathStyle=" + pathStyle + ", partSizeBytes=" + partSizeBytes + "]";
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String endpoint;
        private String region;
        private String accessKeyId;
        private String secretAccessKey;
        private String sessionToken;
        private boolean pathStyle;
        private long partSizeBytes = DEFAULT_PART_SIZE_BYTES;

        private Builder() {}

        /** Default: null, the SDK's choice. */
        public Builder endpoint(String endpoint) {
            this.endpoint = blankToNull(endpoint);
            return this;
        }

        /** Default: null, the SDK's region chain ({@code us-east-1} when an endpoint is set and none is found). */
        public Builder region(String region) {
            this.region = blankToNull(region);
            return this;
        }

        /** Default: none, the SDK's default credentials chain. */
        public Builder credentials(String accessKeyId, String secretAccessKey) {
            this.accessKeyId = blankToNull(accessKeyId);
            this.secretAccessKey = blankToNull(secretAccessKey);
            return this;
        }

        /** Default: none. */
        public Builder sessionToken(String sessionToken) {
            this.sessionToken = blankToNull(sessionToken);
            return this;
        }

        /** Default: false (virtual-hosted style, as AWS prefers). */
        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        /** Default: {@link #DEFAULT_PART_SIZE_BYTES}. */
        public Builder partSizeBytes(long partSizeBytes) {
            this.partSizeBytes = partSizeBytes;
            return this;
        }

        public S3Settings build() {
            return new S3Settings(
                    endpoint, region, accessKeyId, secretAccessKey, sessionToken, pathStyle, partSizeBytes);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }
    }
}

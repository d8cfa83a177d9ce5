package dev.partitionkeeper.activities.archive.store;

import java.io.IOException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Turns SDK exceptions into messages that say which bucket, which endpoint, what S3 said and what to fix. */
final class S3Errors {

    /** How the SDK's credentials chain (default or built by hand) says that none of its sources had any. */
    static final String NO_CREDENTIALS_MESSAGE = "Unable to load credentials from any of the providers in the chain";

    private S3Errors() {}

    static IOException translate(SdkException e, String action, String what, String bucket, String endpoint) {
        if (e instanceof S3Exception s3e) {
            String code =
                    s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
            int status = s3e.statusCode();
            String rejected = "S3 rejected the credentials for bucket " + bucket + " at endpoint " + endpoint + " (";
            if ("SignatureDoesNotMatch".equals(code)) {
                return new ArchiveCredentialsException(rejected + code + "): check the secret key", e);
            }
            if ("InvalidAccessKeyId".equals(code)) {
                return new ArchiveCredentialsException(rejected + code + "): check the access key id", e);
            }
            if ("ExpiredToken".equals(code) || "InvalidToken".equals(code) || "TokenRefreshRequired".equals(code)) {
                return new ArchiveCredentialsException(rejected + code + "): refresh the session token", e);
            }
            if ("AccessDenied".equals(code) || (code == null && status == 403)) {
                return new ArchiveCredentialsException(
                        "S3 denied " + action + " " + what + " at endpoint " + endpoint
                                + " (" + (code == null ? "HTTP 403" : code)
                                + "): the credentials need s3:ListBucket, s3:GetObject,"
                                + " s3:PutObject and s3:DeleteObject on bucket " + bucket,
                        e);
            }
            if ("NoSuchBucket".equals(code)) {
                return new IOException(
                        "bucket " + bucket + " does not exist at endpoint " + endpoint
                                + " (NoSuchBucket): create it or fix the archive location",
                        e);
            }
            return new IOException(
                    "S3 could not " + action + " " + what + " at endpoint " + endpoint + ": "
                            + (code == null ? "HTTP " + status : code + ", HTTP " + status) + ": " + errorMessage(s3e),
                    e);
        }
        if (noCredentials(e)) {
            // Nothing was configured, so retrying for hours only delays the fix. The SDK's own text lists what
            // each source said (e.g. an unreachable instance metadata endpoint), so it stays in the message.
            return new ArchiveCredentialsException(
                    "cannot " + action + " " + what + " at S3 endpoint " + endpoint
                            + ": no S3 credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN"
                            + " for temporary credentials) in the worker's environment, or AWS_PROFILE naming a profile in"
                            + " ~/.aws/credentials or ~/.aws/config, or give the worker an instance, task or pod role;"
                            + " partition-keeper's configuration file takes no S3 credentials. The AWS SDK said: "
                            + e.getMessage(),
                    e);
        }
        if (e instanceof SdkClientException) {
            return new IOException(
                    "cannot " + action + " " + what + ": S3 endpoint " + endpoint + " did not answer properly: "
                            + e.getMessage(),
                    e);
        }
        return new IOException(
                "cannot " + action + " " + what + " at S3 endpoint " + endpoint + ": " + e.getMessage(), e);
    }

    /** True only when the credentials chain found nothing at all, not for any other client-side failure. */
    static boolean noCredentials(SdkException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SdkClientException
                    && t.getMessage() != null
                    && t.getMessage().startsWith(NO_CREDENTIALS_MESSAGE)) {
                return true;
            }
        }
        return false;
    }

    private static String errorMessage(S3Exception e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage()
                : e.getMessage();
    }
}

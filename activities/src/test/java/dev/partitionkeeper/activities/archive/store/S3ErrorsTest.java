package dev.partitionkeeper.activities.archive.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Only "no credentials anywhere" joins the non-retryable credential failures; other client errors stay retryable. */
class S3ErrorsTest {

    private static IOException translate(SdkClientException e) {
        return S3Errors.translate(e, "upload", "s3://b/p/k", "b", "http://127.0.0.1:9000");
    }

    @Test
    void noCredentialsInTheChainIsACredentialsFailure() {
        IOException e =
                translate(SdkClientException.create("Unable to load credentials from any of the providers in the"
                        + " chain AwsCredentialsProviderChain(credentialsProviders=[...]) : [EnvironmentVariableCredentialsProvider():"
                        + " Unable to load credentials from system settings.]"));
        assertInstanceOf(ArchiveCredentialsException.class, e);
        assertTrue(e.getMessage().contains("no S3 credentials found"), e.getMessage());
    }

    @Test
    void noCredentialsWrappedByTheSdkIsStillRecognised() {
        SdkClientException inner = SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain(...)");
        IOException e = translate(SdkClientException.builder()
                .message("request failed")
                .cause(inner)
                .build());
        assertInstanceOf(ArchiveCredentialsException.class, e);
    }

    @Test
    void otherClientFailuresStayRetryable() {
        for (String message : new String[] {
            "Unable to execute HTTP request: Connect to 127.0.0.1:9000 failed: Connection refused",
            "Unable to load credentials from ProfileCredentialsProvider(): profile file changed", // one provider, not
            // the chain
            "Unable to load region from any of the providers in the chain"
        }) {
            IOException e = translate(SdkClientException.create(message));
            assertFalse(e instanceof ArchiveCredentialsException, message);
        }
    }
}

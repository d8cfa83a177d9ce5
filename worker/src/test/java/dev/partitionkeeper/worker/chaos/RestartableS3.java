package dev.partitionkeeper.worker.chaos;

import dev.partitionkeeper.activities.archive.store.S3ProxyFixture;
import dev.partitionkeeper.activities.archive.store.S3Settings;
import java.nio.file.Path;
import java.util.Map;

/**
 * The archive tests' S3Proxy ({@link S3ProxyFixture}), which can be stopped (the store is gone: connections
 * are refused) and started again on the same port and directory, plus what a worker process needs to reach it.
 */
final class RestartableS3 implements AutoCloseable {
    static final String BUCKET = S3ProxyFixture.BUCKET;

    private final S3ProxyFixture proxy;

    RestartableS3(Path baseDir) throws Exception {
        this.proxy = new S3ProxyFixture(baseDir);
    }

    void start() throws Exception {
        proxy.start();
    }

    void stop() {
        proxy.stop();
    }

    S3Settings settings() {
        return proxy.settings().build();
    }

    /** The worker process finds its credentials where the AWS SDK looks: the environment. */
    Map<String, String> workerEnvironment() {
        return Map.of(
                "AWS_ACCESS_KEY_ID",
                S3ProxyFixture.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY",
                S3ProxyFixture.SECRET_KEY,
                "AWS_REGION",
                "us-east-1");
    }

    String archiveYaml(String prefix) {
        return "archive:\n  location: s3://" + BUCKET + "/" + prefix + "\n  s3_endpoint: " + proxy.endpoint()
                + "\n  s3_region: us-east-1\n  s3_path_style: true\n";
    }

    @Override
    public void close() {
        proxy.close();
    }
}

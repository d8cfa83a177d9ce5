package dev.partitionkeeper.activities.archive.store;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3Proxy in this JVM on 127.0.0.1 and a free port, storing objects in a local directory, checking AWS
 * signatures (V2 or V4) against one access key and secret. It can be stopped (connections are refused) and
 * started again on the same port and directory (the same objects are back); the chaos tests use that.
 */
public final class S3ProxyFixture implements AutoCloseable {

    public static final String ACCESS_KEY = "pk-test-access";
    public static final String SECRET_KEY = "pk-test-secret-0123456789";
    public static final String BUCKET = "archive-test";

    private final Path baseDir;
    /** 0 until the first start picks a free port; later starts reuse it. */
    private int port;

    private S3Proxy proxy;
    private BlobStoreContext context;

    public S3ProxyFixture(Path baseDir) throws Exception {
        this.baseDir = baseDir;
        Files.createDirectories(baseDir);
        start();
        try (S3Client s3 = S3ArchiveStore.newClient(settings().build())) {
            s3.createBucket(b -> b.bucket(BUCKET));
        }
    }

    /** Starts the proxy (again) on its port and directory. */
    public void start() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", baseDir.toString());
        context = ContextBuilder.newBuilder("filesystem")
                .credentials("unused", "unused")
                .overrides(properties)
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within 10 s: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        port = proxy.getPort();
    }

    /** Stops the proxy: the store is gone until {@link #start}. */
    public void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop: " + e.getMessage(), e);
        } finally {
            context.close();
            proxy = null;
        }
    }

    /** Settings with the right credentials; adjust with the builder. */
    public S3Settings.Builder settings() {
        return S3Settings.newBuilder()
                .endpoint(endpoint())
                .region("us-east-1")
                .pathStyle(true)
                .credentials(ACCESS_KEY, SECRET_KEY);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        if (proxy != null) {
            stop();
        }
    }
}

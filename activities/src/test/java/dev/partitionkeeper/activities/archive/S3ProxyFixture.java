package dev.partitionkeeper.activities.archive;

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
 * signatures (V2 or V4) against one access key and secret.
 */
final class S3ProxyFixture implements AutoCloseable {

  static final String ACCESS_KEY = "pk-test-access";
  static final String SECRET_KEY = "pk-test-secret-0123456789";
  static final String BUCKET = "archive-test";

  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final String endpoint;

  S3ProxyFixture(Path baseDir) throws Exception {
    Files.createDirectories(baseDir);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", baseDir.toString());
    context = ContextBuilder.newBuilder("filesystem").credentials("unused", "unused").overrides(properties)
        .build(BlobStoreContext.class);
    proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
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
    endpoint = "http://127.0.0.1:" + proxy.getPort();
    try (S3Client s3 = S3ArchiveStore.newClient(settings().build())) {
      s3.createBucket(b -> b.bucket(BUCKET));
    }
  }

  /** Settings with the right credentials; adjust with the builder. */
  S3Settings.Builder settings() {
    return S3Settings.newBuilder().endpoint(endpoint).region("us-east-1").pathStyle(true)
        .credentials(ACCESS_KEY, SECRET_KEY);
  }

  String endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("S3Proxy did not stop: " + e.getMessage(), e);
    } finally {
      context.close();
    }
  }
}

package dev.partitionkeeper.worker.chaos;

import dev.partitionkeeper.activities.archive.S3ArchiveStore;
import dev.partitionkeeper.activities.archive.S3Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3Proxy on 127.0.0.1 over a local directory that can be stopped (the store is gone: connections are
 * refused) and started again on the same port and directory (the same objects are back).
 */
final class RestartableS3 implements AutoCloseable {
  static final String ACCESS_KEY = "pk-chaos-access";
  static final String SECRET_KEY = "pk-chaos-secret-0123456789";
  static final String BUCKET = "chaos-archive";

  private final Path baseDir;
  private int port;
  private S3Proxy proxy;
  private BlobStoreContext context;

  RestartableS3(Path baseDir) throws Exception {
    this.baseDir = baseDir;
    Files.createDirectories(baseDir);
    start();
    try (S3Client s3 = S3ArchiveStore.newClient(settings())) {
      s3.createBucket(b -> b.bucket(BUCKET));
    }
  }

  void start() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", baseDir.toString());
    context = ContextBuilder.newBuilder("filesystem").credentials("unused", "unused").overrides(properties)
        .build(BlobStoreContext.class);
    proxy = S3Proxy.builder().blobStore(context.getBlobStore())
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

  void stop() throws Exception {
    try {
      proxy.stop();
    } finally {
      context.close();
    }
    proxy = null;
  }

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  S3Settings settings() {
    return S3Settings.newBuilder().endpoint(endpoint()).region("us-east-1").pathStyle(true)
        .credentials(ACCESS_KEY, SECRET_KEY).build();
  }

  /** The worker process finds its credentials where the AWS SDK looks: the environment. */
  Map<String, String> workerEnvironment() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_REGION", "us-east-1");
  }

  String archiveYaml(String prefix) {
    return "archive:\n  location: s3://" + BUCKET + "/" + prefix + "\n  s3_endpoint: " + endpoint()
        + "\n  s3_region: us-east-1\n  s3_path_style: true\n";
  }

  @Override
  public void close() throws Exception {
    if (proxy != null) {
      stop();
    }
  }
}

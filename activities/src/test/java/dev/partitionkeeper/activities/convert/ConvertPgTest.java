package dev.partitionkeeper.activities.convert;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/** The convert tests' fixture: each test on a fresh database of its own, with a pool on it. */
@Tag("postgres")
abstract class ConvertPgTest {
    String url;
    HikariDataSource ds;

    /** Runs before the subclass's own {@code @BeforeEach}. */
    @BeforeEach
    void createDatabase() {
        url = PgTestSupport.newDatabase("convert");
        ds = PgDataSources.create(url, null, null, 4);
    }

    @AfterEach
    void closePool() {
        ds.close();
    }

    /** Roles are cluster-wide: one per test database, named {@code <kind>_<database>}. */
    String role(String kind) {
        return kind + "_" + url.replaceAll(".*/(pk_[a-z0-9_]+).*", "$1").replaceAll("[^a-z0-9_]", "");
    }

    long q(String sql) {
        return PgTestSupport.queryLong(url, sql);
    }
}

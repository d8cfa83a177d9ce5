package dev.partitionkeeper.worker.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;

/**
 * The demo schema for {@code dev}: a {@code transactions} table partitioned monthly by
 * {@code created_at}, about 14 months of payment-shaped rows, and a default partition holding a few
 * stray rows (some in a month the runway will create, some far in the past).
 */
public final class DemoData {
    public static final String TABLE = "public.transactions";

    private DemoData() {}

    /** The demo table's definition and its partitions and rows, from deploy/app-db/initdb (packaged under demo/). */
    static final String TABLE_SQL = "demo/demo-transactions.psql";

    static final String ROWS_SQL = "demo/demo-transactions-rows.psql";

    /** Creates the table if missing; returns the number of rows inserted (0 when it already existed). */
    public static long create(String jdbcUrl, LocalDate today, int rowsPerMonth) throws SQLException {
        if (rowsPerMonth < 1) {
            throw new IllegalArgumentException("rows per month must be at least 1, got: " + rowsPerMonth);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT to_regclass('public.transactions') IS NOT NULL");
            rs.next();
            if (rs.getBoolean(1)) {
                return 0;
            }
            s.execute("SET pk_demo.today = '" + today + "'");
            s.execute("SET pk_demo.rows_per_month = " + rowsPerMonth);
            s.execute(resource(TABLE_SQL));
            s.execute(resource(ROWS_SQL));
            return (long) rowsPerMonth * 14 + 5;
        }
    }

    private static String resource(String name) {
        try (InputStream in = DemoData.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the demo schema " + name + " is not in this build (the container image"
                        + " leaves dev out); run dev from a source build: mvn -B -q package -DskipTests");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The policy {@code dev} runs with, as YAML: the whole chain. Partitions older than 12 months are detached,
     * exported to {@code archiveDir}, verified against it and dropped in the same pass ({@code drop_grace: 0d}).
     */
    public static String policyYaml(Path archiveDir) {
        return """
        archive:
          location: %s
        tables:
          - table: public.transactions
            interval: monthly
            premake: 3
            retention: 12 months
            timezone: UTC
            default_partition: keep
            retention_action: archive_and_drop
            drop_grace: 0d
        """.formatted(yamlString(archiveDir.toAbsolutePath().toString()));
    }

    private static String yamlString(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** The demo table's policy without an archive (detach only), as YAML. */
    public static String policyYaml() {
        return """
        tables:
          - table: public.transactions
            interval: monthly
            premake: 3
            retention: 12 months
            timezone: UTC
            default_partition: keep
        """;
    }
}

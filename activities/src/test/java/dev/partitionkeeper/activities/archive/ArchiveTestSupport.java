package dev.partitionkeeper.activities.archive;

import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** Small helpers shared by the archive tests. */
public final class ArchiveTestSupport {

    private ArchiveTestSupport() {}

    public static DataSource dataSource(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        return ds;
    }

    public static FileSystemArchiveStore fileStore(Path dir) {
        try {
            return new FileSystemArchiveStore(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Small files, so even a few hundred rows make several of them. */
    public static ExportOptions smallFiles(Path workDir) {
        return ExportOptions.newBuilder()
                .maxFileBytes(ExportOptions.MIN_FILE_BYTES)
                .rowGroupBytes(64 * 1024)
                .pageBytes(8 * 1024)
                .workDir(workDir)
                .progressEveryRows(100)
                .build();
    }

    /**
     * Rows in one table and not the other, both ways, compared as whole-row text so that every type takes
     * part, including json and point, which have no equality operator for a typed EXCEPT ALL.
     */
    public static long rowsDiffering(String url, TableName a, TableName b) {
        return PgTestSupport.queryLong(
                url,
                "SELECT count(*) FROM ("
                        + "(SELECT x::text FROM " + a.quoted() + " x EXCEPT ALL SELECT y::text FROM " + b.quoted()
                        + " y)"
                        + " UNION ALL "
                        + "(SELECT y::text FROM " + b.quoted() + " y EXCEPT ALL SELECT x::text FROM " + a.quoted()
                        + " x)) d");
    }

    /** Column names and types of a table, for comparing a restored table's shape with its source's. */
    public static String columnTypes(String url, TableName t) {
        try (var c = DriverManager.getConnection(url);
                var ps = c.prepareStatement("SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod)"
                        + " || CASE WHEN attnotnull THEN ' NOT NULL' ELSE '' END, ', ' ORDER BY attnum) FROM pg_attribute"
                        + " WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped")) {
            ps.setString(1, t.quoted());
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

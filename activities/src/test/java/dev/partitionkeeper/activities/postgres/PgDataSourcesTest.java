package dev.partitionkeeper.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every pooled connection prints timestamps one way, whatever the server or role defaults say. */
@Tag("postgres")
class PgDataSourcesTest {

    @Test
    void connectionsRunInUtcWithIsoDatesAndNameThemselves() throws Exception {
        String url = PgTestSupport.newDatabase("datasource");
        String db = url.substring(url.lastIndexOf('/') + 1, url.contains("?") ? url.indexOf('?') : url.length());
        PgTestSupport.exec(
                url,
                "ALTER DATABASE \"" + db + "\" SET TimeZone = 'Pacific/Auckland'",
                "ALTER DATABASE \"" + db + "\" SET DateStyle = 'ISO, DMY'");
        try (HikariDataSource ds = PgDataSources.create(url, null, null, 2);
                Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('TimeZone'), current_setting('DateStyle'),"
                        + " current_setting('application_name'), '2024-03-01 00:00:00+00'::timestamptz::text")) {
            rs.next();
            assertEquals("UTC", rs.getString(1));
            assertEquals("ISO, YMD", rs.getString(2));
            assertEquals("partition-keeper", rs.getString(3));
            assertEquals("2024-03-01 00:00:00+00", rs.getString(4));
        }
    }
}

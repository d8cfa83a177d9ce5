package dev.partitionkeeper.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** archive.format and the archive.iceberg_* keys. */
class ArchiveFormatSettingsTest {

    private static WorkerConfig parse(String archive) {
        return WorkerConfig.parse(
                "pk.yaml",
                "tables:\n  - table: public.events\n    interval: monthly\narchive:\n  location: /srv/lake\n" + archive,
                Map.of());
    }

    @Test
    void parquetIsTheDefault() {
        ArchiveFormatSettings f = parse("").archive().format();
        assertEquals(ArchiveFormatSettings.PARQUET, f.format());
        assertFalse(f.iceberg());
    }

    @Test
    void icebergWithTheDefaultJdbcCatalogAndTemplates() {
        ArchiveFormatSettings f = parse("  format: Iceberg\n  iceberg_namespace: 'archive_{schema}'\n")
                .archive()
                .format();
        assertTrue(f.iceberg());
        assertEquals("jdbc", f.catalog());
        assertNull(f.catalogUri());
        assertEquals("archive_{schema}", f.namespace());
    }

    @Test
    void badValuesAreReportedWithTheKeyAndTheValue() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> parse("  format: delta\n  iceberg_catalog: hive\n"));
        String m = String.join("\n", e.problems());
        assertTrue(m.contains("archive.format must be parquet or iceberg, got: \"delta\""), m);
        assertTrue(m.contains("archive.iceberg_catalog must be jdbc or rest, got: \"hive\""), m);

        ConfigException rest =
                assertThrows(ConfigException.class, () -> parse("  format: iceberg\n  iceberg_catalog: rest\n"));
        assertTrue(
                String.join("\n", rest.problems()).contains("archive.iceberg_catalog_uri is required"),
                rest.problems().toString());

        ConfigException jdbc = assertThrows(
                ConfigException.class, () -> parse("  format: iceberg\n  iceberg_catalog_uri: 'mysql://db/x'\n"));
        assertTrue(
                String.join("\n", jdbc.problems()).contains("must be a jdbc:postgresql: URL"),
                jdbc.problems().toString());
    }
}

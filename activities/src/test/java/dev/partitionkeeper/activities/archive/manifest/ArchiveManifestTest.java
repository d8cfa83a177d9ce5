package dev.partitionkeeper.activities.archive.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.ValueKind;
import dev.partitionkeeper.activities.archive.copy.TextFormSettings;
import dev.partitionkeeper.activities.archive.parquet.ParquetSchemas;
import dev.partitionkeeper.activities.archive.restore.DdlBuilder;
import dev.partitionkeeper.activities.archive.summary.ContentChecksum;
import dev.partitionkeeper.workflows.model.TableName;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchiveManifestTest {

    private static ArchiveManifest manifest(int version) {
        List<ArchiveColumn> columns = List.of(
                new ArchiveColumn(
                        "id",
                        "bigint",
                        true,
                        null,
                        null,
                        null,
                        ValueKind.INT64,
                        0,
                        0,
                        ParquetSchemas.describe(ValueKind.INT64, 0, 0)),
                new ArchiveColumn(
                        "amount",
                        "numeric(12,2)",
                        false,
                        "0",
                        null,
                        null,
                        ValueKind.DECIMAL,
                        12,
                        2,
                        ParquetSchemas.describe(ValueKind.DECIMAL, 12, 2)),
                new ArchiveColumn(
                        "tags",
                        "text[]",
                        false,
                        null,
                        null,
                        null,
                        ValueKind.TEXT_FORM,
                        0,
                        0,
                        ParquetSchemas.describe(ValueKind.TEXT_FORM, 0, 0)));
        return new ArchiveManifest(
                version,
                "partition-keeper test",
                "2024-02-01T00:00:00Z",
                new TableName("public", "Billing Events"),
                "p1",
                "2024-01-01",
                "2024-02-01",
                new TableName("archive", "p1"),
                DdlBuilder.createTable(new TableName("public", "p1"), columns),
                columns,
                TextFormSettings.asMap(),
                "id",
                "1",
                "99",
                99,
                ContentChecksum.ALGORITHM,
                "00ff",
                "ZSTD",
                List.of(new ArchiveFile("part-00000.parquet", 10, "ab", 99)));
    }

    @Test
    void jsonIsSnakeCaseAndReadsBackEqual() throws Exception {
        ArchiveManifest m = manifest(ArchiveManifest.FORMAT_VERSION);
        String json = new String(m.toJson(), StandardCharsets.UTF_8);
        for (String field : List.of(
                "\"format_version\"",
                "\"row_count\" : 99",
                "\"content_checksum\"",
                "\"key_min\"",
                "\"bound_from\"",
                "\"partition_key\"",
                "\"parquet_type\" : \"INT64 DECIMAL(12,2)\"",
                "\"sha256\"",
                "\"text_form_settings\"",
                "\"TimeZone\" : \"UTC\"")) {
            assertTrue(json.contains(field), field + " in\n" + json);
        }
        assertEquals(m, ArchiveManifest.fromJson(m.toJson(), "test"));
        assertEquals(List.of("tags"), m.textFormColumns());
        assertEquals(10, m.totalBytes());
    }

    @Test
    void ddlNamesEveryColumnWithTypeDefaultAndNotNull() {
        assertEquals(
                "CREATE TABLE \"public\".\"p1\" (\n  \"id\" bigint NOT NULL,\n  \"amount\" numeric(12,2) DEFAULT 0,\n"
                        + "  \"tags\" text[]\n)",
                manifest(1).ddl());
    }

    @Test
    void manifestsFromANewerVersionOrNotOursAreRefused() {
        byte[] newer = manifest(ArchiveManifest.FORMAT_VERSION + 1).toJson();
        assertEquals(
                "s3://b/m.json has format version 2 but this partition-keeper reads versions up to 1:"
                        + " upgrade partition-keeper to read it",
                assertThrows(InvalidManifestException.class, () -> ArchiveManifest.fromJson(newer, "s3://b/m.json"))
                        .getMessage());
        assertTrue(assertThrows(
                        InvalidManifestException.class,
                        () -> ArchiveManifest.fromJson("{\"rows\": 1}".getBytes(StandardCharsets.UTF_8), "x"))
                .getMessage()
                .startsWith("x lacks columns, files or the content checksum"));
        assertTrue(assertThrows(
                        InvalidManifestException.class,
                        () -> ArchiveManifest.fromJson("not json".getBytes(StandardCharsets.UTF_8), "x"))
                .getMessage()
                .startsWith("x is not a valid archive manifest: "));
    }
}

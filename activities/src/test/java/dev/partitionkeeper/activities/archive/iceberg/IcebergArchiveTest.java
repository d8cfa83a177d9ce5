package dev.partitionkeeper.activities.archive.iceberg;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.columnTypes;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.JANUARY;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.PARENT;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.RESTORED;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.SOURCE;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.allTypesDatabase;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.assertJanuaryRestores;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.countThroughGenerics;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.exportJanuary;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.localFormat;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.policy;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.request;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.settings;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.snapshots;
import static dev.partitionkeeper.activities.archive.iceberg.IcebergFixture.verifyJanuary;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static dev.partitionkeeper.activities.testing.PgTestSupport.queryLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.sql.DataSource;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** archive.format iceberg: round trip of every type, exactly once, a corrupted file, schema changes. */
@Tag("postgres")
class IcebergArchiveTest {

    @TempDir
    Path dir;

    @Test
    void everyTypeSurvivesExportVerifyAndRestoreThroughIceberg() throws Exception {
        String url = allTypesDatabase("iceberg_types");
        IcebergArchiveFormat format = localFormat(url, dir);

        ExportResult exported = exportJanuary(format);
        long sourceRows = queryLong(url, "SELECT count(*) FROM " + SOURCE.quoted());
        assertEquals(ActionResult.DONE, exported.outcome());
        assertEquals(sourceRows, exported.rows());
        assertTrue(exported.files() > 1, "small files: " + exported);
        assertTrue(
                exported.textFormColumns().containsAll(List.of("n_huge", "n_free", "ia", "iv", "mo")),
                exported.textFormColumns().toString());
        assertTrue(format.isComplete(PARENT, "events_p2024_01"));

        ExportResult again = exportJanuary(format);
        assertEquals(ActionResult.ALREADY_DONE, again.outcome());
        assertEquals(exported.contentChecksum(), again.contentChecksum());

        Table table = format.catalog().loadTable(IcebergTables.id(format.settings(), PARENT));
        assertEquals(
                "[\n  1000: tstz_month: month(21)\n]", table.spec().toString().replaceAll("\\(\\d+\\)", "(21)"));
        assertEquals(1, snapshots(table).size());
        assertEquals(sourceRows, countThroughGenerics(table));
        for (DataFile f : table.currentSnapshot().addedDataFiles(table.io())) {
            assertTrue(f.lowerBounds() != null && !f.lowerBounds().isEmpty(), "column metrics: " + f);
        }

        VerifyResult verified = verifyJanuary(format);
        assertTrue(verified.ok(), verified.mismatches().toString());
        assertEquals(sourceRows, verified.archiveRows());
        assertEquals(
                new ArchiveFormat.Archived(sourceRows, exported.contentChecksum()),
                format.archived(PARENT, "events_p2024_01"));

        RestoreResult restored = assertJanuaryRestores(url, format);
        assertEquals(sourceRows, restored.rows());
        assertEquals(exported.contentChecksum(), restored.contentChecksum());
        assertEquals(columnTypes(url, SOURCE), columnTypes(url, RESTORED));

        // by bounds, attached to the parent again
        exec(url, "DROP TABLE " + RESTORED.quoted());
        RestoreResult attached = format.restorer()
                .restoreBounds(PARENT, "'2024-01-01 00:00:00+00'", "'2024-02-01 00:00:00+00'", RESTORED, true);
        assertTrue(attached.ok(), attached.mismatches().toString());
        assertEquals(sourceRows, queryLong(url, "SELECT count(*) FROM public.events"));
        format.close();
    }

    @Test
    void anExportKilledBeforeOrAfterItsCommitArchivesTheRowsOnce() throws Exception {
        for (String stage : List.of("files-written", "committed")) {
            String url = allTypesDatabase("iceberg_once");
            DataSource ds = dataSource(url);
            Path work = Files.createDirectories(dir.resolve("work-" + stage));
            Path warehouse = dir.resolve("wh-" + stage);
            IcebergSettings s = settings(url, warehouse);
            long sourceRows = queryLong(url, "SELECT count(*) FROM " + SOURCE.quoted());

            IcebergArchiveFormat killed = new IcebergArchiveFormat(ds, s, smallFiles(work), at -> {
                if (at.equals(stage)) {
                    throw new IllegalStateException("killed at " + at);
                }
            });
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> killed.export(policy(PARENT), JANUARY, ProgressListener.NONE));
            assertEquals("killed at " + stage, e.getMessage());
            killed.close();

            IcebergArchiveFormat rerun = new IcebergArchiveFormat(ds, s, smallFiles(work));
            ExportResult second = exportJanuary(rerun);
            assertEquals(
                    stage.equals("committed") ? ActionResult.ALREADY_DONE : ActionResult.DONE, second.outcome(), stage);
            Table table = rerun.catalog().loadTable(IcebergTables.id(s, PARENT));
            assertEquals(1, snapshots(table).size(), stage + ": " + snapshots(table));
            assertEquals(sourceRows, countThroughGenerics(table), stage);
            VerifyResult v = verifyJanuary(rerun);
            assertTrue(v.ok(), stage + ": " + v.mismatches());
            // the killed attempt's uncommitted files were deleted: on disk are the committed snapshot's files only
            long committedFiles = 0;
            for (DataFile ignored : table.currentSnapshot().addedDataFiles(table.io())) {
                committedFiles++;
            }
            long onDisk;
            try (var files = Files.walk(warehouse)) {
                onDisk = files.filter(p -> p.toString().endsWith(".parquet")).count();
            }
            assertEquals(committedFiles, onDisk, stage);
            assertEquals(0, Files.list(work).count(), "no local leftovers: " + stage);
            rerun.close();
        }
    }

    @Test
    void aCorruptedDataFileFailsVerify() throws Exception {
        IcebergArchiveFormat format = localFormat(allTypesDatabase("iceberg_corrupt"), dir);
        exportJanuary(format);
        Table table = format.catalog().loadTable(IcebergTables.id(format.settings(), PARENT));
        DataFile first =
                table.currentSnapshot().addedDataFiles(table.io()).iterator().next();
        try (RandomAccessFile f = new RandomAccessFile(LocalFileIO.file(first.location()), "rw")) {
            f.seek(f.length() / 2);
            f.write(new byte[64]);
        }
        VerifyResult v = verifyJanuary(format);
        assertFalse(v.ok());
        assertTrue(v.summary().contains("does not match its source"), v.summary());

        // a data file deleted outright: the same
        Files.delete(LocalFileIO.file(first.location()).toPath());
        VerifyResult gone = verifyJanuary(format);
        assertFalse(gone.ok());
        format.close();
    }

    @Test
    void anAddedColumnJoinsTheIcebergSchemaAndARetypedOneStopsTheExport() throws Exception {
        String url = allTypesDatabase("iceberg_schema");
        IcebergArchiveFormat format = localFormat(url, dir);
        exportJanuary(format);

        TableName feb = new TableName("archive", "events_p2024_02");
        exec(
                url,
                "CREATE TABLE archive.events_p2024_02 (LIKE archive.events_p2024_01)",
                "ALTER TABLE archive.events_p2024_02 ADD COLUMN added_later bigint",
                "INSERT INTO archive.events_p2024_02 (id, tstz, added_later)"
                        + " SELECT g, timestamptz '2024-02-01 00:00:00+00' + g * interval '1 hour', g FROM generate_series(1, 50) g");
        ExportRequest february =
                request(feb, "events_p2024_02", "'2024-02-01 00:00:00+00'", "'2024-03-01 00:00:00+00'");
        assertEquals(
                ActionResult.DONE,
                format.export(policy(PARENT), february, ProgressListener.NONE).outcome());
        Table table = format.catalog().loadTable(IcebergTables.id(format.settings(), PARENT));
        assertTrue(
                table.schema().findField("added_later") != null, table.schema().toString());
        assertTrue(format.verify(policy(PARENT), "events_p2024_02", feb).ok());
        assertTrue(verifyJanuary(format).ok(), "the older partition still reads");

        TableName mar = new TableName("archive", "events_p2024_03");
        exec(
                url,
                "CREATE TABLE archive.events_p2024_03 (LIKE archive.events_p2024_02)",
                "ALTER TABLE archive.events_p2024_03 ALTER COLUMN added_later TYPE text",
                "INSERT INTO archive.events_p2024_03 (id, tstz) VALUES (1, '2024-03-02 00:00:00+00')");
        ExportRequest march = request(mar, "events_p2024_03", "'2024-03-01 00:00:00+00'", "'2024-04-01 00:00:00+00'");
        ArchiveFormat.Refused refused = assertThrows(
                ArchiveFormat.Refused.class, () -> format.export(policy(PARENT), march, ProgressListener.NONE));
        assertEquals(IcebergSchemas.SCHEMA_CHANGE, refused.failureType());
        assertTrue(
                refused.getMessage()
                        .startsWith("column \"added_later\" of archive.events_p2024_03 is text"
                                + " (Iceberg string) but long in Iceberg table"),
                refused.getMessage());
        assertFalse(format.isComplete(PARENT, "events_p2024_03"));

        // rows spanning two months of the table's month(tstz) spec: refused, nothing committed
        exec(
                url,
                "CREATE TABLE archive.events_span (LIKE archive.events_p2024_02)",
                "INSERT INTO archive.events_span (id, tstz) VALUES (1, '2024-04-30 00:00:00+00'), (2, '2024-05-01 00:00:00+00')");
        ExportRequest span = request(
                new TableName("archive", "events_span"),
                "events_span",
                "'2024-04-01 00:00:00+00'",
                "'2024-06-01 00:00:00+00'");
        ArchiveFormat.Refused spans = assertThrows(
                ArchiveFormat.Refused.class, () -> format.export(policy(PARENT), span, ProgressListener.NONE));
        assertEquals(IcebergSchemas.SCHEMA_CHANGE, spans.failureType());
        assertTrue(spans.getMessage().contains("more than one Iceberg partition"), spans.getMessage());
        assertFalse(format.isComplete(PARENT, "events_span"));
        format.close();
    }
}

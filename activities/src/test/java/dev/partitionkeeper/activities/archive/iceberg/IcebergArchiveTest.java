package dev.partitionkeeper.activities.archive.iceberg;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.columnTypes;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.rowsDiffering;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static dev.partitionkeeper.activities.testing.PgTestSupport.queryLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** archive.format iceberg: round trip of every type, exactly once, a corrupted file, schema changes. */
@Tag("postgres")
class IcebergArchiveTest {

    static final TableName PARENT = new TableName("public", "events");
    static final TableName SOURCE = new TableName("archive", "events_p2024_01");
    static final TableName RESTORED = new TableName("restored", "events_p2024_01");

    @TempDir
    Path dir;

    static TablePolicy policy(TableName t) {
        return new TablePolicy(
                t,
                PartitionInterval.MONTHLY,
                4,
                null,
                "UTC",
                DefaultPartitionMode.NONE,
                RetentionAction.DETACH_ONLY,
                TablePolicy.DEFAULT_DROP_GRACE_DAYS);
    }

    static IcebergSettings settings(String url, Path warehouse) {
        exec(url, "CREATE SCHEMA IF NOT EXISTS partition_keeper");
        return IcebergSettings.jdbcInSchema(url, null, null, "partition_keeper", warehouse.toString());
    }

    /** The JDBC catalog in the test database's partition_keeper schema, the warehouse anywhere. */
    static IcebergSettings settingsIn(String url, String warehouse) {
        exec(url, "CREATE SCHEMA IF NOT EXISTS partition_keeper");
        return IcebergSettings.jdbcInSchema(url, null, null, "partition_keeper", warehouse);
    }

    static ExportRequest request(TableName source, String partition, String from, String to) {
        return new ExportRequest(source, PARENT, partition, from, to, "tstz");
    }

    static final ExportRequest JANUARY =
            request(SOURCE, "events_p2024_01", "'2024-01-01 00:00:00+00'", "'2024-02-01 00:00:00+00'");

    @Test
    void everyTypeSurvivesExportVerifyAndRestoreThroughIceberg() throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_types");
        createAllTypesTable(url);
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        IcebergArchiveFormat format = new IcebergArchiveFormat(ds, settings(url, dir.resolve("wh")), smallFiles(work));

        ExportResult exported = format.export(policy(PARENT), JANUARY, ProgressListener.NONE);
        long sourceRows = queryLong(url, "SELECT count(*) FROM " + SOURCE.quoted());
        assertEquals(ActionResult.DONE, exported.outcome());
        assertEquals(sourceRows, exported.rows());
        assertTrue(exported.files() > 1, "small files: " + exported);
        assertTrue(
                exported.textFormColumns().containsAll(List.of("n_huge", "n_free", "ia", "iv", "mo")),
                exported.textFormColumns().toString());
        assertTrue(format.isComplete(PARENT, "events_p2024_01"));

        ExportResult again = format.export(policy(PARENT), JANUARY, ProgressListener.NONE);
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

        VerifyResult verified = format.verify(policy(PARENT), "events_p2024_01", SOURCE);
        assertTrue(verified.ok(), verified.mismatches().toString());
        assertEquals(sourceRows, verified.archiveRows());
        assertEquals(
                new ArchiveFormat.Archived(sourceRows, exported.contentChecksum()),
                format.archived(PARENT, "events_p2024_01"));

        exec(url, "CREATE SCHEMA restored");
        RestoreResult restored = format.restorer().restore(PARENT, "events_p2024_01", RESTORED, false);
        assertTrue(restored.ok(), restored.mismatches().toString());
        assertEquals(sourceRows, restored.rows());
        assertEquals(exported.contentChecksum(), restored.contentChecksum());
        assertEquals(columnTypes(url, SOURCE), columnTypes(url, RESTORED));
        assertEquals(0, rowsDiffering(url, SOURCE, RESTORED));

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
            String url = PgTestSupport.newDatabase("iceberg_once");
            createAllTypesTable(url);
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
            ExportResult second = rerun.export(policy(PARENT), JANUARY, ProgressListener.NONE);
            assertEquals(
                    stage.equals("committed") ? ActionResult.ALREADY_DONE : ActionResult.DONE, second.outcome(), stage);
            Table table = rerun.catalog().loadTable(IcebergTables.id(s, PARENT));
            assertEquals(1, snapshots(table).size(), stage + ": " + snapshots(table));
            assertEquals(sourceRows, countThroughGenerics(table), stage);
            VerifyResult v = rerun.verify(policy(PARENT), "events_p2024_01", SOURCE);
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
        String url = PgTestSupport.newDatabase("iceberg_corrupt");
        createAllTypesTable(url);
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        IcebergArchiveFormat format = new IcebergArchiveFormat(ds, settings(url, dir.resolve("wh")), smallFiles(work));
        format.export(policy(PARENT), JANUARY, ProgressListener.NONE);
        Table table = format.catalog().loadTable(IcebergTables.id(format.settings(), PARENT));
        DataFile first =
                table.currentSnapshot().addedDataFiles(table.io()).iterator().next();
        try (RandomAccessFile f = new RandomAccessFile(LocalFileIO.file(first.location()), "rw")) {
            f.seek(f.length() / 2);
            f.write(new byte[64]);
        }
        VerifyResult v = format.verify(policy(PARENT), "events_p2024_01", SOURCE);
        assertFalse(v.ok());
        assertTrue(v.summary().contains("does not match its source"), v.summary());

        // a data file deleted outright: the same
        Files.delete(LocalFileIO.file(first.location()).toPath());
        VerifyResult gone = format.verify(policy(PARENT), "events_p2024_01", SOURCE);
        assertFalse(gone.ok());
        format.close();
    }

    @Test
    void anAddedColumnJoinsTheIcebergSchemaAndARetypedOneStopsTheExport() throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_schema");
        createAllTypesTable(url);
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        IcebergArchiveFormat format = new IcebergArchiveFormat(ds, settings(url, dir.resolve("wh")), smallFiles(work));
        format.export(policy(PARENT), JANUARY, ProgressListener.NONE);

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
        assertTrue(format.verify(policy(PARENT), "events_p2024_01", SOURCE).ok(), "the older partition still reads");

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

    static List<Snapshot> snapshots(Table table) {
        List<Snapshot> out = new ArrayList<>();
        table.snapshots().forEach(out::add);
        return out;
    }

    /** Rows of the whole table as Iceberg plans its scan: every live data file, read by field id. */
    static long countThroughGenerics(Table table) throws Exception {
        long n = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask t : tasks) {
                n += IcebergFileReader.read(table.io(), t.file().location(), table.schema(), r -> {});
            }
        }
        return n;
    }

    /**
     * Every type the export supports, with their extremes; the infinities of date and timestamps go to their
     * columns' companions ({@link IcebergPgTextTest} has NaN in numeric(p,s) and year 294276 as well).
     */
    static void createAllTypesTable(String url) {
        exec(
                url,
                "SET TimeZone = 'America/St_Johns'",
                "CREATE SCHEMA archive",
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
                """
        CREATE TABLE archive.events_p2024_01 (
          id integer NOT NULL,
          i2 smallint, i4 integer, i8 bigint,
          n_money numeric(12,2), n_big numeric(38,10), n_huge numeric(60,5), n_int numeric(5,0),
          n_free numeric, n_dec numeric(10,2),
          f4 real, f8 double precision,
          b boolean,
          t text COLLATE "C", vc varchar(10), ch char(5), nm name,
          d date, ts timestamp, ts3 timestamp(3), tstz timestamptz NOT NULL DEFAULT now(), ts_old timestamp,
          u uuid, j json, jb jsonb, by bytea,
          ia integer[], ta text[], iv interval, ip inet, mo mood, dom posint, tr tstzrange, pt point,
          gen bigint GENERATED ALWAYS AS (i8 / 2) STORED,
          "Mixed Case ""col""\" text DEFAULT 'x'
        )""",
                "INSERT INTO archive.events_p2024_01 (id, tstz, \"Mixed Case \"\"col\"\"\") VALUES (1, '2024-01-01 00:00:00+00', NULL)",
                """
        INSERT INTO archive.events_p2024_01 VALUES (2, -32768, -2147483648, -9223372036854775808,
          -9999999999.99, -9999999999999999999999999999.9999999999, -1234567890123456789012345678901234567890123456789012345.12345,
          -99999, -1e-20, -0.01,
          '-Infinity', '-Infinity', false,
          '', '', '', '',
          '4713-01-01 BC', '4713-01-01 00:00:00 BC', '1900-01-01 00:00:00.001', '2024-01-01 00:00:00+00', '0044-03-15 12:00:00 BC',
          '00000000-0000-0000-0000-000000000000', '[]', '{}', '\\x',
          '{}', '{}', '-178000000 years', '0.0.0.0', 'sad', 1, 'empty', '(0,0)')""",
                """
        INSERT INTO archive.events_p2024_01 VALUES (3, 32767, 2147483647, 9223372036854775807,
          9999999999.99, 9999999999999999999999999999.9999999999, 1234567890123456789012345678901234567890123456789012345.12345,
          99999, 123456789012345678901234567890.123456789012345678901234567890, 99999999.99,
          'Infinity', 'Infinity', true,
          repeat('long text ', 1000), 'tenchars!!', 'abcde', repeat('n', 63),
          '9999-12-31', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999', '2024-01-31 23:59:59.999999+00', 'infinity',
          'ffffffff-ffff-ffff-ffff-ffffffffffff', '{"a": 1,  "b": [1, 2, {"c": null}]}', '{"z": 1, "a": [true, false]}', '\\xdeadbeef00ff',
          '{1,NULL,3}', '{"a,b","c\\"d",NULL,""}', '1 year 2 mons 3 days 04:05:06.789', '2001:db8::1/64', 'happy', 2147483647,
          '[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)', '(1.5,-2.25)')""",
                """
        INSERT INTO archive.events_p2024_01 VALUES (4, 0, 0, 0,
          0, 0.0000000001, 0.00001, 0, 'NaN', 0,
          'NaN', 'NaN', true,
          E'tab\\there\\nnewline\\\\backslash\\rcr', 'ünï', 'ä', 'name',
          'infinity', '-infinity', '1969-12-31 23:59:59.999', '2024-01-10 00:00:00-03:30', '-infinity',
          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '"string"', '"string"', '\\x00',
          '{{1,2},{3,4}}', '{"\\\\"}', '0', '127.0.0.1', 'ok', 42, '(,)', '(0,0)')""",
                """
        INSERT INTO archive.events_p2024_01 VALUES (5, 1, -1, 1,
          0.01, -0.0000000001, 1, 1, 'Infinity', 1.5,
          -0.0, -0.0, false,
          '日本語 🎉 emoji', 'ñ', ' a', 'x',
          '1969-12-31', '1969-12-31 23:59:59.999999', '1969-07-20 20:17:40', '2024-01-15 20:17:40.123456-04', '1900-01-01',
          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 'null', 'null', '\\x0102',
          NULL, '{NULL}', '-1 days', '10.0.0.0/8', 'sad', 7, '[2024-01-01,2024-01-02)', '(0,0)')""",
                """
        INSERT INTO archive.events_p2024_01 (id, i2, i4, i8, n_money, n_big, n_int, n_free, n_dec, f4, f8, b, t, vc,
          ch, d, ts, tstz, u, j, jb, by, ia, iv, mo)
        SELECT g, (g % 100)::smallint, g * 7, g::bigint * 1000003, g * 1.25, g / 7.0, g % 1000, g / 3.0, g * 0.5,
          g / 3.0, g / 7.0, g % 2 = 0, 'row ' || g, left(md5(g::text), 10), chr(65 + g % 26),
          date '2024-01-01' + g % 31, timestamp '2024-01-01' + g * interval '1 minute',
          timestamptz '2024-01-01 00:00:00+00' + g * interval '77 seconds',
          md5(g::text)::uuid, json_build_object('g', g), jsonb_build_object('g', g, 'h', 'x'), decode(md5(g::text), 'hex'),
          ARRAY[g, g + 1], g * interval '1 second', (ARRAY['sad','ok','happy'])[1 + g % 3]::mood
        FROM generate_series(100, 600) g""",
                "SET TimeZone = 'Asia/Kolkata'",
                "INSERT INTO archive.events_p2024_01 (id, tstz, ts) VALUES (8, '2024-01-15 08:00:00', '2024-01-15 08:00:00')",
                "CREATE TABLE public.events (LIKE archive.events_p2024_01 INCLUDING DEFAULTS INCLUDING GENERATED)"
                        + " PARTITION BY RANGE (tstz)");
    }
}

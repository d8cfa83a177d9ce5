package dev.partitionkeeper.activities.archive.iceberg;

import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.columnTypes;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.dataSource;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.rowsDiffering;
import static dev.partitionkeeper.activities.archive.ArchiveTestSupport.smallFiles;
import static dev.partitionkeeper.activities.testing.PgTestSupport.exec;
import static dev.partitionkeeper.activities.testing.PgTestSupport.queryLong;
import static dev.partitionkeeper.activities.testing.PgTestSupport.queryString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.archive.ArchiveFormat;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.archive.export.UnexportableValueException;
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
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values an Iceberg column's type cannot hold (NaN and infinities in numeric(p,s), infinity in date and
 * timestamps, timestamps after year 294246) round-trip through the column's {@code __pg_text} companion:
 * export, verify, restore, and the restored table equals the source row for row.
 */
@Tag("postgres")
class IcebergPgTextTest {

    static final TableName JAN = new TableName("archive", "events_p2024_01");
    static final TableName FEB = new TableName("archive", "events_p2024_02");
    static final String COLUMNS = "id integer NOT NULL, tstz timestamptz NOT NULL, n numeric(10,2),"
            + " nn numeric(10,2) NOT NULL DEFAULT 0, n_free numeric, n_wide numeric(50,5), d date, ts timestamp,"
            + " tz timestamptz, f8 double precision, note text";

    @TempDir
    Path dir;

    static ExportRequest request(TableName source, String month, String next) {
        return IcebergFixture.request(
                source, source.table(), "'2024-" + month + "-01 00:00:00+00'", "'2024-" + next + "-01 00:00:00+00'");
    }

    static String normalRows(String table, String month, int from, int to) {
        return "INSERT INTO " + table + " SELECT g, timestamptz '2024-" + month + "-01 00:00:00+00' + g * interval"
                + " '1 minute', g * 1.25, g * 0.5, g / 3.0, g * 1000000.00001, date '2024-01-01' + g,"
                + " timestamp '2024-01-01' + g * interval '1 second', timestamptz '2024-01-01 00:00:00+00' + g *"
                + " interval '1 hour', g / 7.0, 'row ' || g FROM generate_series(" + from + ", " + to + ") g";
    }

    @Test
    void valuesTheirIcebergTypeCannotHoldRoundTripThroughTheCompanionColumn() throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_pg_text");
        exec(
                url,
                "CREATE SCHEMA archive",
                "CREATE TABLE archive.events_p2024_01 (" + COLUMNS + ")",
                "CREATE TABLE archive.events_p2024_02 (" + COLUMNS + ")",
                "CREATE TABLE public.events (LIKE archive.events_p2024_01) PARTITION BY RANGE (tstz)",
                normalRows("archive.events_p2024_02", "02", 1, 300),
                normalRows("archive.events_p2024_01", "01", 1, 300),
                "SET TimeZone = 'Asia/Kolkata'",
                // the specials in the middle of the table: the files before them have no companion
                """
        INSERT INTO archive.events_p2024_01 VALUES
          (1001, '2024-01-20 10:00:00+00', 'NaN', 'NaN', 'NaN', 'NaN', 'infinity', 'infinity', 'infinity', 'NaN', 'a'),
          (1002, '2024-01-20 11:00:00+00', NULL, 1.5, 'Infinity', NULL, '-infinity', '-infinity', '-infinity',
           'Infinity', NULL),
          (1003, '2024-01-20 12:00:00+00', 12.34, 'NaN', '-Infinity', 1.5, '5874897-12-31',
           '294276-12-31 23:59:59.999999', '294247-01-10 04:00:54.775807+00', '-Infinity', 'c'),
          (1004, '2024-01-20 13:00:00+05:30', -99999999.99, -0.01, 0, 0, '4713-01-01 BC',
           '294247-01-10 04:00:54.775806', '294247-01-10 04:00:54.775806+00', 0, 'd'),
          (1005, '2024-01-20 14:00:00+00', 0, 0, NULL, NULL, NULL, '4713-01-01 00:00:00 BC',
           '294276-12-31 23:59:59.999999+00', NULL, 'e')""",
                normalRows("archive.events_p2024_01", "01", 301, 600));
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        IcebergArchiveFormat format =
                new IcebergArchiveFormat(ds, IcebergFixture.settings(url, dir.resolve("wh")), smallFiles(work));
        TableName parent = IcebergFixture.PARENT;

        // a partition without such values: no companion column
        ExportResult feb =
                format.export(IcebergFixture.policy(parent), request(FEB, "02", "03"), ProgressListener.NONE);
        assertEquals(ActionResult.DONE, feb.outcome());
        Table table = format.catalog().loadTable(IcebergTables.id(format.settings(), parent));
        assertEquals(List.of(), companions(table), table.schema().toString());
        assertFalse(table.currentSnapshot().summary().containsKey(ArchivedPartition.PG_TEXT_COLUMNS));

        ExportResult jan =
                format.export(IcebergFixture.policy(parent), request(JAN, "01", "02"), ProgressListener.NONE);
        assertEquals(ActionResult.DONE, jan.outcome());
        assertTrue(jan.files() > 1, jan.toString());
        long sourceRows = queryLong(url, "SELECT count(*) FROM " + JAN.quoted());
        assertEquals(sourceRows, jan.rows());
        assertEquals(List.of("n_free", "n_wide"), jan.textFormColumns(), "no column falls back to its text form");
        table.refresh();
        // unconstrained and wide numeric are Iceberg strings already: NaN and the infinities are their text there
        assertEquals(
                List.of("d__pg_text", "n__pg_text", "nn__pg_text", "ts__pg_text", "tz__pg_text"), companions(table));
        Types.NestedField n = table.schema().findField("n");
        assertEquals(Types.DecimalType.of(10, 2), n.type(), "the column keeps its natural type");
        assertEquals(
                Types.StringType.get(), table.schema().findField("n__pg_text").type());
        assertTrue(table.schema().findField("n__pg_text").isOptional());
        assertEquals(
                "[\"n__pg_text\",\"nn__pg_text\",\"d__pg_text\",\"ts__pg_text\",\"tz__pg_text\"]",
                table.currentSnapshot().summary().get(ArchivedPartition.PG_TEXT_COLUMNS));

        // what an engine sees: NULL in the natural column, the PostgreSQL text beside it
        Map<Integer, Record> byId = records(table, table.currentSnapshot());
        Record r1 = byId.get(1001);
        assertNull(r1.getField("n"));
        assertEquals("NaN", r1.getField("n__pg_text").toString());
        assertNull(r1.getField("d"));
        assertEquals("infinity", r1.getField("d__pg_text").toString());
        assertNull(r1.getField("ts"));
        assertEquals("infinity", r1.getField("ts__pg_text").toString());
        assertEquals("-infinity", byId.get(1002).getField("tz__pg_text").toString());
        assertEquals(
                "294276-12-31 23:59:59.999999",
                byId.get(1003).getField("ts__pg_text").toString());
        assertEquals(
                "294247-01-10 04:00:54.775807+00",
                byId.get(1003).getField("tz__pg_text").toString());
        assertEquals(LocalDate.of(5874897, 12, 31), byId.get(1003).getField("d"), "a finite date keeps its type");
        assertEquals(
                LocalDateTime.of(294247, 1, 10, 4, 0, 54, 775_806_000),
                byId.get(1004).getField("ts"));
        assertNull(byId.get(1004).getField("ts__pg_text"));
        assertEquals(new BigDecimal("12.34"), byId.get(1003).getField("n"));
        assertNull(byId.get(1003).getField("n__pg_text"));
        assertNull(byId.get(7).getField("n__pg_text"), "an ordinary row's companion is NULL");

        VerifyResult verified = format.verify(IcebergFixture.policy(parent), JAN.table(), JAN);
        assertTrue(verified.ok(), verified.mismatches().toString());
        assertEquals(sourceRows, verified.archiveRows());
        VerifyResult older = format.verify(IcebergFixture.policy(parent), FEB.table(), FEB);
        assertTrue(older.ok(), "files without the companion read it as NULL: " + older.mismatches());

        exec(url, "CREATE SCHEMA restored");
        for (TableName source : List.of(JAN, FEB)) {
            TableName into = new TableName("restored", source.table());
            RestoreResult restored = format.restorer().restore(parent, source.table(), into, false);
            assertTrue(restored.ok(), restored.mismatches().toString());
            assertEquals(columnTypes(url, source), columnTypes(url, into));
            assertEquals(0, rowsDiffering(url, source, into), source.toString());
            assertEquals(
                    0,
                    queryLong(
                            url,
                            "SELECT count(*) FROM ((TABLE " + source.quoted() + " EXCEPT ALL TABLE " + into.quoted()
                                    + ") UNION ALL (TABLE " + into.quoted() + " EXCEPT ALL TABLE " + source.quoted()
                                    + ")) x"),
                    source.toString());
        }
        assertEquals(
                "NaN|NaN|infinity|infinity|infinity",
                queryString(
                        url, "SELECT concat_ws('|', n, nn, d, ts, tz) FROM restored.events_p2024_01 WHERE id = 1001"));
        assertEquals(
                "294276-12-31 23:59:59.999999|294247-01-10 04:00:54.775807",
                queryString(
                        url,
                        "SELECT ts || '|' || (tz AT TIME ZONE 'UTC') FROM restored.events_p2024_01 WHERE id = 1003"));

        // exported again: already done, the same checksum
        ExportResult again =
                format.export(IcebergFixture.policy(parent), request(JAN, "01", "02"), ProgressListener.NONE);
        assertEquals(ActionResult.ALREADY_DONE, again.outcome());
        assertEquals(jan.contentChecksum(), again.contentChecksum());
        format.close();
    }

    @Test
    void aCompanionNameTakenByARealColumnIsRefusedBothWays() throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_pg_text_names");
        exec(
                url,
                "CREATE SCHEMA archive",
                "CREATE TABLE archive.events_p2024_01 (id integer, tstz timestamptz NOT NULL, n numeric(10,2),"
                        + " n__pg_text text)",
                "INSERT INTO archive.events_p2024_01 VALUES (1, '2024-01-02 00:00:00+00', 'NaN', 'mine')",
                "CREATE TABLE public.events (LIKE archive.events_p2024_01) PARTITION BY RANGE (tstz)");
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        IcebergArchiveFormat format =
                new IcebergArchiveFormat(ds, IcebergFixture.settings(url, dir.resolve("wh")), smallFiles(work));
        TableName parent = IcebergFixture.PARENT;

        // the source has a real column of the companion's name
        UnexportableValueException taken = assertThrows(
                UnexportableValueException.class,
                () -> format.export(IcebergFixture.policy(parent), request(JAN, "01", "02"), ProgressListener.NONE));
        assertEquals("n", taken.column());
        assertEquals(
                "column \"n\" of archive.events_p2024_01 holds NaN, which its Iceberg type decimal(10, 2) cannot"
                        + " hold; such values go into the companion column \"n__pg_text\", but archive.events_p2024_01"
                        + " has a column of that name. The partition stays detached: rename that column, or archive"
                        + " the table under another Iceberg name (archive.iceberg_table) or as Parquet"
                        + " (archive.format: parquet)",
                taken.getMessage());
        assertFalse(format.isComplete(parent, JAN.table()));
        assertEquals(0, Files.list(work).count(), "no local leftovers");

        // renamed in PostgreSQL: the Iceberg table still has the real column (archived from the first look)
        exec(url, "ALTER TABLE archive.events_p2024_01 RENAME COLUMN n__pg_text TO note");
        UnexportableValueException archived = assertThrows(
                UnexportableValueException.class,
                () -> format.export(IcebergFixture.policy(parent), request(JAN, "01", "02"), ProgressListener.NONE));
        assertTrue(
                archived.getMessage().contains("but partition_keeper.public.events has a column of that name"),
                archived.getMessage());
        format.close();

        // the other way: the companion exists, then a partition brings a real column of its name
        TableName other = new TableName("public", "others");
        exec(url, "CREATE TABLE public.others (LIKE archive.events_p2024_01) PARTITION BY RANGE (tstz)");
        IcebergArchiveFormat second =
                new IcebergArchiveFormat(ds, IcebergFixture.settings(url, dir.resolve("wh")), smallFiles(work));
        ExportRequest jan = new ExportRequest(
                JAN, other, JAN.table(), "'2024-01-01 00:00:00+00'", "'2024-02-01 00:00:00+00'", "tstz");
        assertEquals(
                ActionResult.DONE,
                second.export(IcebergFixture.policy(other), jan, ProgressListener.NONE)
                        .outcome());
        assertTrue(second.verify(IcebergFixture.policy(other), JAN.table(), JAN).ok());
        exec(
                url,
                "CREATE TABLE archive.events_p2024_02 (LIKE archive.events_p2024_01)",
                "ALTER TABLE archive.events_p2024_02 ADD COLUMN n__pg_text text",
                "INSERT INTO archive.events_p2024_02 VALUES (1, '2024-02-02 00:00:00+00', 1, 'x', 'mine')");
        ExportRequest feb = new ExportRequest(
                FEB, other, FEB.table(), "'2024-02-01 00:00:00+00'", "'2024-03-01 00:00:00+00'", "tstz");
        ArchiveFormat.Refused refused = assertThrows(
                ArchiveFormat.Refused.class,
                () -> second.export(IcebergFixture.policy(other), feb, ProgressListener.NONE));
        assertEquals(IcebergSchemas.SCHEMA_CHANGE, refused.failureType());
        assertTrue(
                refused.getMessage()
                        .startsWith("column \"n__pg_text\" of archive.events_p2024_02 has the name of the companion"
                                + " column that Iceberg table"),
                refused.getMessage());
        assertFalse(second.isComplete(other, FEB.table()));
        second.close();
    }

    @Test
    void anInfiniteKeyGoesToItsCompanionOnlyWithoutAPartitionTransform() throws Exception {
        String url = PgTestSupport.newDatabase("iceberg_pg_text_key");
        exec(
                url,
                "CREATE SCHEMA archive",
                "CREATE TABLE archive.events_last (id integer, tstz timestamptz NOT NULL, note text)",
                "INSERT INTO archive.events_last VALUES (1, '2030-01-02 00:00:00+00', 'a'), (2, 'infinity', 'b')",
                "CREATE TABLE public.events (LIKE archive.events_last) PARTITION BY RANGE (tstz)",
                "CREATE TABLE public.weekly (LIKE archive.events_last) PARTITION BY RANGE (tstz)");
        TableName source = new TableName("archive", "events_last");
        DataSource ds = dataSource(url);
        Path work = Files.createDirectories(dir.resolve("work"));
        IcebergArchiveFormat format =
                new IcebergArchiveFormat(ds, IcebergFixture.settings(url, dir.resolve("wh")), smallFiles(work));

        // month(tstz): the row would have no partition value
        ExportRequest monthly = new ExportRequest(
                source, IcebergFixture.PARENT, "events_last", "'2030-01-01 00:00:00+00'", "MAXVALUE", "tstz");
        UnexportableValueException e = assertThrows(
                UnexportableValueException.class,
                () -> format.export(IcebergFixture.policy(IcebergFixture.PARENT), monthly, ProgressListener.NONE));
        assertTrue(
                e.getMessage()
                        .startsWith("the partition key \"tstz\" of archive.events_last holds infinity, which its"
                                + " Iceberg type timestamptz cannot hold, so the row has no value for the table's"
                                + " Iceberg partition spec."),
                e.getMessage());

        // weekly: no transform, so the key is NULL in Iceberg and infinity in its companion
        TableName weekly = new TableName("public", "weekly");
        TablePolicy policy = new TablePolicy(
                weekly,
                PartitionInterval.WEEKLY,
                4,
                null,
                "UTC",
                DefaultPartitionMode.NONE,
                RetentionAction.DETACH_ONLY,
                TablePolicy.DEFAULT_DROP_GRACE_DAYS);
        ExportRequest request =
                new ExportRequest(source, weekly, "events_last", "'2030-01-01 00:00:00+00'", "MAXVALUE", "tstz");
        assertEquals(
                ActionResult.DONE,
                format.export(policy, request, ProgressListener.NONE).outcome());
        Table table = format.catalog().loadTable(IcebergTables.id(format.settings(), weekly));
        assertEquals(List.of("tstz__pg_text"), companions(table));
        assertTrue(format.verify(policy, "events_last", source).ok());
        exec(url, "CREATE SCHEMA restored");
        TableName into = new TableName("restored", "events_last");
        assertTrue(format.restorer().restore(weekly, "events_last", into, false).ok());
        assertEquals(0, rowsDiffering(url, source, into));
        format.close();
    }

    /** The table's companion columns, by name. */
    static List<String> companions(Table table) {
        return table.schema().columns().stream()
                .filter(PgTextColumns::isCompanion)
                .map(Types.NestedField::name)
                .sorted()
                .distinct()
                .toList();
    }

    /** The snapshot's rows as an Iceberg reader sees them in the current schema, by id. */
    static Map<Integer, Record> records(Table table, Snapshot s) throws Exception {
        Map<Integer, Record> out = new HashMap<>();
        for (DataFile f : s.addedDataFiles(table.io())) {
            IcebergFileReader.read(
                    table.io(), f.location(), table.schema(), r -> out.put((Integer) r.getField("id"), r.copy()));
        }
        return out;
    }
}

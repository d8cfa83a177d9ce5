package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.axis;
import static dev.partitionkeeper.activities.postgres.PgFixtures.connect;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createDefault;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createMonths;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createParent;
import static dev.partitionkeeper.activities.postgres.PgFixtures.exec;
import static dev.partitionkeeper.activities.postgres.PgFixtures.insertRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The catalog as PostgreSQL has it: real bounds whatever the names, the default's rows, specific errors. */
@Tag("postgres")
class CatalogReaderTest {
    private static final TableName EVENTS = new TableName("public", "events");
    private static final TableName BILLING = new TableName("My Schema", "Billing Events");
    private static String url;

    @BeforeAll
    static void createTables() {
        url = PgTestSupport.newDatabase("catalog_reader");
        createParent(url, EVENTS, "timestamptz");
        PgTestSupport.exec(
                url,
                // names that say nothing about the bounds, one in another schema, and an open lower end
                "CREATE TABLE public.\"Old Stuff\" PARTITION OF events FOR VALUES FROM (MINVALUE) TO ('2024-01-01 00:00:00+00')",
                "CREATE TABLE public.\"MixedCase_Jan\" PARTITION OF events FOR VALUES FROM ('2024-01-01 00:00:00+00')"
                        + " TO ('2024-02-01 00:00:00+00')",
                "CREATE SCHEMA \"Other Schema\"",
                "CREATE TABLE \"Other Schema\".feb PARTITION OF events FOR VALUES FROM ('2024-02-01 00:00:00+00')"
                        + " TO ('2024-03-01 00:00:00+00')",
                // a bound written in another zone is stored as the instant it names
                "CREATE TABLE public.events_p2024_03 PARTITION OF events FOR VALUES FROM ('2024-02-29 19:00:00-05')"
                        + " TO ('2024-04-01 00:00:00+00')");
        createDefault(url, EVENTS);
        insertRows(
                url,
                EVENTS,
                "2023-05-05 00:00:00+00",
                "2024-05-03 10:00:00.123456+00",
                "2024-07-09 23:59:59.999999+00",
                "2024-06-01 00:00:00+00");

        TableName ts = new TableName("public", "ts_events");
        createParent(url, ts, "timestamp");
        createMonths(url, ts, "timestamp", YearMonth.of(2024, 1), YearMonth.of(2024, 2));
        createDefault(url, ts);
        insertRows(url, ts, "2024-03-05 06:07:08", "2024-01-10 00:00:00");

        TableName day = new TableName("public", "day_events");
        createParent(url, day, "date");
        createMonths(url, day, "date", YearMonth.of(2024, 1), YearMonth.of(2024, 2));
        createDefault(url, day);
        insertRows(url, day, "2024-03-05", "2023-12-31");

        createParent(url, BILLING, "timestamptz");
        createMonths(url, BILLING, "timestamptz", YearMonth.of(2030, 1), YearMonth.of(2030, 2));

        PgTestSupport.exec(
                url,
                "CREATE TABLE public.ts3 (created_at timestamp(3) with time zone NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE public.empty_default (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE public.empty_default_d PARTITION OF public.empty_default DEFAULT",
                "CREATE TABLE public.plain (created_at timestamptz)",
                "CREATE VIEW public.a_view AS SELECT 1 AS x",
                "CREATE TABLE public.by_list (created_at timestamptz, region text) PARTITION BY LIST (region)",
                "CREATE TABLE public.by_hash (id bigint, created_at timestamptz) PARTITION BY HASH (id)",
                "CREATE TABLE public.two_cols (a timestamptz, b timestamptz) PARTITION BY RANGE (a, b)",
                "CREATE TABLE public.by_expr (created_at timestamp) PARTITION BY RANGE ((created_at::date))",
                "CREATE TABLE public.by_numeric (amount numeric(10,2), created_at timestamptz) PARTITION BY RANGE (amount)",
                "CREATE TABLE public.by_text (code text) PARTITION BY RANGE (code)",
                "CREATE TABLE public.y (id int)");
    }

    @Test
    void readsRealBoundsWhateverThePartitionsAreNamedAndTheSessionSettings() throws Exception {
        CatalogSnapshot snap;
        try (Connection c = connect(url)) {
            // the reader must not depend on how the session prints timestamps
            exec(c, "SET TimeZone = 'America/New_York'", "SET DateStyle = 'ISO, DMY'");
            snap = CatalogReader.read(c, EVENTS);
        }
        assertEquals("created_at", snap.keyColumn());
        assertEquals(KeyType.TIMESTAMPTZ, snap.keyType());
        List<PartitionInfo> parts = snap.partitions();
        assertEquals(
                List.of("Old Stuff", "MixedCase_Jan", "feb", "events_p2024_03", "events_default"),
                parts.stream().map(PartitionInfo::name).toList());
        assertEquals(
                List.of("public", "public", "Other Schema", "public", "public"),
                parts.stream().map(PartitionInfo::schema).toList());
        assertEquals(KeyAxis.MIN, parts.get(0).from());
        assertEquals(axis(LocalDate.of(2024, 1, 1)), parts.get(0).to());
        assertEquals(axis(LocalDate.of(2024, 1, 1)), parts.get(1).from());
        assertEquals(axis(LocalDate.of(2024, 2, 1)), parts.get(1).to());
        assertEquals(axis(LocalDate.of(2024, 2, 1)), parts.get(2).from());
        assertEquals(axis(LocalDate.of(2024, 3, 1)), parts.get(3).from(), "2024-02-29 19:00-05 is March 1st UTC");
        assertEquals(axis(LocalDate.of(2024, 4, 1)), parts.get(3).to());
        assertTrue(parts.get(4).isDefault());
        assertTrue(parts.stream().noneMatch(PartitionInfo::detachPending));

        // the row of 2023 went to "Old Stuff" (MINVALUE), the other three to the default partition
        assertEquals(3, snap.defaultRows());
        assertEquals(micros("2024-05-03T10:00:00.123456Z"), snap.defaultMin());
        assertEquals(micros("2024-07-09T23:59:59.999999Z"), snap.defaultMax());
    }

    @Test
    void readsTimestampKeysOnTheirWallClockAxis() throws Exception {
        CatalogSnapshot snap;
        try (Connection c = connect(url)) {
            exec(c, "SET TimeZone = 'Asia/Kolkata'");
            snap = CatalogReader.read(c, new TableName("public", "ts_events"));
        }
        assertEquals(KeyType.TIMESTAMP, snap.keyType());
        assertEquals(axis(LocalDate.of(2024, 1, 1)), snap.partitions().get(0).from());
        assertEquals(axis(LocalDate.of(2024, 3, 1)), snap.partitions().get(1).to());
        assertEquals(1, snap.defaultRows());
        long wall = KeyAxis.micros(LocalDateTime.of(2024, 3, 5, 6, 7, 8).toInstant(ZoneOffset.UTC));
        assertEquals(wall, snap.defaultMin());
        assertEquals(wall, snap.defaultMax());
    }

    @Test
    void readsDateKeys() throws Exception {
        CatalogSnapshot snap;
        try (Connection c = connect(url)) {
            snap = CatalogReader.read(c, new TableName("public", "day_events"));
        }
        assertEquals(KeyType.DATE, snap.keyType());
        assertEquals(
                List.of(axis(LocalDate.of(2024, 1, 1)), axis(LocalDate.of(2024, 2, 1))),
                snap.ranged().stream().map(PartitionInfo::from).toList());
        assertEquals(axis(LocalDate.of(2024, 3, 1)), snap.ranged().get(1).to());
        // 2023-12-31 and 2024-03-05 are both outside the two partitions
        assertEquals(2, snap.defaultRows());
        assertEquals(axis(LocalDate.of(2023, 12, 31)), snap.defaultMin());
        assertEquals(axis(LocalDate.of(2024, 3, 5)), snap.defaultMax());
    }

    @Test
    void anEmptyDefaultPartitionHasNoRowsAndATypmodDoesNotHideTheKeyType() throws Exception {
        try (Connection c = connect(url)) {
            CatalogSnapshot snap = CatalogReader.read(c, new TableName("public", "empty_default"));
            assertEquals(1, snap.partitions().size());
            assertEquals(0, snap.defaultRows());
            assertEquals(0, snap.defaultMin());
            assertEquals(
                    KeyType.TIMESTAMPTZ,
                    CatalogReader.parent(c, new TableName("public", "ts3")).keyType());
        }
    }

    @Test
    void aQuotedSchemaAndTableNameWork() throws Exception {
        try (Connection c = connect(url)) {
            CatalogSnapshot snap = CatalogReader.read(c, BILLING);
            assertEquals(
                    List.of("Billing Events_p2030_01", "Billing Events_p2030_02"),
                    snap.partitions().stream().map(PartitionInfo::name).toList());
            assertEquals("My Schema", snap.partitions().get(0).schema());
            assertEquals(axis(YearMonth.of(2030, 3)), snap.partitions().get(1).to());
            CatalogReader.Parent parent = CatalogReader.parent(c, BILLING);
            assertEquals(BILLING, parent.table());
            assertTrue(parent.oid() > 0);
            assertEquals(parent.oid(), CatalogReader.oid(c, BILLING));
            assertEquals(
                    parent.oid(),
                    CatalogReader.parentOf(
                            c, CatalogReader.oid(c, new TableName("My Schema", "Billing Events_p2030_01"))));
            assertEquals(0, CatalogReader.oid(c, new TableName("my schema", "billing events")), "names are exact");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "nope      | table public.nope does not exist in database ",
                "plain     | table public.plain is not range-partitioned: it is an ordinary table",
                "a_view    | table public.a_view is not range-partitioned: it is a view",
                "by_list   | table public.by_list is not range-partitioned: it is partitioned by LIST",
                "by_hash   | table public.by_hash is not range-partitioned: it is partitioned by HASH",
                "two_cols  | table public.two_cols is partitioned by 2 columns; partition-keeper manages a single timestamptz,"
                        + " timestamp or date key",
                "by_expr   | table public.by_expr is partitioned by an expression",
                "by_numeric | table public.by_numeric is partitioned by column amount of type numeric(10,2); a numeric"
                        + " key must have no fraction: declare it numeric(p,0) (e.g. numeric(20,0)) or bigint",
                "by_text   | table public.by_text is partitioned by column code of type text;",
            })
    void unsuitableTablesFailWithASpecificMessage(String table, String expected) throws Exception {
        try (Connection c = connect(url)) {
            PolicyException e =
                    assertThrows(PolicyException.class, () -> CatalogReader.read(c, new TableName("public", table)));
            assertTrue(e.getMessage().startsWith(expected.strip()), e.getMessage());
        }
    }

    @Test
    void aNameCarryingSqlIsJustAMissingTable() throws Exception {
        try (Connection c = connect(url)) {
            for (String name : List.of("x; drop table y", "events\"; DROP TABLE y; --", "events' OR '1'='1")) {
                PolicyException e =
                        assertThrows(PolicyException.class, () -> CatalogReader.read(c, new TableName("public", name)));
                assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
                assertTrue(e.getMessage().contains(new TableName("public", name).toString()), e.getMessage());
            }
            assertThrows(
                    PolicyException.class,
                    () -> CatalogReader.read(c, new TableName("public; drop table y", "events")));
        }
        assertEquals(0, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.y"), "y is still there");
        assertFalse(PgFixtures.queryStrings(url, "SELECT relname FROM pg_class WHERE relname = 'events'")
                .isEmpty());
    }

    private static long micros(String instant) {
        return KeyAxis.micros(Instant.parse(instant));
    }
}

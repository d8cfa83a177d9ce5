package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.connect;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createDefault;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createMonths;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createParent;
import static dev.partitionkeeper.activities.postgres.PgFixtures.exec;
import static dev.partitionkeeper.activities.postgres.PgFixtures.insertRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CatalogReader#readAll} gives every table exactly what {@link CatalogReader#read} gives it, and every
 * table {@link CatalogReader#read} refuses the same refusal, on a catalog with most of what a real one holds.
 */
@Tag("postgres")
@Timeout(120)
class CatalogReaderBatchTest {
    private static final TableName EVENTS = new TableName("public", "events");
    private static final TableName BILLING = new TableName("My Schema", "Billing \"Events\"");
    private static final TableName TS = new TableName("public", "ts_events");
    private static final TableName DAY = new TableName("public", "day_events");
    private static final TableName PENDING = new TableName("public", "pending");
    private static final TableName TS3 = new TableName("public", "ts3");
    private static final TableName EMPTY_DEFAULT = new TableName("public", "empty_default");
    private static final TableName NO_PARTITIONS = new TableName("public", "no_partitions");
    private static final TableName INFINITE = new TableName("public", "infinite");

    /** Every table of the catalog, the refused ones among them, one twice. */
    private static final List<TableName> ALL = List.of(
            EVENTS,
            new TableName("public", "nope"),
            BILLING,
            TS,
            new TableName("public", "plain"),
            DAY,
            PENDING,
            new TableName("public", "by_list"),
            TS3,
            new TableName("public", "by_hash"),
            EMPTY_DEFAULT,
            new TableName("public", "two_cols"),
            NO_PARTITIONS,
            new TableName("public", "by_expr"),
            INFINITE,
            new TableName("public", "by_numeric"),
            new TableName("public", "a_view"),
            new TableName("Nowhere", "events"),
            new TableName("public", "events\"; DROP TABLE y; --"),
            EVENTS);

    private static String url;

    @BeforeAll
    static void createTables() throws Exception {
        url = PgTestSupport.newDatabase("catalog_batch");
        createParent(url, EVENTS, "timestamptz");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.\"Old Stuff\" PARTITION OF events FOR VALUES FROM (MINVALUE) TO ('2024-01-01 00:00:00+00')",
                "CREATE TABLE public.\"MixedCase_Jan\" PARTITION OF events FOR VALUES FROM ('2024-01-01 00:00:00+00')"
                        + " TO ('2024-02-01 00:00:00+00')",
                "CREATE SCHEMA \"Other Schema\"",
                "CREATE TABLE \"Other Schema\".feb PARTITION OF events FOR VALUES FROM ('2024-02-01 00:00:00+00')"
                        + " TO ('2024-03-01 00:00:00+00')",
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

        createParent(url, BILLING, "timestamptz");
        createMonths(url, BILLING, "timestamptz", YearMonth.of(2030, 1), YearMonth.of(2030, 3));
        createDefault(url, BILLING);
        insertRows(url, BILLING, "2031-01-01 00:00:00+00");

        createParent(url, TS, "timestamp");
        createMonths(url, TS, "timestamp", YearMonth.of(2024, 1), YearMonth.of(2024, 2));
        createDefault(url, TS);
        insertRows(url, TS, "2024-03-05 06:07:08", "2024-01-10 00:00:00", "2023-11-30 23:59:59.5");

        createParent(url, DAY, "date");
        createMonths(url, DAY, "date", YearMonth.of(2024, 1), YearMonth.of(2024, 2));
        createDefault(url, DAY);
        insertRows(url, DAY, "2024-03-05", "2023-12-31");

        // a DETACH ... CONCURRENTLY interrupted half-way (not possible while a default partition exists)
        createParent(url, PENDING, "timestamptz");
        createMonths(url, PENDING, "timestamptz", YearMonth.of(2024, 1), YearMonth.of(2024, 4));
        PgFixtures.makeDetachPending(url, PENDING, PgFixtures.monthName(PENDING, YearMonth.of(2024, 1)));

        PgTestSupport.exec(
                url,
                "CREATE TABLE public.ts3 (id bigint, \"Created At\" timestamp(3) with time zone NOT NULL)"
                        + " PARTITION BY RANGE (\"Created At\")",
                "CREATE TABLE public.ts3_a PARTITION OF public.ts3 FOR VALUES FROM ('2024-01-01 00:00:00.5+00')"
                        + " TO ('2024-01-02 00:00:00+00')",
                "CREATE TABLE public.ts3_d PARTITION OF public.ts3 DEFAULT",
                "INSERT INTO public.ts3 VALUES (1, '2024-01-01 00:00:00.25+00'), (2, '2025-01-01 12:00:00.125+00')",
                "CREATE TABLE public.empty_default (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE public.empty_default_d PARTITION OF public.empty_default DEFAULT",
                "CREATE TABLE public.no_partitions (created_at date NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE public.infinite (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)",
                "CREATE TABLE public.infinite_a PARTITION OF public.infinite FOR VALUES FROM ('2024-01-01 00:00:00+00')"
                        + " TO ('infinity')",
                "CREATE TABLE public.plain (created_at timestamptz)",
                "CREATE VIEW public.a_view AS SELECT 1 AS x",
                "CREATE TABLE public.by_list (created_at timestamptz, region text) PARTITION BY LIST (region)",
                "CREATE TABLE public.by_hash (id bigint, created_at timestamptz) PARTITION BY HASH (id)",
                "CREATE TABLE public.two_cols (a timestamptz, b timestamptz) PARTITION BY RANGE (a, b)",
                "CREATE TABLE public.by_expr (created_at timestamp) PARTITION BY RANGE ((created_at::date))",
                "CREATE TABLE public.by_numeric (amount numeric(10,2), created_at timestamptz) PARTITION BY RANGE (amount)",
                "ANALYZE");
    }

    @Test
    void everyTableGetsWhatReadGivesItAndEveryRefusalStaysWithItsTable() throws Exception {
        List<Object> perTable = new ArrayList<>();
        List<CatalogReader.Read> batch;
        try (Connection c = connect(url)) {
            for (TableName t : ALL) {
                perTable.add(readOne(c, t));
            }
            // the batch must not depend on how the session prints timestamps either
            exec(c, "SET TimeZone = 'America/New_York'", "SET DateStyle = 'ISO, DMY'");
            batch = CatalogReader.readAll(c, ALL);
        }
        assertEquals(ALL.size(), batch.size());
        int refused = 0;
        for (int i = 0; i < ALL.size(); i++) {
            CatalogReader.Read r = batch.get(i);
            assertEquals(ALL.get(i), r.table());
            Object expected = perTable.get(i);
            if (expected instanceof CatalogSnapshot snap) {
                assertNull(r.failure(), () -> r.table() + ": " + r.failure());
                assertEquals(snap, r.snapshot(), r.table()::toString);
                assertEquals(snap, r.get());
            } else {
                refused++;
                PolicyException e = (PolicyException) expected;
                assertNull(r.snapshot(), r.table()::toString);
                PolicyException got = assertInstanceOf(PolicyException.class, r.failure());
                assertEquals(e.getMessage(), got.getMessage());
                assertThrows(PolicyException.class, r::get);
            }
        }
        assertEquals(11, refused, "nope, plain, by_list, by_hash, two_cols, by_expr, infinite, by_numeric, ...");

        // the catalog the comparison ran on is the varied one it is meant to be
        CatalogSnapshot events = batch.get(0).snapshot();
        assertEquals(3, events.defaultRows());
        assertEquals(5, events.partitions().size());
        assertEquals(events, batch.get(ALL.size() - 1).snapshot(), "a table named twice is read twice");
        assertEquals(1, batch.get(ALL.indexOf(BILLING)).snapshot().defaultRows());
        assertEquals(2, batch.get(ALL.indexOf(TS)).snapshot().defaultRows());
        assertEquals(2, batch.get(ALL.indexOf(DAY)).snapshot().defaultRows());
        assertEquals(2, batch.get(ALL.indexOf(TS3)).snapshot().defaultRows(), "below the first bound and after it");
        CatalogSnapshot pending = batch.get(ALL.indexOf(PENDING)).snapshot();
        assertEquals(
                1,
                pending.partitions().stream()
                        .filter(PartitionInfo::detachPending)
                        .count());
        assertEquals(3, events.defaultPartition().orElseThrow().estimatedRows(), "reltuples after ANALYZE");
        assertEquals(
                0, batch.get(ALL.indexOf(NO_PARTITIONS)).snapshot().partitions().size());
        assertTrue(batch.get(ALL.indexOf(EMPTY_DEFAULT))
                .snapshot()
                .defaultPartition()
                .isPresent());
        assertTrue(batch.get(ALL.indexOf(INFINITE)).failure().getMessage().contains("infinite_a"));
        assertEquals(0, PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_class WHERE relname = 'y'"));
    }

    @Test
    void aDefaultPartitionTheRoleMayNotReadRefusesOnlyItsTable() throws Exception {
        String role = "batch_reader_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
        PgTestSupport.exec(
                url,
                "CREATE ROLE " + role,
                "GRANT USAGE ON SCHEMA \"My Schema\", \"Other Schema\" TO " + role,
                "GRANT SELECT ON ALL TABLES IN SCHEMA public, \"Other Schema\" TO " + role);
        List<TableName> tables = List.of(EVENTS, BILLING, TS);
        try (Connection c = connect(url)) {
            exec(c, "SET ROLE " + role);
            Object billing = readOne(c, BILLING);
            assertInstanceOf(SQLException.class, billing, "the role may not read Billing's default partition");
            List<CatalogReader.Read> batch = CatalogReader.readAll(c, tables);
            assertEquals(readOne(c, EVENTS), batch.get(0).snapshot());
            assertEquals(readOne(c, TS), batch.get(2).snapshot());
            SQLException e = assertInstanceOf(SQLException.class, batch.get(1).failure());
            assertEquals(Privileges.INSUFFICIENT_PRIVILEGE, e.getSQLState());
            assertEquals(((SQLException) billing).getMessage(), e.getMessage());
            assertNotNull(batch.get(0).snapshot());
            exec(c, "RESET ROLE");
        }
    }

    @Test
    void noTablesNoStatements() throws Exception {
        try (Connection c = connect(url)) {
            assertEquals(List.of(), CatalogReader.readAll(c, List.of()));
        }
    }

    /** What {@link CatalogReader#read} gives: the snapshot, or its refusal. */
    private static Object readOne(Connection c, TableName t) throws SQLException {
        try {
            return CatalogReader.read(c, t);
        } catch (PolicyException e) {
            return e;
        } catch (SQLException e) {
            if (!Privileges.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw e;
            }
            return e;
        }
    }
}

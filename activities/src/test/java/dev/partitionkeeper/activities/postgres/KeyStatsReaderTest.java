package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.KeyEncoding;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Integer, epoch and UUIDv7 keys read from a real catalog, and the refusals that need the database. */
@Tag("postgres")
class KeyStatsReaderTest {
    static final TableName ORDERS = new TableName("public", "orders");
    static final TableName EVENTS = new TableName("public", "events");
    static final TableName STAMPS = new TableName("public", "stamps");
    private static String url;

    @BeforeAll
    static void createTables() {
        url = PgTestSupport.newDatabase("keystats");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.orders (id bigint NOT NULL, created_at timestamptz NOT NULL, plain_at timestamptz,"
                        + " note text) PARTITION BY RANGE (id)",
                "CREATE INDEX ON public.orders (id)",
                "CREATE INDEX ON public.orders (created_at)",
                // a brin index cannot answer max(): as if there were none
                "CREATE INDEX ON public.orders USING brin (plain_at)",
                "CREATE TABLE public.orders_p0 PARTITION OF public.orders FOR VALUES FROM (0) TO (1000)",
                "CREATE TABLE public.orders_p1000 PARTITION OF public.orders FOR VALUES FROM (1000) TO (2000)",
                "CREATE TABLE public.orders_p2000 PARTITION OF public.orders FOR VALUES FROM (2000) TO (3000)",
                "CREATE TABLE public.orders_p3000 PARTITION OF public.orders FOR VALUES FROM (3000) TO (4000)",
                "INSERT INTO public.orders SELECT g, '2026-01-01'::timestamptz + g * interval '1 hour', now(), 'x'"
                        + " FROM generate_series(0, 1499) g",
                "CREATE TABLE public.events (id uuid NOT NULL) PARTITION BY RANGE (id)",
                "CREATE TABLE public.events_a PARTITION OF public.events FOR VALUES FROM"
                        + " ('019c0000-0000-0000-0000-000000000000') TO ('019d0000-0000-0000-0000-000000000000')",
                "CREATE TABLE public.events_default PARTITION OF public.events DEFAULT",
                "INSERT INTO public.events VALUES ('019c1234-5678-7000-8000-000000000001'),"
                        + " ('00000000-0000-4000-8000-000000000001'), ('ffffffff-ffff-7fff-bfff-ffffffffffff')",
                "CREATE TABLE public.stamps (at timestamptz NOT NULL) PARTITION BY RANGE (at)");
    }

    static TablePolicy ids(String retention, String column) {
        return new TablePolicy(
                ORDERS,
                PartitionInterval.steps(1000),
                2,
                retention == null ? null : Retention.parse(retention),
                "UTC",
                DefaultPartitionMode.KEEP,
                RetentionAction.DETACH_ONLY,
                7,
                null,
                null,
                column);
    }

    static CatalogSnapshot read(TableName t, TablePolicy policy) throws Exception {
        try (Connection c = connect(url)) {
            return KeyStatsReader.withStats(c, CatalogReader.read(c, t), policy);
        }
    }

    @Test
    void integerBoundsAndTheLargestKeyFromTheNewestNonEmptyPartition() throws Exception {
        CatalogSnapshot snap = read(ORDERS, ids(null, null));

        assertEquals(KeyType.BIGINT, snap.keyType());
        assertEquals(
                List.of(0L, 1000L, 2000L, 3000L),
                snap.partitions().stream().map(PartitionInfo::from).toList());
        assertEquals(4000, snap.partitions().get(3).to());
        // orders_p3000 and orders_p2000 are empty: the walk goes down to orders_p1000
        assertEquals(1499L, snap.keyStats().maxKey());
        assertEquals(false, snap.keyStats().keyUnindexed());
    }

    @Test
    void aNumericKeyBeyondABigintIsRefused() {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.huge (no numeric(30,0) NOT NULL) PARTITION BY RANGE (no)",
                "CREATE TABLE public.huge_p0 PARTITION OF public.huge FOR VALUES FROM (0) TO (MAXVALUE)",
                "INSERT INTO public.huge VALUES (100000000000000000000)");
        TableName huge = new TableName("public", "huge");

        PolicyException e = assertThrows(
                PolicyException.class, () -> read(huge, TablePolicy.of(huge, PartitionInterval.steps(100))));

        assertTrue(e.getMessage().contains("beyond a bigint's range"), e.getMessage());
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.huge2 (no numeric(30,0) NOT NULL) PARTITION BY RANGE (no)",
                "CREATE TABLE public.huge2_p0 PARTITION OF public.huge2 FOR VALUES FROM (0) TO"
                        + " (1000000000000000000000)");
        PolicyException bound = assertThrows(
                PolicyException.class,
                () -> read(new TableName("public", "huge2"), TablePolicy.of(huge, PartitionInterval.steps(100))));
        assertEquals(
                "partition huge2_p0 of public.huge2: cannot read partition bound '1000000000000000000000' as numeric:"
                        + " partition-keeper manages whole key values within a bigint's range",
                bound.getMessage());
    }

    @Test
    void anIntegerKeyWithoutAnIndexIsReadAnywayAndSaidSo() throws Exception {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.bare (id integer NOT NULL) PARTITION BY RANGE (id)",
                "CREATE TABLE public.bare_p0 PARTITION OF public.bare FOR VALUES FROM (0) TO (100)",
                "INSERT INTO public.bare SELECT generate_series(0, 41)");
        TableName bare = new TableName("public", "bare");

        CatalogSnapshot snap = read(bare, TablePolicy.of(bare, PartitionInterval.steps(100)));

        assertEquals(41L, snap.keyStats().maxKey());
        assertTrue(snap.keyStats().keyUnindexed());
    }

    @Test
    void anIntegerKeyWithOnlyABrinIndexIsSaidToBeUnindexed() throws Exception {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.brin (id integer NOT NULL) PARTITION BY RANGE (id)",
                "CREATE INDEX ON public.brin USING brin (id)",
                "CREATE TABLE public.brin_p0 PARTITION OF public.brin FOR VALUES FROM (0) TO (100)",
                "INSERT INTO public.brin SELECT generate_series(0, 41)");
        TableName brin = new TableName("public", "brin");

        CatalogSnapshot snap = read(brin, TablePolicy.of(brin, PartitionInterval.steps(100)));

        assertEquals(41L, snap.keyStats().maxKey());
        assertTrue(snap.keyStats().keyUnindexed());
    }

    @Test
    void anEpochEncodingFinerThanTheKeyIsRefusedBeforeRetentionDetachesTodaysPartitions() throws Exception {
        // daily partitions of epoch seconds (2026-03-01, 2026-03-02), configured as epoch_millis
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.secs (ts bigint NOT NULL) PARTITION BY RANGE (ts)",
                "CREATE TABLE public.secs_a PARTITION OF public.secs FOR VALUES FROM (1772323200) TO (1772409600)",
                "INSERT INTO public.secs VALUES (1772323300)");
        TableName secs = new TableName("public", "secs");
        TablePolicy policy = TablePolicy.of(secs, PartitionInterval.DAILY)
                .withRetention(Retention.parse("30 days"))
                .withKeyEncoding(KeyEncoding.EPOCH_MILLIS);

        PolicyException e = assertThrows(PolicyException.class, () -> read(secs, policy));
        assertEquals(
                "public.secs: key_encoding epoch_millis reads the upper bound 1772409600 of partition secs_a as"
                        + " 1970-01-21T12:20:09.600Z, before 1971, so retention would detach partitions of today's"
                        + " rows; the key holds a coarser unit (epoch_seconds?): fix key_encoding",
                e.getMessage());
        // the right encoding reads it
        read(secs, policy.withKeyEncoding(KeyEncoding.EPOCH_SECONDS));
    }

    @Test
    void retentionColumnNewestRowPerPartitionBelowTheLargestKey() throws Exception {
        CatalogSnapshot snap = read(ORDERS, ids("90 days", "created_at"));

        assertEquals(KeyType.TIMESTAMPTZ, snap.keyStats().retentionColumnType());
        // only orders_p0 lies wholly below 1499; its newest row is id 999
        assertEquals(
                Map.of("orders_p0", KeyAxis.micros(Instant.parse("2026-02-11T15:00:00Z"))),
                snap.keyStats().newestRetention());
    }

    @Test
    void anInfiniteNewestRowNeverAges() throws Exception {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.inf (id bigint NOT NULL, at timestamp NOT NULL) PARTITION BY RANGE (id)",
                "CREATE INDEX ON public.inf (at)",
                "CREATE TABLE public.inf_p0 PARTITION OF public.inf FOR VALUES FROM (0) TO (10)",
                "CREATE TABLE public.inf_p10 PARTITION OF public.inf FOR VALUES FROM (10) TO (20)",
                "INSERT INTO public.inf VALUES (1, 'infinity'), (2, '2020-01-01'), (15, '2020-01-01')");
        TableName inf = new TableName("public", "inf");
        TablePolicy policy = new TablePolicy(
                inf,
                PartitionInterval.steps(10),
                2,
                Retention.parse("90 days"),
                "UTC",
                DefaultPartitionMode.KEEP,
                RetentionAction.DETACH_ONLY,
                7,
                null,
                null,
                "at");

        CatalogSnapshot snap = read(inf, policy);

        assertEquals(KeyType.TIMESTAMP, snap.keyStats().retentionColumnType());
        assertEquals(Map.of("inf_p0", KeyAxis.MAX - 1), snap.keyStats().newestRetention());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "plain_at | retention_column plain_at of public.orders has no btree index, so every pass would read each old"
                        + " partition whole to find its newest row; create one first: CREATE INDEX ON \"public\".\"orders\""
                        + " (\"plain_at\")",
                "note     | retention_column note of public.orders is text; it must be timestamptz, timestamp or date,"
                        + " the time each row was written (e.g. created_at)",
                "nope     | retention_column nope does not exist in public.orders; name the timestamp column whose age"
                        + " decides retention, e.g. retention_column: created_at",
            })
    void aRetentionColumnWithoutIndexOrOfTheWrongTypeIsRefusedWithTheFix(String column, String expected) {
        PolicyException e = assertThrows(PolicyException.class, () -> read(ORDERS, ids("90 days", column)));
        assertEquals(expected, e.getMessage());
    }

    @Test
    void aTimeIntervalOnAnIntegerKeySaysHowToPartitionIt() {
        PolicyException e = assertThrows(
                PolicyException.class, () -> read(ORDERS, TablePolicy.of(ORDERS, PartitionInterval.DAILY)));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "table public.orders is partitioned by column id of type bigint; interval daily is"
                                        + " a time interval, but the key is bigint; partition it by a step of key values such"
                                        + " as interval: 1000000, or, when it holds time since the epoch, say how (key_encoding:"),
                e.getMessage());
    }

    @Test
    void keyEncodingOnATimestampKeyIsRefused() {
        PolicyException e = assertThrows(
                PolicyException.class,
                () -> read(
                        STAMPS,
                        TablePolicy.of(STAMPS, PartitionInterval.DAILY).withKeyEncoding(KeyEncoding.EPOCH_MILLIS)));
        assertEquals(
                "public.stamps: key_encoding epoch_millis is for a bigint key holding time since the epoch, but the"
                        + " key at of public.stamps is timestamp with time zone; remove key_encoding: the key is"
                        + " partitioned by its own time",
                e.getMessage());
    }

    @Test
    void uuidBoundsReadAsTheirMillisecondAndNonV7RowsInTheDefaultAreCounted() throws Exception {
        CatalogSnapshot snap = read(EVENTS, TablePolicy.of(EVENTS, PartitionInterval.DAILY));

        PartitionInfo a = snap.partitions().get(0);
        assertEquals(0x019c0000_0000L * 1000, a.from());
        assertEquals(0x019d0000_0000L * 1000, a.to());
        assertEquals(2, snap.defaultRows(), "one row went to events_a");
        assertEquals(0x0000_0000_0000L, snap.defaultMin());
        assertEquals(0xffff_ffff_ffffL * 1000, snap.defaultMax());
        assertEquals(1, snap.keyStats().defaultForeignRows(), "the v4 one");
        assertNull(snap.keyStats().maxKey());
    }
}

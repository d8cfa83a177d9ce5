package dev.partitionkeeper.activities.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.convert.ConvertPlanner;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.Inspection;
import dev.partitionkeeper.workflows.convert.PartitionLayout;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code convert --column} for an integer id, an epoch-millisecond number and a UUIDv7 key (issue 16). */
@Tag("postgres")
@Timeout(120)
class ConvertKeysTest extends ConvertPgTest {
    static final Instant NOW = Instant.parse("2024-03-15T12:00:00Z");
    static final LockSettings LOCKS = new LockSettings(
            Duration.ofMillis(100), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofSeconds(20), 20);

    ConvertActivitiesImpl acts;

    @BeforeEach
    void setUp() {
        acts = new ConvertActivitiesImpl(ds, LOCKS, "partition_keeper");
    }

    /** Converts {@code r} all the way, checking the rows on both sides of the swap. */
    PartitionLayout convert(ConvertRequest r, long rows) {
        Inspection i = acts.inspect(r);
        PartitionLayout layout = ConvertPlanner.layout(i, r, NOW);
        acts.prepare(r, layout);
        acts.copy(r);
        acts.replay(r, false);
        assertTrue(acts.verify(r, VerifyStep.BEFORE_SWAP).ok());
        acts.swap(r, false);
        assertTrue(acts.verify(r, VerifyStep.AFTER_SWAP).ok());
        assertEquals(rows, q("SELECT count(*) FROM " + r.table()));
        assertEquals(0, q("SELECT count(*) FROM ONLY " + r.table()), "every row in a partition");
        return layout;
    }

    static List<String> names(PartitionLayout layout) {
        return layout.partitions().stream()
                .map(PlannedAction.CreatePartition::partition)
                .toList();
    }

    @Test
    void aBigintIdTableInStepsOfIds() {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)",
                "INSERT INTO public.orders SELECT g, 'n' || g FROM generate_series(1500, 3499) g");
        ConvertRequest r = ConvertRequest.convert("public.orders", "id", "1000").withPremake(2);

        PartitionLayout layout = convert(r, 2000);

        assertEquals(
                List.of("orders_p1000", "orders_p2000", "orders_p3000", "orders_p4000", "orders_p5000"), names(layout));
        assertEquals(
                "FOR VALUES FROM ('3000') TO ('4000')",
                PgTestSupport.queryString(
                        url, "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'orders_p3000'"));
        assertEquals(500, q("SELECT count(*) FROM public.orders_p1000"));
    }

    @Test
    void aSmallintTableUpToItsLargestValueEndsAtMaxvalue() {
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.orders (id smallint PRIMARY KEY, note text)",
                "INSERT INTO public.orders VALUES (25000, 'a'), (32767, 'top')");
        ConvertRequest r =
                ConvertRequest.convert("public.orders", "id", "10000").withPremake(2);

        PartitionLayout layout = convert(r, 2);

        assertEquals(List.of("orders_p20000", "orders_p30000"), names(layout));
        assertEquals(
                "FOR VALUES FROM ('30000') TO (MAXVALUE)",
                PgTestSupport.queryString(
                        url, "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'orders_p30000'"));
        assertEquals(1, q("SELECT count(*) FROM public.orders_p30000"));
    }

    @Test
    void anEpochMillisTableByDays() {
        long day = 86_400_000L;
        long mar14 = Instant.parse("2024-03-14T00:00:00Z").toEpochMilli();
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.metrics (ts bigint NOT NULL, v int NOT NULL, PRIMARY KEY (ts, v))",
                "INSERT INTO public.metrics SELECT " + mar14 + " + g * 3600000, g FROM generate_series(0, 47) g");
        ConvertRequest r = ConvertRequest.convert("public.metrics", "ts", "daily")
                .withPremake(1)
                .withKeyEncoding("epoch_millis");

        PartitionLayout layout = convert(r, 48);

        assertEquals(List.of("metrics_p2024_03_14", "metrics_p2024_03_15", "metrics_p2024_03_16"), names(layout));
        assertEquals(mar14 + day, layout.partitions().get(1).from());
        assertEquals(24, q("SELECT count(*) FROM public.metrics_p2024_03_15"));
    }

    @Test
    void aUuidv7TableByDays() {
        PgTestSupport.exec(
                url,
                "CREATE FUNCTION uuid_v7(at timestamptz) RETURNS uuid LANGUAGE sql AS $$ SELECT encode(set_bit(set_bit("
                        + "overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send(floor(extract(epoch FROM at)"
                        + " * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid $$",
                "CREATE TABLE public.events (id uuid PRIMARY KEY, at timestamptz NOT NULL)",
                "INSERT INTO public.events SELECT uuid_v7(t), t FROM (SELECT timestamptz '2024-03-13 00:00+00' + g"
                        + " * interval '1 hour' AS t FROM generate_series(0, 71) g) s");
        ConvertRequest r =
                ConvertRequest.convert("public.events", "id", "daily").withPremake(1);

        PartitionLayout layout = convert(r, 72);

        assertEquals(
                List.of("events_p2024_03_13", "events_p2024_03_14", "events_p2024_03_15", "events_p2024_03_16"),
                names(layout));
        long ms = Instant.parse("2024-03-14T00:00:00Z").toEpochMilli();
        assertEquals(
                "FOR VALUES FROM ('" + String.format("%08x-%04x", ms >>> 16, ms & 0xffff)
                        + "-0000-0000-000000000000') TO ('"
                        + String.format("%08x-%04x", (ms + 86_400_000) >>> 16, (ms + 86_400_000) & 0xffff)
                        + "-0000-0000-000000000000')",
                PgTestSupport.queryString(
                        url,
                        "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'events_p2024_03_14'"));
        assertEquals(24, q("SELECT count(*) FROM public.events_p2024_03_14"));
        assertEquals(
                KeyType.UUID,
                acts.inspect(ConvertRequest.convert("public.events", "id", "daily"))
                        .keyType());
    }
}

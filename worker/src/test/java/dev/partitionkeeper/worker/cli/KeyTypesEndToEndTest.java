package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integer-id, epoch-millisecond and UUIDv7 tables (issue 16) on real PostgreSQL, each through one {@code once}
 * pass and a restore: partitions ahead are created, the ones past retention detached, exported, verified and
 * dropped, the oldest archive restored and attached back with the bounds the manifest wrote in the key's type.
 */
@Tag("postgres")
class KeyTypesEndToEndTest {
    static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy_MM_dd", Locale.ROOT);

    @TempDir
    Path dir;

    static long count(String url, String sql) {
        return PgTestSupport.queryLong(url, sql);
    }

    static boolean exists(String url, String relname) {
        return count(url, "SELECT count(*) FROM pg_class WHERE relname = '" + relname + "'") == 1;
    }

    static boolean attached(String url, String parent, String child) {
        return count(
                        url,
                        "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = '"
                                + child + "' AND i.inhparent = 'public." + parent + "'::regclass")
                == 1;
    }

    static List<Path> archives(Path archive, String table) throws Exception {
        try (Stream<Path> dirs = Files.list(archive.resolve("public").resolve(table))) {
            return dirs.sorted().toList();
        }
    }

    static void passes(Cli.Result pass) {
        assertTrue(pass.exitCode() == Main.OK || pass.exitCode() == Main.ATTENTION, pass::toString);
    }

    static void restoresAndAttaches(String url, Path cfg, Path archived, String parent, String partition, long rows) {
        Cli.Result restored = Cli.run("restore", archived + "/", "--attach", "-c", cfg.toString());
        assertEquals(Main.OK, restored.exitCode(), restored::toString);
        assertTrue(attached(url, parent, partition), () -> partition + " attached back: " + restored);
        assertEquals(rows, count(url, "SELECT count(*) FROM public." + partition));
    }

    /**
     * A bigint id table in steps of 1000 ids, whose rows carry created_at: three partitions ahead of the largest id
     * are made, partitions whose newest row is older than 90 days (retention_column) are archived and dropped. A
     * numeric(20,0) table beside it keeps the newest 2000 key values.
     */
    @Test
    void aBigintIdTableByStepsOfIds() throws Exception {
        String url = PgTestSupport.newDatabase("keys_bigint");
        // ids 0..4499, one an hour: id 0 is 4500 hours old, id 4499 one hour old
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.orders (id bigint NOT NULL, created_at timestamptz NOT NULL, note text)"
                        + " PARTITION BY RANGE (id)",
                "CREATE INDEX ON public.orders (id)",
                "CREATE INDEX ON public.orders (created_at)",
                "CREATE TABLE public.tickets (no numeric(20,0) NOT NULL, n int) PARTITION BY RANGE (no)",
                "CREATE INDEX ON public.tickets (no)");
        for (int k = 0; k < 5; k++) {
            PgTestSupport.exec(
                    url,
                    "CREATE TABLE public.orders_p" + k * 1000 + " PARTITION OF public.orders FOR VALUES FROM ("
                            + k * 1000 + ") TO (" + (k + 1) * 1000 + ")",
                    "CREATE TABLE public.tickets_p" + k * 1000 + " PARTITION OF public.tickets FOR VALUES FROM ("
                            + k * 1000 + ") TO (" + (k + 1) * 1000 + ")");
        }
        PgTestSupport.exec(
                url,
                "INSERT INTO public.orders SELECT g, now() - (4500 - g) * interval '1 hour', 'o' || g"
                        + " FROM generate_series(0, 4499) g",
                "INSERT INTO public.tickets SELECT g, g FROM generate_series(0, 4499) g",
                "ANALYZE");
        Path archive = dir.resolve("archive");
        Path cfg = dir.resolve("partition-keeper.yaml");
        Files.writeString(cfg, Cli.config(url, archive, """
          - table: public.orders
            interval: 1000
            premake: 3
            retention: 90 days
            retention_column: created_at
            retention_action: archive_and_drop
            drop_grace: 0d
          - table: public.tickets
            interval: 1000
            premake: 2
            retention: 2000
            retention_action: archive_and_drop
            drop_grace: 0d
        """));

        Cli.Result plan = Cli.run("plan", "-c", cfg.toString());
        assertTrue(plan.out().contains("| orders_p5000 | [5000, 6000) |"), plan::toString);

        Cli.Result pass = Cli.run("once", "-c", cfg.toString());

        passes(pass);
        // the largest id is 4499: [4000, 5000) is current, three after it
        for (String ahead : List.of("orders_p5000", "orders_p6000", "orders_p7000", "tickets_p5000", "tickets_p6000")) {
            assertTrue(exists(url, ahead), () -> ahead + " created: " + pass);
        }
        assertTrue(!exists(url, "orders_p8000") && !exists(url, "tickets_p7000"), "premake, no more");
        // 90 days is 2160 hours: [0, 1000) and [1000, 2000) hold only older rows (newest 3501 and 2501 hours)
        assertTrue(!exists(url, "orders_p0") && !exists(url, "orders_p1000"), pass::toString);
        assertTrue(attached(url, "orders", "orders_p2000"), "its newest row is 1501 hours old");
        // tickets keep the newest 2000 key values: below 4499 - 2000 = 2499, [0, 1000) and [1000, 2000) go
        assertTrue(!exists(url, "tickets_p0") && !exists(url, "tickets_p1000"), pass::toString);
        assertTrue(attached(url, "tickets", "tickets_p2000"));
        assertEquals(2500, count(url, "SELECT count(*) FROM public.orders"));
        assertEquals(
                4,
                count(
                        url,
                        "SELECT count(*) FROM partition_keeper.partition_lifecycle WHERE verified_at IS NOT NULL"
                                + " AND dropped_at IS NOT NULL AND archived_rows = 1000"),
                "each verified, then dropped");

        Cli.Result status = Cli.run("status", "-c", cfg.toString());
        assertTrue(
                status.out().contains("== public.orders (key id bigint): ok; runway 3 of premake 3 (until 8000)"),
                status::toString);
        assertTrue(status.out().contains("| orders_p7000 | 7000 | 8000 |"), status::toString);

        Path oldest = archives(archive, "orders").get(0);
        assertEquals("orders_p0", oldest.getFileName().toString());
        String manifest = Files.readString(oldest.resolve("manifest.json"));
        assertTrue(manifest.contains("\"bound_from\" : \"0\""), manifest);
        assertTrue(manifest.contains("\"bound_to\" : \"1000\""), manifest);
        assertTrue(manifest.contains("\"row_count\" : 1000"), manifest);
        restoresAndAttaches(url, cfg, oldest, "orders", "orders_p0", 1000);

        Path ticket = archives(archive, "tickets").get(0);
        assertTrue(Files.readString(ticket.resolve("manifest.json")).contains("\"bound_to\" : \"1000\""));
        restoresAndAttaches(url, cfg, ticket, "tickets", "tickets_p0", 1000);
        assertEquals(499_500, count(url, "SELECT sum(n) FROM public.tickets_p0"), "the same rows back");
    }

    /** A bigint key of epoch milliseconds, daily: bounds are numbers, names and retention are days. */
    @Test
    void anEpochMillisTableByDays() throws Exception {
        String url = PgTestSupport.newDatabase("keys_epoch");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.metrics (ts bigint NOT NULL, v int NOT NULL) PARTITION BY RANGE (ts)",
                "CREATE INDEX ON public.metrics (ts)");
        for (int d = -40; d <= 0; d++) {
            LocalDate day = today.plusDays(d);
            long from = millis(day);
            long to = millis(day.plusDays(1));
            PgTestSupport.exec(
                    url,
                    "CREATE TABLE public.metrics_p" + DAY.format(day) + " PARTITION OF public.metrics FOR VALUES FROM ("
                            + from + ") TO (" + to + ")",
                    "INSERT INTO public.metrics SELECT " + from + " + g * 3600000, g FROM generate_series(0, 23) g");
        }
        Path archive = dir.resolve("archive");
        Path cfg = dir.resolve("partition-keeper.yaml");
        Files.writeString(cfg, Cli.config(url, archive, """
          - table: public.metrics
            interval: daily
            key_encoding: epoch_millis
            premake: 2
            retention: 30 days
            default_partition: none
            retention_action: archive_and_drop
            drop_grace: 0d
        """));

        Cli.Result pass = Cli.run("once", "-c", cfg.toString());

        passes(pass);
        for (int d = 1; d <= 2; d++) {
            String ahead = "metrics_p" + DAY.format(today.plusDays(d));
            assertTrue(exists(url, ahead), () -> ahead + " created: " + pass);
        }
        String tomorrow = "metrics_p" + DAY.format(today.plusDays(1));
        assertEquals(
                "FOR VALUES FROM ('" + millis(today.plusDays(1)) + "') TO ('" + millis(today.plusDays(2)) + "')",
                bound(url, tomorrow));
        String oldestName = "metrics_p" + DAY.format(today.minusDays(40));
        assertTrue(!exists(url, oldestName), "dropped after a verified archive: " + pass);
        assertTrue(attached(url, "metrics", "metrics_p" + DAY.format(today.minusDays(29))), "inside the retention");

        Cli.Result status = Cli.run("status", "-c", cfg.toString());
        assertTrue(
                status.out().contains("== public.metrics (key ts bigint (epoch_millis)): ok; runway 2 of premake 2"),
                status::toString);
        assertTrue(
                status.out().contains("| " + tomorrow + " | " + today.plusDays(1) + " | " + today.plusDays(2) + " |"),
                status::toString);

        Path oldest = archives(archive, "metrics").get(0);
        assertEquals(oldestName, oldest.getFileName().toString());
        String manifest = Files.readString(oldest.resolve("manifest.json"));
        assertTrue(manifest.contains("\"bound_from\" : \"" + millis(today.minusDays(40)) + "\""), manifest);
        assertTrue(manifest.contains("\"row_count\" : 24"), manifest);
        restoresAndAttaches(url, cfg, oldest, "metrics", oldestName, 24);
    }

    /**
     * A UUIDv7 key, hourly: bounds are the smallest UUID of each hour's first millisecond, rows carry real v7
     * UUIDs (RFC 9562: 48-bit milliseconds, version 7, random bits), non-v7 rows parked in the default are reported.
     */
    @Test
    void aUuidv7TableByHours() throws Exception {
        String url = PgTestSupport.newDatabase("keys_uuid");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        PgTestSupport.exec(
                url,
                // RFC 9562 UUIDv7: the millisecond timestamp over a random UUID's first 48 bits, version bits 0111
                "CREATE FUNCTION uuid_v7(at timestamptz) RETURNS uuid LANGUAGE sql AS $$ SELECT encode(set_bit(set_bit("
                        + "overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send(floor(extract(epoch FROM at)"
                        + " * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid $$",
                "CREATE TABLE public.events (id uuid NOT NULL, at timestamptz NOT NULL, n int NOT NULL)"
                        + " PARTITION BY RANGE (id)",
                "CREATE INDEX ON public.events (id)");
        for (int h = -30; h <= 0; h++) {
            Instant from = hour.plus(h, ChronoUnit.HOURS);
            PgTestSupport.exec(
                    url,
                    "CREATE TABLE public.events_p" + hourName(from) + " PARTITION OF public.events FOR VALUES FROM ('"
                            + uuidBound(from) + "') TO ('" + uuidBound(from.plus(1, ChronoUnit.HOURS)) + "')",
                    "INSERT INTO public.events SELECT uuid_v7(t), t, g FROM (SELECT g, '" + from
                            + "'::timestamptz + g * interval '1 minute' AS t FROM generate_series(0, 19) g) s");
        }
        assertEquals(
                0, count(url, "SELECT count(*) FROM public.events WHERE substr(id::text, 15, 1) <> '7'"), "all v7");
        Path archive = dir.resolve("archive");
        Path cfg = dir.resolve("partition-keeper.yaml");
        Files.writeString(cfg, Cli.config(url, archive, """
          - table: public.events
            interval: 1 hour
            premake: 3
            retention: 1 day
            retention_action: archive_and_drop
            drop_grace: 0d
        """));

        Cli.Result pass = Cli.run("once", "-c", cfg.toString());

        passes(pass);
        for (int h = 1; h <= 3; h++) {
            String ahead = "events_p" + hourName(hour.plus(h, ChronoUnit.HOURS));
            assertTrue(exists(url, ahead), () -> ahead + " created: " + pass);
        }
        Instant next = hour.plus(1, ChronoUnit.HOURS);
        assertEquals(
                "FOR VALUES FROM ('" + uuidBound(next) + "') TO ('" + uuidBound(next.plus(1, ChronoUnit.HOURS)) + "')",
                bound(url, "events_p" + hourName(next)));
        String oldestName = "events_p" + hourName(hour.minus(30, ChronoUnit.HOURS));
        assertTrue(!exists(url, oldestName), "dropped after a verified archive: " + pass);
        assertTrue(attached(url, "events", "events_p" + hourName(hour.minus(20, ChronoUnit.HOURS))));

        Path oldest = archives(archive, "events").get(0);
        assertEquals(oldestName, oldest.getFileName().toString());
        String manifest = Files.readString(oldest.resolve("manifest.json"));
        assertTrue(
                manifest.contains("\"bound_from\" : \"" + uuidBound(hour.minus(30, ChronoUnit.HOURS)) + "\""),
                manifest);
        assertTrue(manifest.contains("\"row_count\" : 20"), manifest);
        restoresAndAttaches(url, cfg, oldest, "events", oldestName, 20);

        // UUIDs of another version in the default partition: no time partition can take them, and the plan says so
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.events_default PARTITION OF public.events DEFAULT",
                "INSERT INTO public.events SELECT ('00000000-0000-4000-8000-00000000000' || g)::uuid, now(), g"
                        + " FROM generate_series(1, 2) g");
        Cli.Result plan = Cli.run("plan", "-c", cfg.toString());
        assertTrue(
                plan.all().contains("2 rows of default partition events_default have a id that is not a UUIDv7"),
                plan::toString);
    }

    static long millis(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    static String hourName(Instant t) {
        return DateTimeFormatter.ofPattern("yyyy_MM_dd_HHmm", Locale.ROOT)
                .withZone(ZoneOffset.UTC)
                .format(t);
    }

    /** The smallest UUID of the millisecond {@code t}: 48-bit timestamp, all else zero. */
    static String uuidBound(Instant t) {
        long ms = t.toEpochMilli();
        return String.format(Locale.ROOT, "%08x-%04x-0000-0000-000000000000", ms >>> 16, ms & 0xffff);
    }

    /** A partition's bound as PostgreSQL prints it. */
    static String bound(String url, String partition) {
        return PgTestSupport.queryString(
                url, "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = '" + partition + "'");
    }
}

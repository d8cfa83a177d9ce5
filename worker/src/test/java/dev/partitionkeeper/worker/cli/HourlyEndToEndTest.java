package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
 * An hourly Berlin table (issue 16) through one {@code once} pass on real PostgreSQL: the hours ahead are created,
 * the hours older than a day are detached, exported, verified and dropped, and an archived hour restores.
 */
@Tag("postgres")
class HourlyEndToEndTest {
    static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("'events_p'yyyy_MM_dd_HHmm", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    static final DateTimeFormatter BOUND =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'+00'", Locale.ROOT).withZone(ZoneOffset.UTC);
    static final int ROWS_PER_HOUR = 20;

    @TempDir
    Path dir;

    @Test
    void anHourlyTableIsCreatedDetachedExportedVerifiedAndDropped() throws Exception {
        String url = PgTestSupport.newDatabase("hourly");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.events (id bigint NOT NULL, at timestamptz NOT NULL, n int NOT NULL)"
                        + " PARTITION BY RANGE (at)");
        for (int h = -30; h <= 0; h++) {
            Instant from = hour.plus(h, ChronoUnit.HOURS);
            PgTestSupport.exec(
                    url,
                    "CREATE TABLE public." + NAME.format(from) + " PARTITION OF public.events FOR VALUES" + " FROM ('"
                            + from + "') TO ('" + from.plus(1, ChronoUnit.HOURS) + "')",
                    "INSERT INTO public.events SELECT g, '" + from + "'::timestamptz + g * interval '1 minute', g"
                            + " FROM generate_series(0, " + (ROWS_PER_HOUR - 1) + ") g");
        }
        Path archive = dir.resolve("archive");
        Path cfg = dir.resolve("partition-keeper.yaml");
        Files.writeString(cfg, Cli.config(url, archive, """
          - table: public.events
            interval: 1 hour
            timezone: Europe/Berlin
            premake: 3
            retention: 1 day
            default_partition: none
            retention_action: archive_and_drop
            drop_grace: 0d
        """));

        Cli.Result pass = Cli.run("once", "-c", cfg.toString());

        assertTrue(pass.exitCode() == Main.OK || pass.exitCode() == Main.ATTENTION, pass::toString);
        for (int h = 1; h <= 3; h++) {
            String ahead = NAME.format(hour.plus(h, ChronoUnit.HOURS));
            assertEquals(
                    1,
                    PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_class WHERE relname = '" + ahead + "'"),
                    ahead + " created: " + pass);
        }
        assertEquals(
                0,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM pg_class WHERE relname = '" + NAME.format(hour.plus(4, ChronoUnit.HOURS))
                                + "'"),
                "premake 3, no more");
        // every hour that ended a day or more ago is gone, the ones after it are attached
        Instant cutoff = Instant.now().minus(1, ChronoUnit.DAYS);
        long keptOld = PgTestSupport.queryLong(
                url,
                "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid ="
                        + " i.inhrelid WHERE i.inhparent = 'public.events'::regclass AND c.relname < '"
                        + NAME.format(cutoff.truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS)) + "'");
        assertEquals(0, keptOld, pass::toString);
        String oldestName = NAME.format(hour.minus(30, ChronoUnit.HOURS));
        assertEquals(
                0,
                PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_class WHERE relname = '" + oldestName + "'"),
                "dropped after a verified archive: " + pass);
        assertEquals(
                1,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM pg_class WHERE relname = '"
                                + NAME.format(hour.minus(20, ChronoUnit.HOURS)) + "'"),
                "inside the retention");

        List<Path> archived;
        try (Stream<Path> dirs = Files.list(archive.resolve("public").resolve("events"))) {
            archived = dirs.sorted().toList();
        }
        assertTrue(archived.size() >= 5, "archived: " + archived);
        Path oldest = archived.get(0);
        assertEquals(oldestName, oldest.getFileName().toString());
        String manifest = Files.readString(oldest.resolve("manifest.json"));
        Instant oldestHour = hour.minus(30, ChronoUnit.HOURS);
        assertTrue(manifest.contains("\"row_count\" : " + ROWS_PER_HOUR), manifest);
        assertTrue(manifest.contains("\"bound_from\" : \"" + BOUND.format(oldestHour) + "\""), manifest);
        assertTrue(
                manifest.contains("\"bound_to\" : \"" + BOUND.format(oldestHour.plus(1, ChronoUnit.HOURS)) + "\""),
                manifest);
        assertEquals(
                archived.size(),
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM partition_keeper.partition_lifecycle"
                                + " WHERE verified_at IS NOT NULL AND dropped_at IS NOT NULL AND archived_rows = "
                                + ROWS_PER_HOUR),
                "each archived hour verified, then dropped");

        Cli.Result restored = Cli.run("restore", oldest + "/", "--into", "public.restored_hour", "-c", cfg.toString());
        assertEquals(Main.OK, restored.exitCode(), restored::toString);
        assertEquals(ROWS_PER_HOUR, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.restored_hour"));
        assertEquals(
                0,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM public.restored_hour WHERE at < '" + hour.minus(30, ChronoUnit.HOURS)
                                + "' OR at >= '" + hour.minus(29, ChronoUnit.HOURS) + "'"));
    }
}

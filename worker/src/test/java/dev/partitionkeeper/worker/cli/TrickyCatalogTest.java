package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's first week (issue 18) on a quoted, spaced table with daily Berlin partitions named
 * {@code Billing Events 20261201}: new partitions keep that naming, the archive's folders carry the real names,
 * and both they and an archive in the older percent-encoded folders restore.
 */
@Tag("postgres")
class TrickyCatalogTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    @TempDir
    Path dir;

    @Test
    void aSpacedDailyTableKeepsItsNamingAndItsArchiveFoldersTheRealNames() throws Exception {
        String url = PgTestSupport.newDatabase("tricky_names");
        LocalDate today = LocalDate.now(BERLIN);
        PgTestSupport.exec(
                url,
                "SET TIME ZONE 'Europe/Berlin'",
                "CREATE TABLE public.\"Billing Events\" (id bigint NOT NULL,"
                        + " at timestamptz NOT NULL, cents int NOT NULL) PARTITION BY RANGE (at)");
        for (int d = -8; d <= 0; d++) {
            LocalDate day = today.plusDays(d);
            PgTestSupport.exec(
                    url,
                    "SET TIME ZONE 'Europe/Berlin'",
                    "CREATE TABLE public.\"Billing Events " + day.format(DAY)
                            + "\" PARTITION OF public.\"Billing Events\" FOR VALUES FROM ('" + day + "') TO ('"
                            + day.plusDays(1) + "')",
                    "INSERT INTO public.\"Billing Events\" SELECT g, '" + day
                            + " 12:00'::timestamptz + g * interval '1 second'," + " g FROM generate_series(1, 50) g");
        }
        Path archive = dir.resolve("archive");
        Path cfg = dir.resolve("partition-keeper.yaml");
        Files.writeString(cfg, Cli.config(url, archive, """
          - table: public."Billing Events"
            interval: daily
            timezone: Europe/Berlin
            premake: 2
            retention: 5 days
            default_partition: none
            retention_action: archive_and_drop
            drop_grace: 0d
            partition_name: 'Billing Events %Y%m%d'
        """));

        Cli.Result plan = Cli.run("plan", "-c", cfg.toString());
        Cli.Result pass = Cli.run("once", "-c", cfg.toString());

        String next = "Billing Events " + today.plusDays(2).format(DAY);
        assertTrue(plan.out().contains("| CreatePartition | " + next + " "), plan::toString);
        assertTrue(pass.exitCode() == Main.OK || pass.exitCode() == Main.ATTENTION, pass::toString);
        assertEquals(1, PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_class WHERE relname = '" + next + "'"));
        Path tableDir = archive.resolve("public").resolve("Billing Events");
        List<Path> archived;
        try (Stream<Path> dirs = Files.list(tableDir)) {
            archived = dirs.sorted().toList();
        }
        assertTrue(archived.size() >= 2, "archived: " + archived);
        Path oldest = archived.get(0);
        assertTrue(oldest.getFileName().toString().startsWith("Billing Events "), "real names: " + oldest);
        assertTrue(Files.isRegularFile(oldest.resolve("manifest.json")), oldest.toString());

        Cli.Result restored = Cli.run("restore", oldest + "/", "--into", "public.restored_new", "-c", cfg.toString());
        assertEquals(Main.OK, restored.exitCode(), restored::toString);
        assertEquals(50, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.restored_new"));

        // an archive an older version wrote keeps its percent-encoded folders; restore by its recorded location
        Path legacyTable = archive.resolve("public").resolve("Billing%20Events");
        Path second = archived.get(1);
        Path legacy = legacyTable.resolve(second.getFileName().toString().replace(" ", "%20"));
        Files.createDirectories(legacyTable);
        Files.move(second, legacy);
        String recorded = legacy.toUri().toString().replace("%2520", "%20"); // as the bookkeeping recorded it
        Cli.Result fromLegacy = Cli.run("restore", recorded, "--into", "public.restored_old", "-c", cfg.toString());
        assertEquals(Main.OK, fromLegacy.exitCode(), fromLegacy::toString);
        assertEquals(50, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.restored_old"));
    }
}

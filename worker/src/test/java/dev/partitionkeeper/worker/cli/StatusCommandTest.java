package dev.partitionkeeper.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.dev.DemoData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code status} says about a table's archive and its partitions' row estimates, after a real pass. */
@Tag("postgres")
class StatusCommandTest {
    @TempDir
    Path dir;

    private Path config(String url, String action) throws Exception {
        Path f = dir.resolve("partition-keeper.yaml");
        Files.writeString(f, """
        postgres:
          url: '%s'
        archive:
          location: '%s'
        tables:
          - table: public.transactions
            interval: monthly
            premake: 3
            retention: 12 months
            retention_action: %s
            drop_grace: 0d
        """.formatted(url, dir.resolve("archive"), action));
        return f;
    }

    @Test
    void anArchiveTableKeepsItsVerifiedPartitionsAndNewPartitionsAreNotAnalyzed() throws Exception {
        String url = PgTestSupport.newDatabase("status_archive");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 20);
        Path f = config(url, "archive");
        Cli.Result pass = Cli.run("once", "-c", f.toString());
        assertTrue(pass.exitCode() == Main.OK || pass.exitCode() == Main.ATTENTION, pass::toString);

        Cli.Result status = Cli.run("status", "-c", f.toString());
        Cli.Result json = Cli.run("status", "-c", f.toString(), "--json");

        assertTrue(status.out().contains("kept (retention_action: archive)"), status::toString);
        assertFalse(status.out().contains("| after "), "an archive table never drops: no drop-after\n" + status);
        // the partitions the pass created were never analysed: say so, and what fixes it
        assertTrue(status.out().contains("| not analyzed "), status::toString);
        assertFalse(status.out().contains("| ? "), status::toString);
        assertTrue(
                status.out().contains("ANALYZE public.transactions gives one for every partition"), status::toString);
        JsonNode archived = new ObjectMapper().readTree(json.out()).at("/tables/0/archived/0");
        assertEquals("verified", archived.get("state").asText(), json::toString);
        assertTrue(archived.get("dropAfter").isNull(), json::toString);

        PgTestSupport.exec(url, "ANALYZE public.transactions");
        Cli.Result analysed = Cli.run("status", "-c", f.toString());
        assertFalse(analysed.out().contains("not analyzed"), analysed::toString);
    }

    @Test
    void anArchiveAndDropTableShowsWhenItDrops() throws Exception {
        String url = PgTestSupport.newDatabase("status_drop");
        DemoData.create(url, LocalDate.now(ZoneOffset.UTC), 20);
        Path f = config(url, "archive_and_drop");
        Cli.run("once", "-c", f.toString());

        Cli.Result status = Cli.run("status", "-c", f.toString());

        assertFalse(status.out().contains("kept (retention_action"), status::toString);
        assertTrue(status.out().lines().anyMatch(l -> l.contains("| dropped ")), status::toString);
    }
}

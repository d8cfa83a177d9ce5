package dev.partitionkeeper.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.worker.config.ConfigKeys;
import dev.partitionkeeper.worker.config.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md stays true: its example parses, and every key the parser knows has a row. */
class ConfigurationDocTest {
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    @Test
    void theExampleParsesAndMeansWhatTheTablesSay() throws Exception {
        String md = Files.readString(AlertRulesTest.docs("configuration.md"));
        Matcher m = YAML_BLOCK.matcher(md);
        assertTrue(m.find(), "docs/configuration.md has a ```yaml example");
        WorkerConfig cfg = WorkerConfig.parse("configuration.md", m.group(1), Map.of("PK_METRICS_PORT", "9100"));
        assertEquals(9100, cfg.metrics().port(), "PK_<SECTION>_<KEY> overrides the file");
        assertEquals("s3://acme-partition-archive/prod", cfg.archive().location());
        assertEquals(1, cfg.tables().size());
    }

    @Test
    void theExampleFileShowsAnArchiveAndAnArchiveAndDropTable() throws Exception {
        Path example = AlertRulesTest.docs("configuration.md")
                .getParent()
                .getParent()
                .resolve("examples/partition-keeper.yaml");
        WorkerConfig cfg = WorkerConfig.load(example, Map.of());
        assertTrue(cfg.archive() != null && cfg.archive().location() != null, "examples/ has an archive: block");
        assertTrue(
                cfg.tables().stream().anyMatch(t -> t.retentionAction().name().equals("ARCHIVE_AND_DROP")),
                "examples/ has an archive_and_drop table");
    }

    @Test
    void everyKeyHasARowInItsSection() throws Exception {
        String md = Files.readString(AlertRulesTest.docs("configuration.md"));
        List<String> missing = new ArrayList<>();
        for (var e : ConfigKeys.sections().entrySet()) {
            String chapter = chapter(md, "## `" + e.getKey() + ":`");
            if (chapter == null) {
                missing.add("no chapter \"## `" + e.getKey() + ":`\"");
                continue;
            }
            for (String key : e.getValue()) {
                if (!chapter.contains("\n| `" + key + "` |")) {
                    missing.add(e.getKey() + "." + key);
                }
            }
        }
        String databases = chapter(md, "## `databases:`");
        for (String key : ConfigKeys.databaseKeys()) {
            if (databases == null || !databases.contains("\n| `" + key + "` |")) {
                missing.add("databases[]." + key);
            }
        }
        String tables = chapter(md, "## `tables:`");
        for (String key : ConfigKeys.tableKeys()) {
            if (tables == null || !tables.contains("\n| `" + key + "` |")) {
                missing.add("tables[]." + key);
            }
        }
        assertEquals(List.of(), missing, "keys without a row in docs/configuration.md");
    }

    @Test
    void theFleetExampleParses() throws Exception {
        String databases = chapter(Files.readString(AlertRulesTest.docs("configuration.md")), "## `databases:`");
        Matcher m = Pattern.compile("```\\n(databases:.*?)```", Pattern.DOTALL).matcher(databases);
        assertTrue(m.find(), "the databases: chapter has an example");
        WorkerConfig cfg = WorkerConfig.parse("configuration.md", m.group(1), Map.of());
        assertEquals(3, cfg.fleet().databases().size());
        assertEquals("tenant_%", cfg.tables().get(1).database());
    }

    private static String chapter(String md, String heading) {
        int at = md.indexOf(heading);
        if (at < 0) {
            return null;
        }
        int end = md.indexOf("\n## ", at + heading.length());
        return md.substring(at, end < 0 ? md.length() : end);
    }
}

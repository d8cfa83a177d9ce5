package dev.partitionkeeper.worker.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The source-level half of "only the bookkeeping package touches the bookkeeping tables": no string in main code
 * outside that package names one of them. {@link LayeringRulesTest} cannot see this, because a name written as a
 * string constant leaves no dependency in the bytecode. Comments may name the tables; strings, including messages,
 * go through {@code Bookkeeping.lifecycleTableName()} and friends.
 */
class BookkeepingTableNamesTest {
    /** Relative to the worker module, where surefire runs. */
    static final List<Path> MAIN_SOURCES = List.of(
            Path.of("../workflows/src/main/java"), Path.of("../activities/src/main/java"), Path.of("src/main/java"));

    static final String BOOKKEEPING_PACKAGE = "dev/partitionkeeper/activities/postgres/bookkeeping/";
    static final Pattern BOOKKEEPING_TABLES = Pattern.compile("\\b(partition_lifecycle|action_log|schema_version)\\b");
    /** "conversion" is also a word in messages: only the name alone or schema-qualified counts. */
    static final Pattern CONVERSION_TABLE = Pattern.compile("^conversion$|\\.\"?conversion\\b");
    /**
     * Comments, text blocks (group 1), string literals (group 2) and char literals, left to right, so a quote in a
     * comment or a "//" in a string is read as what it is.
     */
    static final Pattern TOKEN = Pattern.compile(
            "//[^\\n]*|/\\*.*?\\*/|\"\"\"(.*?)\"\"\"|\"((?:[^\"\\\\\\n]|\\\\.)*)\"" + "|'(?:[^'\\\\\\n]|\\\\.)+'",
            Pattern.DOTALL);

    @Test
    void noMainCodeOutsideTheBookkeepingPackageNamesABookkeepingTable() throws IOException {
        List<String> found = new ArrayList<>();
        int scanned = 0;
        for (Path root : MAIN_SOURCES) {
            assertTrue(
                    Files.isDirectory(root),
                    root.toAbsolutePath() + " is missing: run the test from the worker module");
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String rel = root.relativize(f).toString().replace('\\', '/');
                    if (!rel.startsWith(BOOKKEEPING_PACKAGE)) {
                        scanned++;
                        found.addAll(namings(f.toString(), Files.readString(f), true));
                    }
                }
            }
        }
        assertTrue(scanned > 100, "scanned only " + scanned + " files: the source roots moved?");
        assertEquals(
                List.of(),
                found,
                "main code outside " + BOOKKEEPING_PACKAGE + " names a bookkeeping table; read"
                        + " through BookkeepingReader, write through Bookkeeping (docs/architecture.md, Layering)");
    }

    @Test
    void theScanFindsANameInAStringButNotInAComment() {
        String source = """
        // partition_lifecycle is fine here, and so is a quote: "
        class X {
          char q = '"';
          String url = "s3://bucket/action_log_is_not_a_word_here";
          String a = "SELECT * FROM " + schema + ".action_log";
          String b = qualified("conversion");
          String c = "the conversion of " + t;
        }
        """;
        assertEquals(2, namings("X.java", source, true).size());
    }

    static List<String> namings(String file, String source, boolean conversionToo) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(source);
        while (m.find()) {
            String literal = m.group(1) != null ? m.group(1) : m.group(2);
            if (literal == null) {
                continue; // a comment or a char literal
            }
            if (BOOKKEEPING_TABLES.matcher(literal).find()
                    || conversionToo && CONVERSION_TABLE.matcher(literal).find()) {
                int line = 1
                        + (int) source.substring(0, m.start())
                                .chars()
                                .filter(ch -> ch == '\n')
                                .count();
                out.add(file + ":" + line + ": \"" + literal.strip() + "\"");
            }
        }
        return out;
    }
}

package dev.partitionkeeper.worker.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Code names classes through imports, not inline as {@code java.util.concurrent.TimeUnit.SECONDS}: what a file
 * depends on stays in its import list. Comments, strings and text blocks may name anything, and so may code where
 * an import cannot do: a class whose simple name the file already imports from elsewhere (two {@code Logger}s).
 */
class NoInlineQualifiedNamesTest {
    /** Every module's main and test sources and bench/, relative to the worker module, where surefire runs. */
    static final List<Path> SOURCES =
            List.of(Path.of("../workflows/src"), Path.of("../activities/src"), Path.of("src"), Path.of("../bench"));
    /** A package path of two or more lower-case parts, then a class name, not part of a longer name. */
    static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.])(?:java|javax|io|org|com|dev|software|picocli)(?:\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*");
    /** Comments, text blocks, string and char literals: blanked before the search. */
    static final Pattern NOT_CODE = Pattern.compile(
            "//[^\\n]*|/\\*.*?\\*/|\"\"\".*?\"\"\"|\"(?:[^\"\\\\\\n]|\\\\.)*\"" + "|'(?:[^'\\\\\\n]|\\\\.)+'",
            Pattern.DOTALL);

    static final Pattern IMPORT = Pattern.compile("^import\\s+([\\w.]+)\\.(\\w+);", Pattern.MULTILINE);

    static List<String> inlineNames(String file, String source) {
        String code = NOT_CODE.matcher(source).replaceAll(m -> m.group().replaceAll("[^\\n]", " "));
        Map<String, String> imported = new HashMap<>();
        for (Matcher i = IMPORT.matcher(code); i.find(); ) {
            imported.put(i.group(2), i.group(1) + "." + i.group(2));
        }
        List<String> found = new ArrayList<>();
        String[] lines = code.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("import ") || line.startsWith("package ")) {
                continue;
            }
            Matcher m = QUALIFIED.matcher(lines[i]);
            while (m.find()) {
                String name = m.group().substring(m.group().lastIndexOf('.') + 1);
                if (imported.getOrDefault(name, m.group()).equals(m.group())) {
                    found.add(file + ":" + (i + 1) + ": " + m.group());
                }
            }
        }
        return found;
    }

    @Test
    void noSourceFileWritesAQualifiedClassNameInline() throws IOException {
        List<String> found = new ArrayList<>();
        int scanned = 0;
        for (Path root : SOURCES) {
            assertTrue(
                    Files.isDirectory(root),
                    root.toAbsolutePath() + " is missing: run the test from the worker module");
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    scanned++;
                    found.addAll(inlineNames(f.toString(), Files.readString(f)));
                }
            }
        }
        assertTrue(scanned > 300, "scanned only " + scanned + " files: the source roots moved?");
        assertEquals(List.of(), found, "import these instead");
    }

    @Test
    void theScanSeesCodeAndIgnoresCommentsAndStrings() {
        String source = """
        package a.b;
        import java.util.List;
        // java.util.Map in a comment
        class X {
          String s = "java.util.Map in a string";
          Object o = java.util.concurrent.TimeUnit.SECONDS;
        }
        """;

        assertEquals(List.of("X.java:6: java.util.concurrent.TimeUnit"), inlineNames("X.java", source));
        // where the simple name is taken by an import, the qualified name is the only way
        assertEquals(
                List.of(),
                inlineNames("Y.java", "import java.time.Duration;\nclass Y { com.uber.m3.util.Duration d; }"));
    }
}

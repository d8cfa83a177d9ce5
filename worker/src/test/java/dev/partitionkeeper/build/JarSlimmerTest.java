package dev.partitionkeeper.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the production jar's slimming keeps: anything a kept class or a resource can name, and nothing else. */
class JarSlimmerTest {

    @TempDir
    Path dir;

    @Test
    void keepsWhatIsNamedAndLeavesOutTheRest() throws IOException {
        Map<String, String> sources = Map.of(
                "app/Main.java",
                "package app; public class Main { lib.Used u; Object load() throws Exception {"
                        + " return Class.forName(\"lib.ByName\"); } }",
                "lib/Used.java",
                "package lib; public class Used { java.util.List<Generic> g; }",
                "lib/Generic.java",
                "package lib; public class Generic {}",
                "lib/ByName.java",
                "package lib; public class ByName {}",
                "lib/InService.java",
                "package lib; public class InService {}",
                "lib/FromOtherJar.java",
                "package lib; public class FromOtherJar {}",
                "lib/Unused.java",
                "package lib; public class Unused { lib.AlsoUnused a; }",
                "lib/AlsoUnused.java",
                "package lib; public class AlsoUnused {}",
                "whole/Kept.java",
                "package whole; public class Kept {}");
        Path src = dir.resolve("src");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        for (var e : sources.entrySet()) {
            Files.createDirectories(src.resolve(e.getKey()).getParent());
            Files.writeString(src.resolve(e.getKey()), e.getValue());
        }
        List<String> args = new ArrayList<>(List.of("-d", classes.toString()));
        sources.keySet().forEach(f -> args.add(src.resolve(f).toString()));
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)));

        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                put(out, classes.relativize(f).toString(), Files.readAllBytes(f));
            }
            put(out, "META-INF/services/some.Service", "lib.InService\n".getBytes(StandardCharsets.UTF_8));
        }
        Path other = dir.resolve("other.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(other))) {
            put(out, "config.xml", "<x class=\"lib.FromOtherJar\"/>".getBytes(StandardCharsets.UTF_8));
        }

        new JarSlimmer().slim(jar, List.of("app/", "whole/"), List.of(other), dir.resolve("report.txt"));

        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertEquals(
                    new TreeSet<>(List.of(
                            "app/Main.class",
                            "lib/Used.class",
                            "lib/Generic.class",
                            "lib/ByName.class",
                            "lib/InService.class",
                            "lib/FromOtherJar.class",
                            "whole/Kept.class")),
                    zip.stream()
                            .map(ZipEntry::getName)
                            .filter(n -> n.endsWith(".class"))
                            .collect(Collectors.toCollection(TreeSet::new)));
            assertNotNull(zip.getEntry("META-INF/services/some.Service"));
        }
        List<String> report = Files.readAllLines(dir.resolve("report.txt"));
        assertTrue(report.containsAll(List.of("lib/AlsoUnused.class", "lib/Unused.class")), report::toString);
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(bytes);
        out.closeEntry();
    }
}

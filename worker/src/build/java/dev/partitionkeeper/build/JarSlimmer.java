package dev.partitionkeeper.build;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Leaves out of the production jar the classes no code or resource in it can name (issue 14: the jar that fits a
 * container). The shaded jar holds whole libraries of which the worker loads a part; a class nothing names cannot be
 * loaded, except through a name built at run time, and the libraries that do that are kept whole ({@code --keep}).
 *
 * <p>A class is kept when it is under a {@code --keep} prefix, or named by any non-class file of the jar or of a
 * {@code --roots-from} jar (service files, logback.xml, the native libraries' JNI look-ups, property files: any run of
 * name characters, with dots read as slashes), or named by a kept class: any UTF-8 constant of its constant pool, as a
 * whole, as descriptors' {@code L...;} parts and split at every character a class name cannot hold, again with dots
 * read as slashes, so {@code Class.forName("a.b.C")} keeps {@code a/b/C}. Over-approximating on purpose: a string
 * that merely looks like a kept name only keeps a class that exists.
 *
 * <p>Run by the worker's build on the shaded jar, in place: {@code java JarSlimmer.java JAR [--keep PREFIX]...
 * [--roots-from JAR]... [--report FILE]}. {@code bench/jar-check.sh} runs the result through every command.
 */
public final class JarSlimmer {

    /** Every class of the jar: its entries (a multi-release jar may hold several), their bytes and size. */
    private final Map<String, ClassEntries> classes = new HashMap<>();

    private final Set<String> kept = new HashSet<>();
    private final Deque<String> pending = new ArrayDeque<>();

    public static void main(String[] args) throws IOException {
        Path jar = null;
        List<String> keep = new ArrayList<>();
        List<Path> rootJars = new ArrayList<>();
        Path report = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--keep" -> keep.add(args[++i]);
                case "--roots-from" -> rootJars.add(Path.of(args[++i]));
                case "--report" -> report = Path.of(args[++i]);
                default -> {
                    if (jar != null) {
                        throw new IllegalArgumentException("one jar to slim, got " + jar + " and " + args[i]);
                    }
                    jar = Path.of(args[i]);
                }
            }
        }
        if (jar == null) {
            throw new IllegalArgumentException(
                    "usage: java JarSlimmer.java JAR [--keep PREFIX]... [--roots-from JAR]... [--report FILE]");
        }
        new JarSlimmer().slim(jar, keep, rootJars, report);
    }

    void slim(Path jar, List<String> keepPrefixes, List<Path> rootJars, Path report) throws IOException {
        long before = Files.size(jar);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : entries(zip)) {
                String cls = className(e.getName());
                if (cls != null) {
                    classes.computeIfAbsent(cls, k -> new ClassEntries()).add(e, read(zip, e));
                }
            }
            for (String cls : classes.keySet()) {
                if (keepPrefixes.stream().anyMatch(cls::startsWith)) {
                    keep(cls);
                }
            }
            keepNamedByResources(zip);
        }
        for (Path other : rootJars) {
            try (ZipFile zip = new ZipFile(other.toFile())) {
                keepNamedByResources(zip);
                for (ZipEntry e : entries(zip)) {
                    if (className(e.getName()) != null) {
                        keepNamedBy(classNames(read(zip, e)));
                    }
                }
            }
        }
        while (!pending.isEmpty()) {
            for (byte[] classFile : classes.get(pending.pop()).files) {
                keepNamedBy(classNames(classFile));
            }
        }

        Map<String, Long> removedByPackage = new TreeMap<>();
        List<String> removedEntries = new ArrayList<>();
        long removedBytes = 0;
        for (var e : classes.entrySet()) {
            if (!kept.contains(e.getKey())) {
                removedEntries.addAll(e.getValue().names);
                removedBytes += e.getValue().compressedSize;
                removedByPackage.merge(packageOf(e.getKey()), e.getValue().compressedSize, Long::sum);
            }
        }
        removedEntries.sort(null);
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
            for (String name : removedEntries) {
                Files.delete(fs.getPath(name));
            }
        }
        if (report != null) {
            List<String> lines = new ArrayList<>();
            removedByPackage.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(p -> lines.add(String.format("%,12d bytes left out of %s", p.getValue(), p.getKey())));
            lines.addAll(removedEntries);
            Files.write(report, lines);
        }
        System.out.printf(
                "JarSlimmer: %s: left out %,d of %,d classes (%.1f MB compressed); %.1f MB -> %.1f MB%n",
                jar.getFileName(),
                classes.size() - kept.size(),
                classes.size(),
                removedBytes / 1e6,
                before / 1e6,
                Files.size(jar) / 1e6);
    }

    private void keepNamedByResources(ZipFile zip) throws IOException {
        for (ZipEntry e : entries(zip)) {
            if (!e.isDirectory() && className(e.getName()) == null) {
                List<String> names = new ArrayList<>();
                tokens(new String(read(zip, e), StandardCharsets.ISO_8859_1), names);
                keepNamedBy(names);
            }
        }
    }

    private void keepNamedBy(List<String> names) {
        for (String n : names) {
            if (classes.containsKey(n)) {
                keep(n);
            }
        }
    }

    private void keep(String cls) {
        if (kept.add(cls)) {
            pending.push(cls);
        }
    }

    /** Every name a class file's constant pool can mean: its UTF-8 constants' {@link #tokens}. */
    static List<String> classNames(byte[] classFile) {
        List<String> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            readConstantPool(in, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void readConstantPool(DataInputStream in, List<String> out) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> tokens(in.readUTF(), out);
                case 3, 4 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++; // a long or double takes two slots
                }
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
                case 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 15 -> in.skipNBytes(3);
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
    }

    /** The whole string, and each run of characters a class name can hold, each also with dots read as slashes. */
    static void tokens(String s, List<String> out) {
        add(s, out);
        int start = -1;
        for (int i = 0; i <= s.length(); i++) {
            boolean nameChar = i < s.length() && isNameChar(s.charAt(i));
            if (nameChar && start < 0) {
                start = i;
            } else if (!nameChar && start >= 0) {
                String t = s.substring(start, i);
                add(t, out);
                if (t.length() > 1 && t.charAt(0) == 'L') {
                    add(t.substring(1), out); // a descriptor's Lpkg/Name
                }
                start = -1;
            }
        }
    }

    private static void add(String t, List<String> out) {
        if (t.indexOf('/') >= 0 || t.indexOf('.') >= 0) {
            String slashed = t.replace('.', '/');
            out.add(slashed);
            if (slashed.endsWith("/class")) {
                out.add(slashed.substring(0, slashed.length() - "/class".length()));
            }
        }
        out.add(t);
    }

    private static boolean isNameChar(char c) {
        return c == '/' || c == '.' || c == '$' || c == '_' || c == '-' || Character.isLetterOrDigit(c);
    }

    /** {@code a/b/C} for {@code a/b/C.class} and {@code META-INF/versions/11/a/b/C.class}; null for other entries. */
    static String className(String entry) {
        if (!entry.endsWith(".class") || entry.endsWith("module-info.class")) {
            return null;
        }
        String name = entry.substring(0, entry.length() - ".class".length());
        if (name.startsWith("META-INF/versions/")) {
            int slash = name.indexOf('/', "META-INF/versions/".length());
            return slash < 0 ? null : name.substring(slash + 1);
        }
        return name.startsWith("META-INF/") ? null : name;
    }

    private static String packageOf(String cls) {
        String[] parts = cls.split("/");
        return String.join("/", Arrays.copyOf(parts, Math.min(3, parts.length - 1)));
    }

    private static byte[] read(ZipFile zip, ZipEntry e) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    private static final class ClassEntries {
        final List<String> names = new ArrayList<>();
        final List<byte[]> files = new ArrayList<>();
        long compressedSize;

        void add(ZipEntry e, byte[] bytes) {
            names.add(e.getName());
            files.add(bytes);
            compressedSize += e.getCompressedSize();
        }
    }

    private static List<? extends ZipEntry> entries(ZipFile zip) {
        return zip.stream().toList();
    }
}

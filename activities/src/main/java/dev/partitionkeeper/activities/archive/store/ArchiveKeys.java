package dev.partitionkeeper.activities.archive.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Rules for object keys, shared by all stores so a key means the same thing on disk and in S3. */
public final class ArchiveKeys {

    private ArchiveKeys() {}

    /**
     * Rejects keys that could escape the store's root or that S3 and filesystems treat differently.
     *
     * @throws IllegalArgumentException naming the key and the rule
     */
    public static String check(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("archive key must not be empty");
        }
        if (key.startsWith("/") || key.endsWith("/")) {
            throw new IllegalArgumentException("archive key must be relative and name an object, got: \"" + key + "\"");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException(
                        "archive key must not contain empty, \".\" or \"..\" segments, got: \"" + key + "\"");
            }
        }
        if (key.indexOf('\\') >= 0 || key.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("archive key must not contain backslashes or control characters, got: \""
                    + key.replaceAll("\\p{Cntrl}", "?") + "\"");
        }
        return key;
    }

    /**
     * Encodes one identifier (schema, table, partition) as a single key segment: ASCII letters, digits and
     * {@code _ - . $} stay, everything else becomes {@code %XX} per UTF-8 byte. So {@code Billing Events}
     * becomes {@code Billing%20Events} and a name holding '/' cannot add a level.
     */
    public static String segment(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("identifier for an archive key must not be empty");
        }
        boolean onlyDots = identifier.chars().allMatch(c -> c == '.');
        StringBuilder out = new StringBuilder(identifier.length() + 8);
        append(out, identifier, onlyDots);
        return out.toString();
    }

    /** Appends {@code text} encoded as {@link #segment} encodes it; dots too when {@code escapeDots}. */
    private static void append(StringBuilder out, String text, boolean escapeDots) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '-'
                    || c == '$'
                    || (c == '.' && !escapeDots);
            if (plain) {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
    }

    /**
     * A key segment as a directory or file name on a filesystem: the identifier's real characters
     * ({@code Billing%20Events} is written as {@code Billing Events}), escaping only what a file name cannot hold or
     * would misread, as Hive escapes {@code /}: {@code /}, NUL and other control characters, {@code %} itself (so
     * the name maps back to one key) and a name of dots only. S3 keeps the key as it is.
     */
    public static String fileName(String segment) {
        StringBuilder out = new StringBuilder(segment.length());
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' && isHex(segment, i + 1) && isHex(segment, i + 2)) {
                int b = Integer.parseInt(segment.substring(i + 1, i + 3), 16);
                if (b < 0x20 || b == 0x7f || b == '/' || b == '%') {
                    flush(run, out);
                    out.append(segment, i, i + 3); // stays escaped
                } else {
                    run.write(b);
                }
                i += 2;
            } else {
                flush(run, out);
                out.append(c);
            }
        }
        flush(run, out);
        String name = out.toString();
        return name.chars().allMatch(c -> c == '.') ? segment : name;
    }

    /** The key segment of a file name {@link #fileName} wrote: its inverse. */
    public static String segmentOfFileName(String fileName) {
        if (fileName.chars().allMatch(c -> c == '.')) {
            throw new IllegalArgumentException("file name \"" + fileName + "\" is not an archive key segment");
        }
        StringBuilder out = new StringBuilder(fileName.length() + 8);
        int i = 0;
        while (i < fileName.length()) {
            if (fileName.charAt(i) == '%' && isHex(fileName, i + 1) && isHex(fileName, i + 2)) {
                out.append('%').append(fileName.substring(i + 1, i + 3).toUpperCase(Locale.ROOT)); // an escape it kept
                i += 3;
            } else {
                int cp = fileName.codePointAt(i);
                append(out, new String(Character.toChars(cp)), false);
                i += Character.charCount(cp);
            }
        }
        return out.toString();
    }

    private static boolean isHex(String s, int i) {
        return i < s.length() && Character.digit(s.charAt(i), 16) >= 0;
    }

    private static void flush(ByteArrayOutputStream run, StringBuilder out) {
        if (run.size() > 0) {
            out.append(run.toString(StandardCharsets.UTF_8));
            run.reset();
        }
    }
}

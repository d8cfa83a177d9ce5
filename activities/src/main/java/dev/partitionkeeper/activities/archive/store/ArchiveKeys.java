package dev.partitionkeeper.activities.archive.store;

import java.nio.charset.StandardCharsets;

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
    for (byte b : identifier.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '-' || c == '$' || (c == '.' && !onlyDots);
      if (plain) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}

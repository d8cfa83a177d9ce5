package dev.partitionkeeper.worker.config;

import java.util.regex.Pattern;

/**
 * One entry of {@code databases:}: one database ({@code name}), every database of a server whose name is
 * {@code LIKE} a {@code pattern}, or the databases listed in a file ({@code list_file}, one name a line). Each
 * database connects with the entry's {@code url} (its database part replaced by the database's name), or without
 * one with {@code postgres.url} or the libpq variables; the role and password as for {@code postgres:}.
 *
 * @param index the entry's place in the list, for messages ({@code databases[2]})
 * @param kind which of {@code name}, {@code pattern}, {@code list_file} the entry has
 * @param value the name, the pattern or the file
 * @param url a JDBC URL of the server; null for {@code service}, {@code postgres.url} or the libpq variables
 * @param service a libpq connection service ({@link PgServiceFile}) naming the server, role and password; null for
 *     none
 * @param user null for {@code postgres.user}
 * @param passwordFile null for {@code postgres.password_file}, {@code PGPASSWORD} or pgpass
 */
public record DatabaseEntry(
        int index, Kind kind, String value, String url, String service, String user, String passwordFile) {

    public enum Kind {
        NAME("name"),
        PATTERN("pattern"),
        LIST_FILE("list_file");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** {@code databases[1] (pattern tenant_%)}: how messages name the entry. */
    public String label() {
        return "databases[" + index + "] (" + kind.key() + " " + value + ")";
    }

    /** Whether the database {@code name} is one this entry means (a list file's names are known when read). */
    public boolean covers(String name) {
        return switch (kind) {
            case NAME -> value.equals(name);
            case PATTERN -> like(value, name);
            case LIST_FILE -> false;
        };
    }

    /** SQL {@code LIKE}: {@code %} any run of characters, {@code _} one character, {@code \} escapes the next. */
    public static boolean like(String pattern, String text) {
        return likeRegex(pattern).matcher(text).matches();
    }

    static Pattern likeRegex(String pattern) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '%') {
                re.append(".*");
            } else if (c == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    /**
     * Whether a table's {@code database:} means many databases: it has a {@code %} (then {@code _} is a wildcard
     * too, as in {@code LIKE}); without one it is a database's exact name, so {@code tenant_1} never matches
     * {@code tenantX1}.
     */
    public static boolean isPattern(String selector) {
        return selector.indexOf('%') >= 0;
    }

    /** Whether a table's {@code database:} selector means the database {@code name}. */
    public static boolean selects(String selector, String name) {
        return isPattern(selector) ? like(selector, name) : selector.equals(name);
    }
}

package dev.partitionkeeper.activities.fleet;

/**
 * Where one database of a fleet is and how to connect to it.
 *
 * @param name the database's name, as {@code TablePolicy.database()} names it
 * @param server the server it is on ({@code host:port}); at most so many databases of one server are worked on
 *     at once
 * @param password never printed: {@link #toString()} masks it
 */
public record DatabaseTarget(String name, String jdbcUrl, String user, String password, String server) {
    @Override
    public String toString() {
        return "DatabaseTarget[name=" + name + ", url=" + jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1<masked>")
                + ", user=" + user + ", password=" + (password == null ? "<none>" : "<masked>") + ", server="
                + server + "]";
    }
}

package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.model.TableName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks an on-demand request before it is accepted: by the CLI before it sends anything, and by the
 * {@code maintain} update's validator, which rejects it before anything is written to history.
 */
public final class MaintenanceRequests {
    /** A request naming more tables than this is a mistake, not a policy. */
    public static final int MAX_TABLES = 500;
    /** Reasons show in history and the UI; a page of text is not a reason. */
    public static final int MAX_REASON_LENGTH = 500;
    /** A request with hundreds of bad names gets the first few: the message is for a person. */
    static final int MAX_PROBLEMS = 10;

    private MaintenanceRequests() {}

    /**
     * Every problem with the request, empty when it is fine.
     *
     * @param known tables under policy; null when not known yet (then only the shape is checked)
     */
    public static List<String> problems(MaintenanceRequest request, Collection<TableName> known) {
        List<String> problems = new ArrayList<>();
        if (request == null) {
            problems.add("the request is empty; send {tables: [...], reason: \"...\", dryRun: false}");
            return problems;
        }
        if (request.malformed() != null) {
            problems.add(request.malformed());
        }
        if (request.tables().size() > MAX_TABLES) {
            problems.add("a request names at most " + MAX_TABLES + " tables (leave tables empty for all), got: "
                    + request.tables().size());
        }
        if (request.reason().length() > MAX_REASON_LENGTH) {
            problems.add("reason must be at most " + MAX_REASON_LENGTH + " characters, got: "
                    + request.reason().length());
        }
        for (String t : request.tables()) {
            if (problems.size() >= MAX_PROBLEMS) {
                problems.add("(more problems not shown)");
                break;
            }
            if (t == null || t.isBlank()) {
                problems.add("table names must not be empty; write them as schema.table, e.g. public.events");
                continue;
            }
            // a fleet's table may be asked for as <database>/<schema.table>, or a whole database as <database>/*
            String[] qualified = splitDatabase(t);
            if (qualified[0] != null && qualified[0].isEmpty()) {
                problems.add("table " + t + " names an empty database; write <database>/<schema.table>, e.g."
                        + " tenant_1/public.events, or <database>/* for all of its tables");
                continue;
            }
            if (qualified[0] != null && ALL_OF_DATABASE.equals(qualified[1])) {
                continue;
            }
            TableName name;
            try {
                name = TableName.parse(qualified[1], "public");
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                continue;
            }
            if (known != null && !known.contains(name)) {
                problems.add("table " + name + " is not in the policy; known tables: "
                        + known.stream().map(TableName::toString).collect(Collectors.joining(", ")));
            }
        }
        return problems;
    }

    /** A request's table text for all the tables of one database of a fleet: {@code tenant_1/*}. */
    public static final String ALL_OF_DATABASE = "*";

    /**
     * {@code tenant_1/public.events} as {@code {"tenant_1", "public.events"}}; a name without a database (no
     * {@code /} before any double quote) as {@code {null, name}}.
     */
    public static String[] splitDatabase(String text) {
        int slash = text.indexOf('/');
        int quote = text.indexOf('"');
        if (slash < 0 || quote >= 0 && quote < slash) {
            return new String[] {null, text};
        }
        return new String[] {text.substring(0, slash), text.substring(slash + 1)};
    }

    /** Throws {@link IllegalArgumentException} listing every problem, if there is any. */
    public static void check(MaintenanceRequest request, Collection<TableName> known) {
        List<String> problems = problems(request, known);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }
}

package dev.partitionkeeper.workflows;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Input of a maintenance pass.
 *
 * <p>Read leniently from JSON ({@link Reader}): a payload of the wrong shape (a string, {@code tables} not a
 * list, {@code dryRun: "yes"}, an unknown field) becomes a request carrying {@link #malformed()}, so the
 * {@code maintain} update's validator can refuse it with a message saying what is wrong, and a signal can be
 * reported in {@code status}. Left to the SDK, a payload that does not bind is dropped with a log line
 * nobody reads (signal) or refused with a Jackson message naming Java classes (update).
 *
 * @param tables tables to maintain, as written in the policy (e.g. {@code public.transactions}); empty = all
 * @param dryRun plan and check only
 * @param reason free text shown in history ("scheduled", "operator request: ...")
 * @param malformed what was wrong with the JSON this request was read from; null for a well-formed one
 */
@JsonDeserialize(using = MaintenanceRequest.Reader.class)
public record MaintenanceRequest(
        List<String> tables,
        boolean dryRun,
        String reason,
        @JsonInclude(JsonInclude.Include.NON_NULL) String malformed) {

    /** The JSON fields of a request. */
    public static final Set<String> FIELDS = Set.of("tables", "dryRun", "reason");
    /** Longest excerpt of a bad value quoted back in a message. */
    static final int QUOTE_LIMIT = 80;

    public MaintenanceRequest {
        tables = tables == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(tables));
        reason = reason == null ? "" : reason;
    }

    public MaintenanceRequest(List<String> tables, boolean dryRun, String reason) {
        this(tables, dryRun, reason, null);
    }

    public static MaintenanceRequest all(String reason) {
        return new MaintenanceRequest(List.of(), false, reason);
    }

    /** Whether it was read from well-formed JSON. */
    @JsonIgnore
    public boolean wellFormed() {
        return malformed == null;
    }

    /** Reads any JSON into a request; what does not fit is described in {@link #malformed()}, never thrown. */
    public static final class Reader extends JsonDeserializer<MaintenanceRequest> {
        @Override
        public MaintenanceRequest deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonNode n = p.readValueAsTree();
            if (n == null || n.isNull() || n.isMissingNode()) {
                return null;
            }
            if (!n.isObject()) {
                return bad(
                        "a maintenance request must be an object such as {\"tables\": [\"public.events\"], \"dryRun\":"
                                + " false, \"reason\": \"...\"}, got: " + quote(n));
            }
            List<String> problems = new ArrayList<>();
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) {
                    problems.add("unknown field \"" + cut(f)
                            + "\" in a maintenance request; known fields: dryRun, reason," + " tables");
                }
            }
            // a List that allows nulls: a null name is reported by MaintenanceRequests, not lost here
            List<String> tables = new ArrayList<>();
            JsonNode t = n.get("tables");
            if (t != null && !t.isNull()) {
                if (!t.isArray()) {
                    problems.add("tables must be a list of table names such as [\"public.events\"], got: " + quote(t));
                } else {
                    for (int i = 0; i < t.size(); i++) {
                        JsonNode e = t.get(i);
                        if (e.isTextual() || e.isNull()) {
                            tables.add(e.isNull() ? null : e.asText());
                        } else {
                            problems.add("tables[" + i + "] must be a table name such as \"public.events\", got: "
                                    + quote(e));
                        }
                    }
                }
            }
            boolean dryRun = false;
            JsonNode d = n.get("dryRun");
            if (d != null && !d.isNull()) {
                if (d.isBoolean()) {
                    dryRun = d.asBoolean();
                } else {
                    problems.add("dryRun must be true or false, got: " + quote(d));
                }
            }
            String reason = "";
            JsonNode r = n.get("reason");
            if (r != null && !r.isNull()) {
                if (r.isTextual()) {
                    reason = r.asText();
                } else {
                    problems.add("reason must be text, got: " + quote(r));
                }
            }
            return new MaintenanceRequest(
                    tables, dryRun, reason, problems.isEmpty() ? null : String.join("; ", problems));
        }

        private static MaintenanceRequest bad(String why) {
            return new MaintenanceRequest(List.of(), false, "", why);
        }

        private static String quote(JsonNode n) {
            String kind = n.isTextual()
                    ? "text "
                    : n.isNumber()
                            ? "number "
                            : n.isBoolean() ? "" : n.isArray() ? "list " : n.isObject() ? "object " : "";
            return kind + cut(n.toString());
        }

        private static String cut(String s) {
            return s.length() <= QUOTE_LIMIT ? s : s.substring(0, QUOTE_LIMIT) + "… (" + s.length() + " characters)";
        }
    }
}

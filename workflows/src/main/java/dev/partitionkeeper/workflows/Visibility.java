package dev.partitionkeeper.workflows;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the Temporal UI can filter and show runs by: custom search attributes and memo keys.
 *
 * <p>Search attributes must be registered on the namespace before a workflow may set them; an unknown
 * one fails the workflow task. So the run only upserts them when its starter set them at start
 * ({@link #enabledAtStart}), which starters do only after registering them (or finding them) on the
 * server. On a server that refuses registration (Temporal Cloud without admin rights, some test
 * servers) runs simply carry no custom search attributes; the memo is always set.
 */
public final class Visibility {
    /** Tables the run maintained or is maintaining, e.g. {@code ["public.transactions"]}. */
    public static final SearchAttributeKey<List<String>> TABLES =
            SearchAttributeKey.forKeywordList("PartitionKeeperTables");
    /** {@code running}, then {@code ok}, {@code attention} or {@code failed}. */
    public static final SearchAttributeKey<String> OUTCOME = SearchAttributeKey.forKeyword("PartitionKeeperOutcome");
    /** {@code schedule}, {@code cron}, {@code on-demand} or {@code direct}. */
    public static final SearchAttributeKey<String> TRIGGER = SearchAttributeKey.forKeyword("PartitionKeeperTrigger");

    /** Memo key: what started the run (same values as {@link #TRIGGER}). */
    public static final String MEMO_TRIGGER = "trigger";
    /** Memo key: the configuration file the starter read. */
    public static final String MEMO_CONFIG = "config";

    public static final String TRIGGER_SCHEDULE = "schedule";
    public static final String TRIGGER_CRON = "cron";
    public static final String TRIGGER_ON_DEMAND = "on-demand";
    public static final String TRIGGER_DIRECT = "direct";

    public static final String OUTCOME_RUNNING = "running";

    private Visibility() {}

    /** Every custom search attribute with the type to register it as. */
    public static Map<String, IndexedValueType> definitions() {
        Map<String, IndexedValueType> m = new LinkedHashMap<>();
        m.put(TABLES.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST);
        m.put(OUTCOME.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        m.put(TRIGGER.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        return m;
    }

    /** The search attributes a starter sets at start (only when they are registered). */
    public static SearchAttributes initial(String trigger) {
        return SearchAttributes.newBuilder()
                .set(TRIGGER, trigger)
                .set(OUTCOME, OUTCOME_RUNNING)
                .set(TABLES, List.of())
                .build();
    }

    /** Memo set by starters. */
    public static Map<String, Object> memo(String trigger, String configSource) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(MEMO_TRIGGER, trigger);
        if (configSource != null) {
            m.put(MEMO_CONFIG, configSource);
        }
        return m;
    }

    /** Whether the run's starter set our search attributes, i.e. they are registered and may be upserted. */
    /**
     * Bytes of table names {@link #tables} keeps: Temporal refuses a search attribute value over 2 KB (the default
     * {@code limit.searchAttributeSizeLimit}) by failing the workflow task, which fails the whole pass.
     */
    static final int TABLES_BUDGET_BYTES = 1_500;

    /**
     * The value of {@link #TABLES} for a run that touched {@code tables}: all of them while they fit in
     * {@link #TABLES_BUDGET_BYTES} (as JSON, as the server measures it), else the first that fit. A run over more
     * tables than that is found by the tables' own runs (each child carries its table) and by its memo.
     */
    static List<String> tables(List<String> tables) {
        int bytes = 2; // []
        List<String> kept = new ArrayList<>();
        for (String t : tables) {
            // a quoted JSON string and its comma; quotes and backslashes in names take an escape each
            int size = t.getBytes(StandardCharsets.UTF_8).length
                    + 3
                    + (int) t.chars().filter(c -> c == '"' || c == '\\').count();
            if (bytes + size > TABLES_BUDGET_BYTES) {
                break;
            }
            bytes += size;
            kept.add(t);
        }
        return kept.size() == tables.size() ? tables : List.copyOf(kept);
    }

    static boolean enabledAtStart(SearchAttributes atStart) {
        return atStart != null && atStart.containsKey(OUTCOME);
    }
}

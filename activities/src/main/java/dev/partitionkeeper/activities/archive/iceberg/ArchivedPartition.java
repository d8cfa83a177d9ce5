package dev.partitionkeeper.activities.archive.iceberg;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.summary.ContentChecksum;
import dev.partitionkeeper.workflows.model.TableName;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * What one archived partition's snapshot says about itself, in its summary: the source partition, its
 * bounds, row count, content checksum and the columns as exported. This is how a retried export recognises
 * its own commit and how verify, drop and restore find the partition's files.
 *
 * <p>{@code archive_retention} expires old snapshots, and with them the snapshots of younger partitions that
 * are still archived: before that, each such snapshot's summary and data files are carried into a table
 * property ({@link #CARRIED} + partition), where {@link #find} looks when the snapshot is gone ({@code files}
 * is then set; null while the snapshot itself names them). An expired partition is marked ({@link #EXPIRED} +
 * partition) and never found again.
 */
record ArchivedPartition(
        long snapshotId,
        TableName parent,
        String partition,
        String boundFrom,
        String boundTo,
        String keyColumn,
        long rows,
        String contentChecksum,
        String keyMin,
        String keyMax,
        Long keyLow,
        Long keyHigh,
        List<ArchiveColumn> columns,
        List<String> files) {

    static final String PREFIX = "partition-keeper.";
    static final String TABLE = PREFIX + "table";
    static final String PARTITION = PREFIX + "partition";
    static final String BOUND_FROM = PREFIX + "bound-from";
    static final String BOUND_TO = PREFIX + "bound-to";
    static final String KEY = PREFIX + "key";
    static final String ROWS = PREFIX + "rows";
    static final String CHECKSUM = PREFIX + "content-checksum";
    static final String ALGORITHM = PREFIX + "checksum-algorithm";
    static final String KEY_MIN = PREFIX + "key-min";
    static final String KEY_MAX = PREFIX + "key-max";
    static final String COLUMNS = PREFIX + "columns";
    /** The key's min/max as Iceberg values (days, microseconds, integers), for the scan filter; integer keys only. */
    static final String KEY_LOW = PREFIX + "key-low";

    static final String KEY_HIGH = PREFIX + "key-high";
    /**
     * The companion columns ({@link PgTextColumns}) the partition's files wrote, a JSON array; absent when
     * none. For people: readers find the companions in the schema.
     */
    static final String PG_TEXT_COLUMNS = PREFIX + "pg-text-columns";
    /** Table property prefix: a partition's summary and files, kept when its snapshot is expired. */
    static final String CARRIED = PREFIX + "archived.";
    /** Table property prefix: the partition's archive was deleted by archive_retention (value: when). */
    static final String EXPIRED = PREFIX + "expired.";

    static final String SNAPSHOT_ID = PREFIX + "snapshot-id";
    static final String FILES = PREFIX + "files";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The summary entries of the snapshot that archives this partition. */
    Map<String, String> summary() {
        Map<String, String> s = new HashMap<>();
        s.put(TABLE, parent.toString());
        s.put(PARTITION, partition);
        putIf(s, BOUND_FROM, boundFrom);
        putIf(s, BOUND_TO, boundTo);
        s.put(KEY, keyColumn);
        s.put(ROWS, Long.toString(rows));
        s.put(CHECKSUM, contentChecksum);
        s.put(ALGORITHM, ContentChecksum.ALGORITHM);
        putIf(s, KEY_MIN, keyMin);
        putIf(s, KEY_MAX, keyMax);
        putIf(s, KEY_LOW, keyLow == null ? null : keyLow.toString());
        putIf(s, KEY_HIGH, keyHigh == null ? null : keyHigh.toString());
        try {
            s.put(COLUMNS, JSON.writeValueAsString(columns));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return s;
    }

    static String json(List<String> names) {
        try {
            return JSON.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putIf(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    static ArchivedPartition of(Snapshot s) {
        return of(s.snapshotId(), s.summary(), null);
    }

    /** The table property that keeps this partition when its snapshot {@code s} is expired. */
    static String carried(Snapshot s, List<String> files) {
        Map<String, String> m = new HashMap<>();
        s.summary().forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                m.put(k, v);
            }
        });
        m.put(SNAPSHOT_ID, Long.toString(s.snapshotId()));
        try {
            m.put(FILES, JSON.writeValueAsString(files));
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ArchivedPartition ofCarried(String property, String json) {
        try {
            Map<String, String> m = JSON.readValue(json, new TypeReference<Map<String, String>>() {});
            List<String> files = JSON.readValue(m.get(FILES), new TypeReference<List<String>>() {});
            return of(Long.parseLong(m.get(SNAPSHOT_ID)), m, files);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException(
                    "table property " + property + " cannot be read as an archived partition: " + e.getMessage(), e);
        }
    }

    private static ArchivedPartition of(long snapshotId, Map<String, String> m, List<String> files) {
        try {
            List<ArchiveColumn> columns = JSON.readValue(m.get(COLUMNS), new TypeReference<List<ArchiveColumn>>() {});
            return new ArchivedPartition(
                    snapshotId,
                    TableName.parse(m.get(TABLE), "public"),
                    m.get(PARTITION),
                    m.get(BOUND_FROM),
                    m.get(BOUND_TO),
                    m.get(KEY),
                    Long.parseLong(m.get(ROWS)),
                    m.get(CHECKSUM),
                    m.get(KEY_MIN),
                    m.get(KEY_MAX),
                    m.containsKey(KEY_LOW) ? Long.valueOf(m.get(KEY_LOW)) : null,
                    m.containsKey(KEY_HIGH) ? Long.valueOf(m.get(KEY_HIGH)) : null,
                    columns,
                    files);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException(
                    "snapshot " + snapshotId + " names partition " + m.get(PARTITION)
                            + " but its summary cannot be read: " + e.getMessage(),
                    e);
        }
    }

    /** The snapshot of the table's current history that archived {@code partition} of {@code parent}, if any. */
    static Optional<ArchivedPartition> find(Table table, TableName parent, String partition) {
        return find(table, s -> parent.toString().equals(s.get(TABLE)) && partition.equals(s.get(PARTITION)));
    }

    /** The same, found by the partition's bounds (restore by table and bounds). */
    static Optional<ArchivedPartition> findByBounds(Table table, TableName parent, String from, String to) {
        return find(
                table,
                s -> parent.toString().equals(s.get(TABLE))
                        && unquote(from).equals(unquote(s.get(BOUND_FROM)))
                        && unquote(to).equals(unquote(s.get(BOUND_TO))));
    }

    /** The same, found by the id of the snapshot that archived it (restore by snapshot id). */
    static Optional<ArchivedPartition> findBySnapshot(Table table, TableName parent, long snapshotId) {
        Map<String, String> props = table.properties();
        if (table.currentSnapshot() != null) {
            for (Snapshot s : SnapshotUtil.currentAncestors(table)) {
                Map<String, String> m = s.summary();
                if (s.snapshotId() == snapshotId
                        && m != null
                        && m.containsKey(PARTITION)
                        && parent.toString().equals(m.get(TABLE))
                        && !props.containsKey(EXPIRED + m.get(PARTITION))) {
                    return Optional.of(of(s));
                }
            }
        }
        for (Map.Entry<String, String> e : props.entrySet()) {
            if (e.getKey().startsWith(CARRIED)) {
                ArchivedPartition p = ofCarried(e.getKey(), e.getValue());
                if (p.snapshotId() == snapshotId
                        && parent.toString().equals(p.parent().toString())
                        && !props.containsKey(EXPIRED + p.partition())) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** A bound as recorded, without the quotes PostgreSQL's literal form may carry. */
    static String unquote(String bound) {
        if (bound == null) {
            return null;
        }
        String b = bound.trim();
        return b.length() >= 2 && b.startsWith("'") && b.endsWith("'")
                ? b.substring(1, b.length() - 1).replace("''", "'")
                : b;
    }

    private interface SummaryTest {
        boolean test(Map<String, String> summary);
    }

    private static Optional<ArchivedPartition> find(Table table, SummaryTest test) {
        if (table.currentSnapshot() == null) {
            return Optional.empty();
        }
        Map<String, String> props = table.properties();
        for (Snapshot s : SnapshotUtil.currentAncestors(table)) {
            Map<String, String> m = s.summary();
            if (m != null
                    && m.containsKey(PARTITION)
                    && !props.containsKey(EXPIRED + m.get(PARTITION))
                    && test.test(m)) {
                return Optional.of(of(s));
            }
        }
        for (Map.Entry<String, String> e : props.entrySet()) {
            if (e.getKey().startsWith(CARRIED)) {
                ArchivedPartition p = ofCarried(e.getKey(), e.getValue());
                if (!props.containsKey(EXPIRED + p.partition()) && test.test(p.summary())) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** The value of the {@link #EXPIRED} property: when, and the data files to delete (kept for a re-run). */
    static String expiredValue(String at, List<String> files) {
        try {
            return JSON.writeValueAsString(Map.of("at", at, "files", files));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The data files recorded when {@code partition} was marked expired; empty when none (or not expired). */
    static List<String> expiredFiles(Table table, String partition) {
        String v = table.properties().get(EXPIRED + partition);
        if (v == null || !v.startsWith("{")) {
            return List.of();
        }
        try {
            Map<String, Object> m = JSON.readValue(v, new TypeReference<Map<String, Object>>() {});
            Object files = m.get("files");
            return files instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("table property " + EXPIRED + partition + " cannot be read: " + v, e);
        }
    }

    /** Whether {@code partition}'s archive was deleted by archive_retention. */
    static boolean expired(Table table, String partition) {
        return table.properties().containsKey(EXPIRED + partition);
    }
}

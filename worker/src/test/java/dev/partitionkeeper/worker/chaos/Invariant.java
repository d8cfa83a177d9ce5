package dev.partitionkeeper.worker.chaos;

import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.restore.ArchiveRestorer;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The no-loss invariant, checked after every pass: every row ever inserted is in exactly one of an attached
 * partition (the parent, default partition included), a detached table recorded in the bookkeeping schema,
 * or the verified archive of a dropped partition (read back from the store by restoring it into a scratch
 * schema, which also checks its content checksum); no id is anywhere twice; no row is there that nobody
 * inserted; nothing was dropped without a verification; no archive was written twice; no detach is left
 * half-done after a completed pass.
 */
public final class Invariant {
    private static final String SCRATCH = "chaos_check";

    private final String url;
    private final ArchiveStore store;
    private final ArchiveWatch watch;
    /** Ids read back from dropped partitions' archives: archives never change (the watch checks it). */
    private final Map<String, List<Long>> archived = new HashMap<>();

    public Invariant(String url, ArchiveStore store, ArchiveWatch watch) {
        this.url = url;
        this.store = store;
        this.watch = watch;
    }

    /** What is where, for the report. */
    public record Census(
            long attached, long detachedTables, long detachedRows, long droppedArchives, long archivedRows) {}

    /**
     * @param seedRows ids 1 to this were inserted before the writers started
     * @return the problems found (empty when the invariant holds) and the census
     */
    public Result check(long seedRows, Writers writers) throws Exception {
        watch.look();
        List<String> problems = new ArrayList<>(watch.problems());
        // id -> where it is; a second place is a problem
        Map<Long, String> where = new HashMap<>();
        long attached = 0;
        long detachedTables = 0;
        long detachedRows = 0;
        long droppedArchives = 0;
        long archivedRows = 0;
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            for (String t : ChaosTables.TABLES) {
                attached += collect(s, "SELECT id FROM public." + t, "attached to " + t, where, problems);
            }
            Set<String> recorded = new TreeSet<>();
            try (ResultSet rs =
                    s.executeQuery("SELECT parent_table, partition_name, detached_schema, detached_at IS NOT NULL,"
                            + " verified_at IS NOT NULL, dropped_at IS NOT NULL, coalesce(verified_at <= dropped_at, true)"
                            + " FROM partition_keeper.partition_lifecycle"
                            + " ORDER BY partition_name")) {
                List<Object[]> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new Object[] {
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getBoolean(4),
                        rs.getBoolean(5),
                        rs.getBoolean(6),
                        rs.getBoolean(7)
                    });
                }
                for (Object[] r : rows) {
                    String parent = (String) r[0];
                    String partition = (String) r[1];
                    String schema = r[2] == null ? "partition_archive" : (String) r[2];
                    boolean detached = (Boolean) r[3];
                    boolean verified = (Boolean) r[4];
                    boolean dropped = (Boolean) r[5];
                    recorded.add(partition);
                    boolean exists = exists(c, schema, partition);
                    if (dropped) {
                        if (!verified) {
                            problems.add(partition + " was dropped without a verified archive");
                        } else if (!(Boolean) r[6]) {
                            problems.add(partition
                                    + " was dropped before its archive was verified (verified_at > dropped_at)");
                        }
                        if (exists) {
                            problems.add(partition + " is recorded as dropped but the table " + schema + "." + partition
                                    + " exists");
                        }
                        List<Long> ids = archived.get(partition);
                        if (ids == null) {
                            ids = readArchive(c, parent, partition, problems);
                            if (ids != null) {
                                archived.put(partition, ids);
                            }
                        }
                        if (ids != null) {
                            droppedArchives++;
                            for (long id : ids) {
                                place(id, "archive of " + partition, where, problems);
                            }
                            archivedRows += ids.size();
                        }
                    } else if (detached) {
                        if (!exists) {
                            problems.add(partition + " is recorded as detached but " + schema + "." + partition
                                    + " is missing");
                        } else {
                            detachedTables++;
                            detachedRows += collect(
                                    s,
                                    "SELECT id FROM " + schema + "." + partition,
                                    "detached " + partition,
                                    where,
                                    problems);
                        }
                    } else {
                        problems.add(
                                partition + " has a detach intent but no completed detach after the pass completed");
                    }
                }
            }
            try (ResultSet rs =
                    s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'partition_archive'")) {
                while (rs.next()) {
                    if (!recorded.contains(rs.getString(1))) {
                        problems.add(
                                "partition_archive." + rs.getString(1) + " is not recorded in partition_lifecycle");
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT partition_name, count(*) FROM partition_keeper.action_log"
                    + " WHERE action = 'export' AND outcome = 'done' GROUP BY partition_name HAVING count(*) > 1")) {
                while (rs.next()) {
                    problems.add(rs.getString(1) + " was exported " + rs.getLong(2) + " times (action_log)");
                }
            }
        }
        long missing = 0;
        List<Long> examples = new ArrayList<>();
        for (long id = 1; id <= seedRows; id++) {
            if (!where.containsKey(id)) {
                missing++;
                if (examples.size() < 10) {
                    examples.add(id);
                }
            }
        }
        for (long id : writers.committed) {
            if (!where.containsKey(id)) {
                missing++;
                if (examples.size() < 10) {
                    examples.add(id);
                }
            }
        }
        if (missing > 0) {
            problems.add(missing + " inserted rows are nowhere, e.g. ids " + examples);
        }
        long phantoms = where.keySet().stream()
                .filter(id -> id > seedRows && !writers.committed.contains(id) && !writers.unknown.contains(id))
                .count();
        if (phantoms > 0) {
            problems.add(phantoms + " rows exist that no committed or in-doubt INSERT wrote");
        }
        return new Result(problems, new Census(attached, detachedTables, detachedRows, droppedArchives, archivedRows));
    }

    public record Result(List<String> problems, Census census) {}

    /**
     * "No step done twice": the steps the action log records as {@code done} more than once for one partition
     * (a step that finds its work done logs {@code already done}), as "events_a_p2026_01_01 export: 2 times".
     */
    public static List<String> stepsDoneTwice(String url) throws SQLException {
        List<String> twice = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT partition_name, action, count(*) FROM partition_keeper.action_log"
                        + " WHERE outcome = 'done' GROUP BY parent_schema, parent_table, partition_name, action"
                        + " HAVING count(*) > 1 ORDER BY 1, 2")) {
            while (rs.next()) {
                twice.add(rs.getString(1) + " " + rs.getString(2) + ": " + rs.getLong(3) + " times");
            }
        }
        return twice;
    }

    /** The action log's outcomes per step, as "export done 4, export already done 2", for the test's output. */
    public static String actionSummary(String url) throws SQLException {
        List<String> parts = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT action, outcome, count(*) FROM partition_keeper.action_log"
                        + " GROUP BY 1, 2 ORDER BY 1, 2")) {
            while (rs.next()) {
                parts.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3));
            }
        }
        return String.join(", ", parts);
    }

    private static long collect(Statement s, String sql, String place, Map<Long, String> where, List<String> problems)
            throws SQLException {
        long n = 0;
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                place(rs.getLong(1), place, where, problems);
                n++;
            }
        }
        return n;
    }

    private static void place(long id, String place, Map<Long, String> where, List<String> problems) {
        String before = where.putIfAbsent(id, place);
        if (before != null && problems.size() < 50) {
            problems.add("id " + id + " is in two places: " + before + " and " + place);
        }
    }

    private static boolean exists(Connection c, String schema, String table) throws SQLException {
        try (var ps = c.prepareStatement("SELECT 1 FROM pg_tables WHERE schemaname = ? AND tablename = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Restores the archive into the scratch schema (checking its checksum), reads the ids, drops the copy. */
    private List<Long> readArchive(Connection c, String parent, String partition, List<String> problems)
            throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + SCRATCH);
            s.execute("DROP TABLE IF EXISTS " + SCRATCH + "." + partition);
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        RestoreResult r = new ArchiveRestorer(ds, store)
                .restore(
                        ArchiveLayout.of(new TableName("public", parent), partition),
                        new TableName(SCRATCH, partition));
        if (!r.ok()) {
            problems.add("the archive of dropped " + partition + " does not read back: " + r.mismatches());
            return null;
        }
        List<Long> ids = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id FROM " + SCRATCH + "." + partition)) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            s.execute("DROP TABLE " + SCRATCH + "." + partition);
        }
        return ids;
    }
}

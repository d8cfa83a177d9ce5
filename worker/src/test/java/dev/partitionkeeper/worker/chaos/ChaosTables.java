package dev.partitionkeeper.worker.chaos;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Two daily range-partitioned tables with {@code days} days of past partitions, today and two ahead:
 * {@code events_a} with a DEFAULT partition (so its detaches are plain {@code DETACH}) and {@code events_b}
 * without one (so they are {@code DETACH ... CONCURRENTLY}). Seeded with ids 1 to {@link #seedRows()}.
 * Each pass's policy keeps two days fewer ({@link #retentionDays(int)}), so every pass detaches, exports,
 * verifies and drops two partitions of each table while the writers insert.
 */
public final class ChaosTables {
    public static final List<String> TABLES = List.of("events_a", "events_b");
    static final int ROWS_PER_DAY = 60;

    private final int days;
    private final int heavyRows;

    private ChaosTables(int days, int heavyRows) {
        this.days = days;
        this.heavyRows = heavyRows;
    }

    /**
     * The same tables with {@code rows} more rows in each of the two oldest days of each table (the first
     * pass's detaches), so their exports last long enough for a fault to land in the middle of one.
     */
    public ChaosTables withHeavyOldestDays(int rows) {
        return new ChaosTables(days, rows);
    }

    /** Enough past partitions for {@code passes} passes that each detach two days. */
    public static ChaosTables forPasses(int passes) {
        return new ChaosTables(2 * passes + 3, 0);
    }

    public int days() {
        return days;
    }

    /**
     * The retention of pass {@code k} (from 0): partitions of day -(days - 2k) and -(days - 2k - 1) go. A
     * retention of R days detaches the partitions wholly older than now - R days: day -(R + 1) and older.
     */
    int retentionDays(int pass) {
        return days - 2 - 2 * pass;
    }

    public long seedRows() {
        return ((long) ROWS_PER_DAY * (days + 3) + 2L * heavyRows) * TABLES.size();
    }

    public void create(String url) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<String> sql = new ArrayList<>();
        long id = 1;
        for (String t : TABLES) {
            sql.add("CREATE TABLE public." + t + " (id bigint NOT NULL, ts timestamptz NOT NULL, payload text)"
                    + " PARTITION BY RANGE (ts)");
            for (int d = -days; d <= 2; d++) {
                LocalDate day = today.plusDays(d);
                sql.add(String.format(
                        Locale.ROOT,
                        "CREATE TABLE public.%s_p%04d_%02d_%02d PARTITION OF public.%s"
                                + " FOR VALUES FROM ('%s 00:00:00+00') TO ('%s 00:00:00+00')",
                        t,
                        day.getYear(),
                        day.getMonthValue(),
                        day.getDayOfMonth(),
                        t,
                        day,
                        day.plusDays(1)));
            }
            if (t.equals("events_a")) {
                sql.add("CREATE TABLE public.events_a_default PARTITION OF public.events_a DEFAULT");
            }
            long rows = (long) ROWS_PER_DAY * (days + 3);
            // evenly over [today - days, today + 3)
            sql.add("INSERT INTO public." + t + " (id, ts, payload) SELECT g, timestamptz '" + today.minusDays(days)
                    + " 00:00:00+00' + (g - " + id + ") * interval '" + (86_400 / ROWS_PER_DAY) + " seconds', 'seed'"
                    + " FROM generate_series(" + id + ", " + (id + rows - 1) + ") g");
            id += rows;
            if (heavyRows > 0) {
                // spread over the two oldest days
                sql.add("INSERT INTO public." + t + " (id, ts, payload) SELECT g, timestamptz '" + today.minusDays(days)
                        + " 00:00:00+00' + (g - " + id + ") * interval '1 second' * " + (86_400.0 / heavyRows)
                        + ", md5(g::text) FROM generate_series(" + id + ", " + (id + 2L * heavyRows - 1) + ") g");
                id += 2L * heavyRows;
            }
        }
        PgTestSupport.exec(url, sql.toArray(String[]::new));
    }

    /** The configuration file of pass {@code k}: {@code extra} is YAML for the archive: section and more. */
    public String config(String url, String taskQueue, int pass, String archiveYaml) {
        StringBuilder y = new StringBuilder();
        y.append("postgres:\n  url: \"").append(url).append("\"\n  pool_size: 4\n");
        // both tables at once: a kill or a fault lands in two tables' steps, and the pass is shorter
        y.append("temporal:\n  task_queue: ")
                .append(taskQueue)
                .append("\n  shutdown_grace: 1s\n  table_parallelism: 2\n");
        y.append("maintenance:\n  lock_max_wait: 20s\n");
        y.append("metrics:\n  enabled: false\n");
        y.append(archiveYaml);
        y.append("tables:\n");
        for (String t : TABLES) {
            y.append("  - table: public.")
                    .append(t)
                    .append("\n    interval: daily\n    premake: 3\n    retention: ")
                    .append(retentionDays(pass))
                    .append(" days\n    retention_action: archive_and_drop\n    drop_grace: 0d\n");
        }
        return y.toString();
    }
}

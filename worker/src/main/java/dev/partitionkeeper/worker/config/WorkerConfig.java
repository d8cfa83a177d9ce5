package dev.partitionkeeper.worker.config;

import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.worker.metrics.MetricsSettings;
import dev.partitionkeeper.worker.schedule.ScheduleSettings;
import dev.partitionkeeper.worker.schedule.WorkerPoolSettings;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The worker's configuration file: connection settings, maintenance settings and the table policy.
 * Everything is validated before anything touches a database, and every problem is reported at
 * once with the table and field it belongs to.
 *
 * <p>Environment overrides: any scalar key {@code section.key} can be set with
 * {@code PK_SECTION_KEY} (upper case, dots and dashes as underscores), e.g.
 * {@code PK_MAINTENANCE_LOCK_TIMEOUT=200ms}, {@code PK_POSTGRES_URL=jdbc:postgresql://db/app}.
 *
 * <p>{@link ConfigSource} reads the file and the overrides, each section's {@code from(...)} reads its keys
 * ({@link PostgresSection}, {@link TemporalSection}, {@link MaintenanceSection}, {@link MetricsSettings},
 * {@link ArchiveSettings}, {@link ScheduleSettings}), {@link TablePolicyParser} the {@code tables:} list;
 * {@link ConfigKeys} lists every key they know.
 */
public record WorkerConfig(
        String source,
        String postgresUrl,
        String postgresUser,
        String postgresPasswordFile,
        int poolSize,
        String taskQueue,
        LockSettings lockSettings,
        String archiveSchema,
        String bookkeepingSchema,
        List<TablePolicy> tables,
        MetricsSettings metrics,
        ArchiveSettings archive,
        ScheduleSettings schedule,
        WorkerPoolSettings pool,
        FleetSection fleet) {

    public static final String DEFAULT_TASK_QUEUE = "partition-keeper";
    public static final String DEFAULT_ARCHIVE_SCHEMA = "partition_archive";

    public static WorkerConfig load(Path file, Map<String, String> env) {
        return parse(file.toString(), read(file), env);
    }

    /**
     * As {@link #load}, for the commands that need the connection but no policy ({@code convert}, {@code restore},
     * {@code status --live}): a missing or empty {@code tables:} list is fine; listed tables are still checked.
     */
    public static WorkerConfig loadWithoutPolicy(Path file, Map<String, String> env) {
        return parse(file.toString(), read(file), env, false);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    public static WorkerConfig parse(String source, String yaml, Map<String, String> env) {
        return parse(source, yaml, env, true);
    }

    private static WorkerConfig parse(String source, String yaml, Map<String, String> env, boolean policyRequired) {
        List<String> problems = new ArrayList<>();
        ConfigSource file = ConfigSource.read(source, yaml, env, problems);
        Map<String, String> flat = file.flat();
        Map<String, String> fromEnv = file.fromEnv();
        // each section on its own, so every bad setting is reported, not just the first
        PostgresSection postgres = PostgresSection.from(flat, fromEnv, problems);
        TemporalSection temporal = TemporalSection.from(flat, fromEnv, problems);
        MaintenanceSection maintenance = MaintenanceSection.from(flat, fromEnv, problems);
        MetricsSettings metrics = MetricsSettings.from(flat, fromEnv, problems);
        ArchiveSettings archive = ArchiveSettings.from(flat, fromEnv, problems);
        ScheduleSettings schedule = ScheduleSettings.from(flat, fromEnv, problems);
        List<TablePolicy> tables =
                !policyRequired && file.noTables() ? List.of() : TablePolicyParser.parse(file.tables(), problems);
        FleetSection fleet = FleetSection.from(flat, fromEnv, file.databases(), postgres.poolSize(), problems);
        fleet.checkTables(tables, problems);
        if (fleet.isFleet() && archive.format() != null && archive.format().iceberg()) {
            // one Iceberg table per managed table: two databases' public.events would share it
            problems.add("archive.format iceberg is not supported with databases: (a fleet) yet; use the Parquet"
                    + " archive (archive.format: parquet, the default), which keeps each database in its own folder");
        }
        for (TablePolicy t : tables) {
            if (t.retentionAction() != RetentionAction.DETACH_ONLY && archive.location() == null) {
                problems.add("tables (" + t.table() + "): retention_action "
                        + t.retentionAction().label()
                        + " needs archive.location (e.g. archive: {location: s3://bucket/partitions} or a directory)");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return new WorkerConfig(
                source,
                postgres.url(),
                postgres.user(),
                postgres.passwordFile(),
                postgres.poolSize(),
                temporal.taskQueue(),
                maintenance.lock(),
                maintenance.archiveSchema(),
                maintenance.bookkeepingSchema(),
                List.copyOf(tables),
                metrics,
                archive,
                schedule,
                temporal.pool(),
                fleet);
    }

    /** With the tables replaced (dev mode, tests). */
    public WorkerConfig withTables(List<TablePolicy> t) {
        return new WorkerConfig(
                source,
                postgresUrl,
                postgresUser,
                postgresPasswordFile,
                poolSize,
                taskQueue,
                lockSettings,
                archiveSchema,
                bookkeepingSchema,
                List.copyOf(t),
                metrics,
                archive,
                schedule,
                pool,
                fleet);
    }

    public WorkerConfig withPostgres(String url, String user) {
        return new WorkerConfig(
                source,
                url,
                user,
                postgresPasswordFile,
                poolSize,
                taskQueue,
                lockSettings,
                archiveSchema,
                bookkeepingSchema,
                tables,
                metrics,
                archive,
                schedule,
                pool,
                fleet);
    }

    public WorkerConfig withArchive(ArchiveSettings a) {
        return new WorkerConfig(
                source,
                postgresUrl,
                postgresUser,
                postgresPasswordFile,
                poolSize,
                taskQueue,
                lockSettings,
                archiveSchema,
                bookkeepingSchema,
                tables,
                metrics,
                a,
                schedule,
                pool,
                fleet);
    }

    public WorkerConfig withTaskQueue(String q) {
        return new WorkerConfig(
                source,
                postgresUrl,
                postgresUser,
                postgresPasswordFile,
                poolSize,
                q,
                lockSettings,
                archiveSchema,
                bookkeepingSchema,
                tables,
                metrics,
                archive,
                schedule,
                pool,
                fleet);
    }

    public WorkerConfig withSchedule(ScheduleSettings s) {
        return new WorkerConfig(
                source,
                postgresUrl,
                postgresUser,
                postgresPasswordFile,
                poolSize,
                taskQueue,
                lockSettings,
                archiveSchema,
                bookkeepingSchema,
                tables,
                metrics,
                archive,
                s,
                pool,
                fleet);
    }
}

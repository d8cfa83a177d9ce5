package dev.partitionkeeper.workflows.model;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.function.Consumer;

/**
 * One table under management, already validated (no database needed for that). Field names follow
 * pg_partman's {@code part_config}: {@code premake}, {@code retention}.
 *
 * @param table the partitioned parent
 * @param interval width of each partition
 * @param premake partitions kept ahead of the current one (at least 1)
 * @param retention partitions wholly older than now minus this are detached; null keeps them forever
 * @param timezone IANA zone in which period boundaries are computed
 * @param defaultPartition what to do about the DEFAULT partition
 * @param retentionAction what happens to partitions past retention
 * @param dropGraceDays days between a verified archive and the drop (archive_and_drop only)
 * @param partitionName template for the names of new partitions ({@link PartitionNameTemplate}, e.g.
 *     {@code "%t_y%Ym%m"}); null (the default) for {@code <table>_p2026_03}-style names
 * @param keyEncoding what a {@code bigint} key holds when it holds time since the epoch ({@code key_encoding});
 *     null for a key partitioned by its own type
 * @param retentionColumn for an integer key with a time retention: the timestamp column whose newest value in a
 *     partition decides when the partition has aged out ({@code retention_column}); null otherwise
 * @param database the database of a fleet ({@code databases:}) the table is in; null (the default) for the one
 *     database of {@code postgres:}. Before the fleet is resolved (in the file as written) it may be a
 *     {@code LIKE} pattern over database names such as {@code tenant_%}.
 * @param archiveRetention how long an archived and dropped partition stays in the archive, counted from its upper
 *     bound ({@code archive_retention}, compliance); null keeps archives forever
 */
public record TablePolicy(
        TableName table,
        PartitionInterval interval,
        int premake,
        Retention retention,
        String timezone,
        DefaultPartitionMode defaultPartition,
        RetentionAction retentionAction,
        int dropGraceDays,
        String partitionName,
        KeyEncoding keyEncoding,
        String retentionColumn,
        String database,
        Retention archiveRetention) {

    public static final int DEFAULT_PREMAKE = 4;
    /**
     * More partitions ahead than this is a typo (premake: 30000 would create that many tables in one pass);
     * 1000 is almost three years of daily partitions.
     */
    public static final int MAX_PREMAKE = 1000;

    public static final String DEFAULT_TIMEZONE = "UTC";
    public static final int DEFAULT_DROP_GRACE_DAYS = 7;
    private static final long MINUTES_PER_DAY = 24 * 60;

    public TablePolicy {
        if (table == null) {
            throw new IllegalArgumentException("table is required");
        }
        if (interval == null) {
            throw new IllegalArgumentException("interval is required for " + table);
        }
        if (premake < 1 || premake > MAX_PREMAKE) {
            throw new IllegalArgumentException(
                    "premake must be between 1 and " + MAX_PREMAKE + " for " + table + ", got: " + premake);
        }
        if (timezone == null) {
            timezone = DEFAULT_TIMEZONE;
        }
        try {
            ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "timezone must be an IANA time zone such as \"Europe/Berlin\" for " + table + ", got: \"" + timezone
                            + "\"",
                    e);
        }
        if (defaultPartition == null) {
            defaultPartition = DefaultPartitionMode.KEEP;
        }
        if (retentionAction == null) {
            retentionAction = RetentionAction.DETACH_ONLY;
        }
        if (dropGraceDays < 0) {
            throw new IllegalArgumentException(
                    "drop_grace must be 0 days or more for " + table + ", got: " + dropGraceDays);
        }
        if (retentionColumn != null && retentionColumn.isBlank()) {
            retentionColumn = null;
        }
        if (database != null && database.isBlank()) {
            throw new IllegalArgumentException("database must be a database name for " + table + ", got: \"\"");
        }
        if (interval.isValueStep()) {
            checkValueStep(table, interval, retention, partitionName, keyEncoding, retentionColumn);
        } else {
            checkTimeInterval(table, interval, retention, retentionColumn);
        }
        if (partitionName != null && !interval.isValueStep()) {
            PartitionNameTemplate.of(partitionName, table, interval);
        }
        if (retention != null
                && !retention.isValues()
                && !interval.isValueStep()
                && shorterThanOne(retention, interval)) {
            throw new IllegalArgumentException("retention " + retention + " for " + table + " is shorter than one "
                    + interval.label() + " partition; use at least one interval");
        }
        if (archiveRetention != null) {
            checkArchiveRetention(table, interval, retention, retentionAction, archiveRetention);
        }
    }

    /** A policy without an archive retention (archives are kept forever). */
    public TablePolicy(
            TableName table,
            PartitionInterval interval,
            int premake,
            Retention retention,
            String timezone,
            DefaultPartitionMode defaultPartition,
            RetentionAction retentionAction,
            int dropGraceDays,
            String partitionName,
            KeyEncoding keyEncoding,
            String retentionColumn,
            String database) {
        this(
                table,
                interval,
                premake,
                retention,
                timezone,
                defaultPartition,
                retentionAction,
                dropGraceDays,
                partitionName,
                keyEncoding,
                retentionColumn,
                database,
                null);
    }

    private static void checkArchiveRetention(
            TableName table,
            PartitionInterval interval,
            Retention retention,
            RetentionAction retentionAction,
            Retention archiveRetention) {
        if (archiveRetention.isValues()) {
            throw new IllegalArgumentException("archive_retention " + archiveRetention + " for " + table
                    + " must be a time such as \"7 years\" or \"90 days\", not a number of key values");
        }
        if (retentionAction == RetentionAction.DETACH_ONLY) {
            throw new IllegalArgumentException("archive_retention " + archiveRetention + " for " + table
                    + " deletes old partitions from the archive, but retention_action detach_only archives nothing;"
                    + " use retention_action archive or archive_and_drop, or remove archive_retention");
        }
        if (interval.isValueStep()) {
            throw new IllegalArgumentException("archive_retention " + archiveRetention + " for " + table
                    + " ages archives by the time of their key's upper bound, but the key is partitioned by a step of"
                    + " key values (interval " + interval.label() + "); archive_retention is for time keys only,"
                    + " so remove it");
        }
        if (retention == null || retention.isValues() || !archiveRetention.longerThan(retention)) {
            throw new IllegalArgumentException("archive_retention " + archiveRetention + " for " + table
                    + " must be longer than retention " + retention + ": a partition is deleted from the archive only"
                    + " after it left the database (e.g. retention: 12 months, archive_retention: 7 years)");
        }
    }

    /** A policy on a key partitioned by its own type, without a retention column. */
    public TablePolicy(
            TableName table,
            PartitionInterval interval,
            int premake,
            Retention retention,
            String timezone,
            DefaultPartitionMode defaultPartition,
            RetentionAction retentionAction,
            int dropGraceDays,
            String partitionName) {
        this(
                table,
                interval,
                premake,
                retention,
                timezone,
                defaultPartition,
                retentionAction,
                dropGraceDays,
                partitionName,
                null,
                null,
                null);
    }

    /** A policy of the single database ({@code postgres:}). */
    public TablePolicy(
            TableName table,
            PartitionInterval interval,
            int premake,
            Retention retention,
            String timezone,
            DefaultPartitionMode defaultPartition,
            RetentionAction retentionAction,
            int dropGraceDays,
            String partitionName,
            KeyEncoding keyEncoding,
            String retentionColumn) {
        this(
                table,
                interval,
                premake,
                retention,
                timezone,
                defaultPartition,
                retentionAction,
                dropGraceDays,
                partitionName,
                keyEncoding,
                retentionColumn,
                null);
    }

    private static void checkValueStep(
            TableName table,
            PartitionInterval interval,
            Retention retention,
            String partitionName,
            KeyEncoding keyEncoding,
            String retentionColumn) {
        if (keyEncoding != null) {
            throw new IllegalArgumentException("key_encoding " + keyEncoding.label() + " for " + table
                    + " partitions the key by time, but interval " + interval.label() + " is a step of key values; use"
                    + " a time interval such as \"1 day\" or \"1 hour\", or remove key_encoding");
        }
        if (partitionName != null) {
            PartitionNameTemplate.ofValues(partitionName, table);
        }
        if (retention == null) {
            if (retentionColumn != null) {
                throw new IllegalArgumentException("retention_column " + retentionColumn + " for " + table
                        + " needs a retention such as \"90 days\"");
            }
            return;
        }
        if (retention.isValues()) {
            if (retentionColumn != null) {
                throw new IllegalArgumentException("retention " + retention + " for " + table + " counts key values,"
                        + " so retention_column " + retentionColumn + " has nothing to do; use a time retention"
                        + " such as \"90 days\" with it, or remove retention_column");
            }
            if (retention.amount() < interval.step()) {
                throw new IllegalArgumentException("retention " + retention + " for " + table + " is fewer key values"
                        + " than one partition of " + interval.label() + "; keep at least one partition's worth");
            }
            return;
        }
        if (retentionColumn == null) {
            throw new IllegalArgumentException("retention " + retention + " for " + table + " is a time, but its key is"
                    + " partitioned by a step of key values (interval " + interval.label() + "); name the timestamp"
                    + " column whose age decides (retention_column: created_at), or keep a number of key values"
                    + " (e.g. retention: 50000000)");
        }
    }

    private static void checkTimeInterval(
            TableName table, PartitionInterval interval, Retention retention, String retentionColumn) {
        if (retention != null && retention.isValues()) {
            throw new IllegalArgumentException("retention " + retention + " for " + table + " is a number of key"
                    + " values, which needs an integer key partitioned by a step (e.g. interval: 1000000); for"
                    + " interval " + interval.label() + " give a time such as \"12 months\"");
        }
        if (retentionColumn != null) {
            throw new IllegalArgumentException("retention_column " + retentionColumn + " for " + table
                    + " is for integer keys partitioned by a step of key values; a time key's own values decide its"
                    + " retention, so remove retention_column");
        }
    }

    /** A policy with the default partition names. */
    public TablePolicy(
            TableName table,
            PartitionInterval interval,
            int premake,
            Retention retention,
            String timezone,
            DefaultPartitionMode defaultPartition,
            RetentionAction retentionAction,
            int dropGraceDays) {
        this(table, interval, premake, retention, timezone, defaultPartition, retentionAction, dropGraceDays, null);
    }

    /**
     * Months and years against month-based intervals compare in months ("3 months" is one quarter even
     * though 3 x 28 days is less than 89); everything else compares shortest lengths in days.
     */
    private static boolean shorterThanOne(Retention retention, PartitionInterval interval) {
        int intervalMonths = switch (interval.unit()) {
            case MONTHS -> interval.amount();
            case YEARS -> 12 * interval.amount();
            case MINUTES, HOURS, DAYS, WEEKS, VALUES -> 0;
        };
        if (intervalMonths > 0 && retention.unit() == Retention.Unit.MONTHS) {
            return retention.amount() < intervalMonths;
        }
        if (intervalMonths > 0 && retention.unit() == Retention.Unit.YEARS) {
            return 12L * retention.amount() < intervalMonths;
        }
        return retention.minimumDays() * MINUTES_PER_DAY < interval.minimumMinutes();
    }

    /** A policy with defaults for everything but the table and interval. */
    public static TablePolicy of(TableName table, PartitionInterval interval) {
        return new TablePolicy(
                table,
                interval,
                DEFAULT_PREMAKE,
                null,
                DEFAULT_TIMEZONE,
                DefaultPartitionMode.KEEP,
                RetentionAction.DETACH_ONLY,
                DEFAULT_DROP_GRACE_DAYS);
    }

    public ZoneId zone() {
        return ZoneId.of(timezone);
    }

    public TablePolicy withInterval(PartitionInterval v) {
        return with(c -> c.interval = v);
    }

    public TablePolicy withPremake(int v) {
        return with(c -> c.premake = v);
    }

    public TablePolicy withRetention(Retention v) {
        return with(c -> c.retention = v);
    }

    public TablePolicy withTimezone(String v) {
        return with(c -> c.timezone = v);
    }

    public TablePolicy withDefaultPartition(DefaultPartitionMode v) {
        return with(c -> c.defaultPartition = v);
    }

    public TablePolicy withRetentionAction(RetentionAction v) {
        return with(c -> c.retentionAction = v);
    }

    public TablePolicy withPartitionName(String v) {
        return with(c -> c.partitionName = v);
    }

    public TablePolicy withKeyEncoding(KeyEncoding v) {
        return with(c -> c.keyEncoding = v);
    }

    public TablePolicy withRetentionColumn(String v) {
        return with(c -> c.retentionColumn = v);
    }

    public TablePolicy withDatabase(String v) {
        return with(c -> c.database = v);
    }

    public TablePolicy withArchiveRetention(Retention v) {
        return with(c -> c.archiveRetention = v);
    }

    /** This policy with some components changed, validated again by the canonical constructor. */
    private TablePolicy with(Consumer<Components> change) {
        Components c = new Components(this);
        change.accept(c);
        return new TablePolicy(
                c.table,
                c.interval,
                c.premake,
                c.retention,
                c.timezone,
                c.defaultPartition,
                c.retentionAction,
                c.dropGraceDays,
                c.partitionName,
                c.keyEncoding,
                c.retentionColumn,
                c.database,
                c.archiveRetention);
    }

    /** The components of a policy, for {@link #with}: the one place besides the record header that lists them. */
    private static final class Components {
        TableName table;
        PartitionInterval interval;
        int premake;
        Retention retention;
        String timezone;
        DefaultPartitionMode defaultPartition;
        RetentionAction retentionAction;
        int dropGraceDays;
        String partitionName;
        KeyEncoding keyEncoding;
        String retentionColumn;
        String database;
        Retention archiveRetention;

        Components(TablePolicy p) {
            table = p.table;
            interval = p.interval;
            premake = p.premake;
            retention = p.retention;
            timezone = p.timezone;
            defaultPartition = p.defaultPartition;
            retentionAction = p.retentionAction;
            dropGraceDays = p.dropGraceDays;
            partitionName = p.partitionName;
            keyEncoding = p.keyEncoding;
            retentionColumn = p.retentionColumn;
            database = p.database;
            archiveRetention = p.archiveRetention;
        }
    }

    /**
     * The table as reports, status and workflow IDs name it: {@code public.events} in the single database,
     * {@code tenant_1/public.events} in a fleet.
     */
    public String qualifiedName() {
        return database == null ? table.toString() : database + "/" + table;
    }
}

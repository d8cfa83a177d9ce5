package dev.partitionkeeper.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of the configuration file, each with the message it gives. Longer than 500 lines on purpose: most of
 * it is the table of bad inputs and the words their errors must contain, which reads best next to the good cases.
 */
class WorkerConfigTest {

    /** A good table first, so the bad one is tables[1] and the index in the message means something. */
    private static String withBadSecondTable(String... lines) {
        StringBuilder sb = new StringBuilder("""
        tables:
          - table: public.ok
            interval: daily
          - table: public.events
            interval: monthly
        """);
        for (String l : lines) {
            sb.append("    ").append(l).append('\n');
        }
        return sb.toString();
    }

    private static List<String> problems(String yaml) {
        return problems(yaml, Map.of());
    }

    private static List<String> problems(String yaml, Map<String, String> env) {
        try {
            WorkerConfig.parse("policy.yaml", yaml, env);
        } catch (ConfigException e) {
            assertTrue(e.getMessage().startsWith("policy.yaml"), "message names the file: " + e.getMessage());
            return e.problems();
        }
        return fail("expected a ConfigException for:\n" + yaml);
    }

    static Stream<Arguments> badPolicies() {
        String events = "tables[1] (public.events): ";
        return Stream.of(
                Arguments.of(
                        "unknown key (typo)",
                        withBadSecondTable("retension: 12 months"),
                        List.of(events, "unknown key 'retension'", "known keys:", "retention")),
                Arguments.of(
                        "bad interval",
                        withBadSecondTable().replace("interval: monthly", "interval: montly"),
                        List.of(events, "interval", "got: \"montly\"", "daily, weekly, monthly, quarterly, yearly")),
                Arguments.of(
                        "bad retention",
                        withBadSecondTable("retention: 12 moths"),
                        List.of(events, "retention", "got: \"12 moths\"", "such as \"12 months\"")),
                Arguments.of(
                        "premake 0",
                        withBadSecondTable("premake: 0"),
                        List.of(events, "premake", "at least 1", "got: 0", "premake: 3")),
                Arguments.of(
                        "premake not a number",
                        withBadSecondTable("premake: three"),
                        List.of(events, "premake", "whole number", "got: \"three\"", "such as 3")),
                Arguments.of(
                        "premake not a whole number",
                        withBadSecondTable("premake: 2.5"),
                        List.of(events, "premake", "got: \"2.5\"")),
                Arguments.of(
                        "duplicate table (same name, schema implied)",
                        """
            tables:
              - table: public.events
                interval: monthly
              - table: Events
                interval: daily
            """,
                        List.of(events, "duplicate table", "already listed as tables[0]")),
                Arguments.of(
                        "retention shorter than one interval",
                        withBadSecondTable("retention: 3 days"),
                        List.of(
                                events,
                                "retention 3 days",
                                "shorter than one monthly partition",
                                "at least one interval")),
                Arguments.of(
                        "unknown timezone",
                        withBadSecondTable("timezone: Mars/Olympus"),
                        List.of(events, "timezone", "got: \"Mars/Olympus\"", "such as UTC or Europe/Berlin")),
                Arguments.of(
                        "empty timezone",
                        withBadSecondTable("timezone:"),
                        List.of(events, "timezone", "got: \"null\"", "Europe/Berlin")),
                Arguments.of(
                        "bad default_partition",
                        withBadSecondTable("default_partition: sometimes"),
                        List.of(events, "default_partition", "got: \"sometimes\"", "keep, create, none")),
                Arguments.of(
                        "bad retention_action",
                        withBadSecondTable("retention: 12 months", "retention_action: delete"),
                        List.of(
                                events,
                                "retention_action",
                                "got: \"delete\"",
                                "detach_only, archive, archive_and_drop")),
                Arguments.of(
                        "archive without retention",
                        withBadSecondTable("retention_action: archive"),
                        List.of(events, "retention_action archive", "needs a retention", "retention: 12 months")),
                Arguments.of(
                        "bad drop_grace",
                        withBadSecondTable(
                                "retention: 12 months", "retention_action: archive_and_drop", "drop_grace: 12h"),
                        List.of(events, "drop_grace", "whole days", "got: \"12h\"", "\"7d\"")),
                Arguments.of(
                        "partition_name naming two periods alike",
                        withBadSecondTable("partition_name: events_%Y"),
                        List.of(
                                events,
                                "partition_name \"events_%Y\"",
                                "names two monthly partitions",
                                "\"%t_p%Y_%m\"")),
                Arguments.of(
                        "table name carrying SQL",
                        withBadSecondTable().replace("public.events", "\"public.x; drop table y\""),
                        List.of(
                                "tables[1]: table: ",
                                "\"public.x; drop table y\"",
                                "not a valid identifier",
                                "';'",
                                "public.\"Billing Events\"")),
                Arguments.of(
                        "table name with three parts",
                        withBadSecondTable().replace("public.events", "db.public.events"),
                        List.of("tables[1]: table: ", "db.public.events", "3 parts", "e.g. public.events")),
                Arguments.of(
                        "table missing",
                        withBadSecondTable().replace("- table: public.events", "- table:"),
                        List.of("tables[1]: table is required", "e.g. table: public.events")),
                Arguments.of(
                        "table entry not a mapping",
                        "tables:\n  - public.events\n",
                        List.of("tables[0] must be a mapping", "table and interval")),
                Arguments.of(
                        "missing tables:",
                        "postgres:\n  pool_size: 4\n",
                        List.of("'tables:' is missing", "e.g. tables: [{table: public.events, interval: monthly}]")),
                Arguments.of(
                        "tables: not a list",
                        "tables: public.events\n",
                        List.of("'tables:' must be a list", "e.g. tables: [", "got: \"public.events\"")),
                Arguments.of(
                        "tables: a mapping",
                        "tables:\n  table: public.events\n  interval: monthly\n",
                        List.of("'tables:' must be a list", "got: a mapping")),
                Arguments.of(
                        "unknown top-level key",
                        "table:\n  - table: public.events\n    interval: monthly\n"
                                + "tables:\n  - table: public.x\n    interval: daily\n",
                        List.of(
                                "unknown top-level key 'table'",
                                "known keys: tables, postgres, temporal, maintenance")),
                Arguments.of(
                        "unknown key in a section",
                        "maintenance:\n  lock_timout: 200ms\n" + "tables:\n  - table: public.x\n    interval: daily\n",
                        List.of("unknown key 'lock_timout' in maintenance", "lock_timeout")),
                Arguments.of(
                        "section not a mapping",
                        "postgres: jdbc:postgresql://db/app\n" + "tables:\n  - table: public.x\n    interval: daily\n",
                        List.of("postgres must be a mapping")),
                Arguments.of(
                        "bad duration setting",
                        "maintenance:\n  lock_timeout: fast\n" + "tables:\n  - table: public.x\n    interval: daily\n",
                        List.of("maintenance.lock_timeout", "got: \"fast\"", "\"100ms\"")),
                Arguments.of(
                        "zero lock timeout",
                        "maintenance:\n  lock_timeout: 0ms\n" + "tables:\n  - table: public.x\n    interval: daily\n",
                        List.of("maintenance.lock_timeout must be positive", "100ms", "got: 0ms")),
                Arguments.of(
                        "blank schema",
                        "maintenance:\n  bookkeeping_schema: ' '\n"
                                + "tables:\n  - table: public.x\n    interval: daily\n",
                        List.of(
                                "maintenance.bookkeeping_schema must be a schema name",
                                "such as \"partition_keeper\"",
                                "got: \" \"")),
                Arguments.of(
                        "pool too small",
                        "postgres:\n  pool_size: 1\n" + "tables:\n  - table: public.x\n    interval: daily\n",
                        List.of("postgres.pool_size must be between 2 and 1000", "got: 1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPolicies")
    void eachBadPolicyIsOneSpecificProblem(String name, String yaml, List<String> fragments) {
        List<String> problems = problems(yaml);
        assertEquals(1, problems.size(), () -> "exactly one problem expected, got: " + problems);
        String p = problems.get(0);
        for (String f : fragments) {
            assertTrue(p.contains(f), () -> "problem should contain <" + f + ">, was: " + p);
        }
    }

    @Test
    void invalidYamlNamesTheLine() {
        String yaml = """
        tables:
          - table: public.events
            interval: [monthly
          - table: public.other
        """;
        ConfigException e =
                assertThrows(ConfigException.class, () -> WorkerConfig.parse("policy.yaml", yaml, Map.of()));
        assertTrue(e.getMessage().startsWith("policy.yaml is not valid YAML"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*\\(line [34]\\)$"), e.getMessage());
    }

    @Test
    void duplicateYamlKeysAreRefusedNotSilentlyOverwritten() {
        String yaml = """
        tables:
          - table: public.events
            interval: monthly
            retention: 12 months
            retention: 1 month
        """;
        ConfigException e =
                assertThrows(ConfigException.class, () -> WorkerConfig.parse("policy.yaml", yaml, Map.of()));
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
        assertTrue(e.getMessage().contains("retention"), e.getMessage());
        assertTrue(e.getMessage().contains("(line 5)"), e.getMessage());
    }

    @Test
    void duplicateTopLevelKeysAreRefused() {
        String yaml =
                "tables:\n  - table: public.a\n    interval: daily\ntables:\n  - table: public.b\n    interval: daily\n";
        ConfigException e =
                assertThrows(ConfigException.class, () -> WorkerConfig.parse("policy.yaml", yaml, Map.of()));
        assertTrue(e.getMessage().contains("tables") && e.getMessage().contains("line 4"), e.getMessage());
    }

    @Test
    void emptyFileNeedsTables() {
        List<String> problems = problems("");
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("tables:"), problems::toString);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String yaml = """
        maintenance:
          lock_timeout: fast
          lock_attempts: many
        tables:
          - table: public.a
            interval: montly
            premake: 0
          - table: public.b
            interval: daily
            retension: 3 days
          - table: public.a
            interval: daily
        """;
        ConfigException e =
                assertThrows(ConfigException.class, () -> WorkerConfig.parse("policy.yaml", yaml, Map.of()));
        List<String> p = e.problems();
        assertEquals(6, p.size(), p::toString);
        assertTrue(e.getMessage().startsWith("policy.yaml: 6 problems\n  - "), e.getMessage());
        for (String expected : List.of(
                "maintenance.lock_timeout",
                "maintenance.lock_attempts",
                "tables[0] (public.a): interval",
                "tables[0] (public.a): premake",
                "tables[1] (public.b): unknown key 'retension'",
                "tables[2] (public.a): duplicate table")) {
            assertTrue(p.stream().anyMatch(x -> x.contains(expected)), () -> expected + " not in " + p);
        }
    }

    @Test
    void crossFieldRulesAreCheckedEvenWhenAnotherFieldIsBad() {
        List<String> p = problems(withBadSecondTable("retention: 3 days", "timezone: Mars/Olympus"));
        assertEquals(2, p.size(), p::toString);
        assertTrue(p.get(0).contains("timezone"), p::toString);
        assertTrue(
                p.get(1).contains("retention 3 days for public.events is shorter than one monthly partition"),
                p::toString);
    }

    @Test
    void goodFileWithEveryFieldIsParsed() {
        String yaml = """
        postgres:
          url: jdbc:postgresql://db.internal:6432/billing?sslmode=verify-full
          user: keeper
          password_file: /run/secrets/pg
          pool_size: 4
        temporal:
          task_queue: billing-partitions
        maintenance:
          lock_timeout: 250ms
          lock_wait_older_than: 10ms
          lock_max_wait: 2m
          lock_attempts: 5
          archive_schema: old_parts
          bookkeeping_schema: pk_books
        archive:
          location: s3://billing-archive/partitions
          s3_endpoint: http://minio:9000
          s3_region: eu-central-1
          s3_path_style: true
          s3_part_size_mb: 32
          max_file_size_mb: 512
          zstd_level: 6
          work_dir: /var/tmp/pk
        tables:
          - table: public.transactions
            interval: monthly
            premake: 3
            retention: 12 months
            timezone: Europe/Berlin
            default_partition: create
            retention_action: archive_and_drop
            drop_grace: 14d
          - table: Audit.Events
            interval: Weekly
        """;
        WorkerConfig cfg = WorkerConfig.parse("policy.yaml", yaml, Map.of());
        assertEquals("policy.yaml", cfg.source());
        assertEquals("s3://billing-archive/partitions", cfg.archive().location());
        assertEquals("http://minio:9000", cfg.archive().s3Endpoint());
        assertEquals(true, cfg.archive().s3PathStyle());
        assertEquals(32L * 1024 * 1024, cfg.archive().s3PartSizeBytes());
        assertEquals(512L * 1024 * 1024, cfg.archive().maxFileBytes());
        assertEquals(6, cfg.archive().zstdLevel());
        assertEquals("jdbc:postgresql://db.internal:6432/billing?sslmode=verify-full", cfg.postgresUrl());
        assertEquals("keeper", cfg.postgresUser());
        assertEquals("/run/secrets/pg", cfg.postgresPasswordFile());
        assertEquals(4, cfg.poolSize());
        assertEquals("billing-partitions", cfg.taskQueue());
        LockSettings lock = cfg.lockSettings();
        assertEquals(Duration.ofMillis(250), lock.lockTimeout());
        assertEquals(Duration.ofMillis(10), lock.olderThan());
        assertEquals(Duration.ofMinutes(2), lock.maxWait());
        assertEquals(5, lock.attempts());
        assertEquals(LockSettings.DEFAULT_POLL_INTERVAL, lock.pollInterval());
        assertEquals("old_parts", cfg.archiveSchema());
        assertEquals("pk_books", cfg.bookkeepingSchema());

        assertEquals(2, cfg.tables().size());
        TablePolicy t = cfg.tables().get(0);
        assertEquals(new TableName("public", "transactions"), t.table());
        assertEquals(PartitionInterval.MONTHLY, t.interval());
        assertEquals(3, t.premake());
        assertEquals(new Retention(12, Retention.Unit.MONTHS), t.retention());
        assertEquals("Europe/Berlin", t.timezone());
        assertEquals(DefaultPartitionMode.CREATE, t.defaultPartition());
        assertEquals(RetentionAction.ARCHIVE_AND_DROP, t.retentionAction());
        assertEquals(14, t.dropGraceDays());
        // unquoted names fold to lower case, as in PostgreSQL; enum values are case-insensitive
        assertEquals(new TableName("audit", "events"), cfg.tables().get(1).table());
        assertEquals(PartitionInterval.WEEKLY, cfg.tables().get(1).interval());
    }

    @Test
    void defaults() {
        WorkerConfig cfg =
                WorkerConfig.parse("policy.yaml", "tables:\n  - table: events\n    interval: daily\n", Map.of());
        assertNull(cfg.postgresUrl());
        assertNull(cfg.postgresUser());
        assertNull(cfg.postgresPasswordFile());
        assertEquals(8, cfg.poolSize());
        assertEquals(WorkerConfig.DEFAULT_TASK_QUEUE, cfg.taskQueue());
        assertEquals(LockSettings.defaults(), cfg.lockSettings());
        assertEquals(WorkerConfig.DEFAULT_ARCHIVE_SCHEMA, cfg.archiveSchema());
        assertEquals(Bookkeeping.DEFAULT_SCHEMA, cfg.bookkeepingSchema());
        assertEquals(List.of(TablePolicy.of(new TableName("public", "events"), PartitionInterval.DAILY)), cfg.tables());
        TablePolicy t = cfg.tables().get(0);
        assertEquals(TablePolicy.DEFAULT_PREMAKE, t.premake());
        assertNull(t.retention(), "no retention: keep forever");
        assertEquals("UTC", t.timezone());
        assertEquals(DefaultPartitionMode.KEEP, t.defaultPartition());
        assertEquals(RetentionAction.DETACH_ONLY, t.retentionAction());
        assertEquals(TablePolicy.DEFAULT_DROP_GRACE_DAYS, t.dropGraceDays());
    }

    @Test
    void environmentOverridesWinOverTheFile() {
        String yaml = """
        postgres:
          url: jdbc:postgresql://from-file/app
        temporal:
          task_queue: from-file
        maintenance:
          lock_timeout: 100ms
        tables:
          - table: public.events
            interval: monthly
        """;
        WorkerConfig cfg = WorkerConfig.parse(
                "policy.yaml",
                yaml,
                Map.of(
                        "PK_MAINTENANCE_LOCK_TIMEOUT", "250ms",
                        "PK_POSTGRES_URL", "jdbc:postgresql://from-env:5433/app",
                        "PK_TEMPORAL_TASK_QUEUE", "from-env",
                        "PK_POSTGRES_POOL_SIZE", "3",
                        "PK_MAINTENANCE_ARCHIVE_SCHEMA", "env_archive",
                        "UNRELATED", "x"));
        assertEquals(Duration.ofMillis(250), cfg.lockSettings().lockTimeout());
        assertEquals("jdbc:postgresql://from-env:5433/app", cfg.postgresUrl());
        assertEquals("from-env", cfg.taskQueue());
        assertEquals(3, cfg.poolSize());
        assertEquals("env_archive", cfg.archiveSchema());
    }

    @Test
    void environmentOverridesApplyWhenTheFileHasNoSuchSection() {
        WorkerConfig cfg = WorkerConfig.parse(
                "policy.yaml",
                "tables:\n  - table: public.events\n    interval: monthly\n",
                Map.of("PK_MAINTENANCE_LOCK_ATTEMPTS", "7", "PK_POSTGRES_USER", "keeper"));
        assertEquals(7, cfg.lockSettings().attempts());
        assertEquals("keeper", cfg.postgresUser());
    }

    @Test
    void envNameFollowsTheKey() {
        assertEquals("PK_MAINTENANCE_LOCK_TIMEOUT", ConfigSource.envName("maintenance.lock_timeout"));
        assertEquals("PK_POSTGRES_PASSWORD_FILE", ConfigSource.envName("postgres.password_file"));
    }

    @Test
    void badOverrideValueNamesTheVariable() {
        String yaml = "maintenance:\n  lock_timeout: 100ms\ntables:\n  - table: public.events\n    interval: monthly\n";
        List<String> p = problems(yaml, Map.of("PK_MAINTENANCE_LOCK_TIMEOUT", "soon", "PK_POSTGRES_POOL_SIZE", "lots"));
        assertEquals(2, p.size(), p::toString);
        assertTrue(
                p.stream()
                        .anyMatch(x -> x.contains("maintenance.lock_timeout (from PK_MAINTENANCE_LOCK_TIMEOUT)")
                                && x.contains("got: \"soon\"")
                                && x.contains("\"100ms\"")),
                p::toString);
        assertTrue(
                p.stream()
                        .anyMatch(x -> x.contains("postgres.pool_size (from PK_POSTGRES_POOL_SIZE)")
                                && x.contains("got: \"lots\"")),
                p::toString);
    }

    @Test
    void quotedIdentifiersKeepCaseAndSpaces() {
        String yaml = """
        tables:
          - table: 'public."Billing Events"'
            interval: daily
          - table: '"Sales"."Q1 ""raw"" data"'
            interval: quarterly
        """;
        WorkerConfig cfg = WorkerConfig.parse("policy.yaml", yaml, Map.of());
        TableName billing = cfg.tables().get(0).table();
        assertEquals(new TableName("public", "Billing Events"), billing);
        assertEquals("\"public\".\"Billing Events\"", billing.quoted());
        assertEquals("public.\"Billing Events\"", billing.toString());
        assertEquals(
                new TableName("Sales", "Q1 \"raw\" data"), cfg.tables().get(1).table());
    }

    @Test
    void quotedAndUnquotedSpellingsOfOneTableAreDuplicates() {
        List<String> p = problems("""
        tables:
          - table: public.events
            interval: daily
          - table: '"public"."events"'
            interval: daily
        """);
        assertEquals(1, p.size(), p::toString);
        assertTrue(p.get(0).startsWith("tables[1] (public.events): duplicate table"), p::toString);
    }

    @Test
    void loadReadsTheFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, "tables:\n  - table: public.events\n    interval: monthly\n");
        assertEquals(good.toString(), WorkerConfig.load(good, Map.of()).source());

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "tables:\n  - table: public.events\n    interval: montly\n");
        ConfigException e = assertThrows(ConfigException.class, () -> WorkerConfig.load(bad, Map.of()));
        assertTrue(e.getMessage().startsWith(bad + ": 1 problem\n"), e.getMessage());

        Path missing = dir.resolve("missing.yaml");
        ConfigException m = assertThrows(ConfigException.class, () -> WorkerConfig.load(missing, Map.of()));
        assertTrue(m.getMessage().contains("cannot read config file " + missing), m.getMessage());
    }

    @Test
    void withersReplaceOnlyTheirPart() {
        WorkerConfig cfg = WorkerConfig.parse(
                "policy.yaml", "tables:\n  - table: public.events\n    interval: monthly\n", Map.of());
        WorkerConfig changed = cfg.withPostgres("jdbc:postgresql://h/d", "u")
                .withTaskQueue("q")
                .withTables(List.of(TablePolicy.of(new TableName("public", "x"), PartitionInterval.DAILY)));
        assertEquals("jdbc:postgresql://h/d", changed.postgresUrl());
        assertEquals("u", changed.postgresUser());
        assertEquals("q", changed.taskQueue());
        assertEquals("x", changed.tables().get(0).table().table());
        assertEquals(cfg.lockSettings(), changed.lockSettings());
        assertEquals(cfg.source(), changed.source());
    }

    @Test
    void archivingWithoutAnArchiveLocationIsRefusedNamingTheTable() {
        ConfigException e =
                Assertions.assertThrows(ConfigException.class, () -> WorkerConfig.parse("policy.yaml", """
            tables:
              - table: public.events
                interval: monthly
                retention: 12 months
                retention_action: archive
            """, Map.of()));
        Assertions.assertTrue(
                e.getMessage().contains("public.events") && e.getMessage().contains("archive.location"),
                e.getMessage());
    }

    @Test
    void commandsThatNeedOnlyTheConnectionAcceptAFileWithoutTables(@TempDir Path dir) throws Exception {
        Path none = dir.resolve("none.yaml");
        Files.writeString(none, "postgres:\n  url: jdbc:postgresql://db/app\n");
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "postgres:\n  url: jdbc:postgresql://db/app\ntables: []\n");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "postgres:\n  url: jdbc:postgresql://db/app\ntables:\n  - table: public.events\n");

        assertEquals(List.of(), WorkerConfig.loadWithoutPolicy(none, Map.of()).tables());
        assertEquals(List.of(), WorkerConfig.loadWithoutPolicy(empty, Map.of()).tables());
        assertEquals(
                "jdbc:postgresql://db/app",
                WorkerConfig.loadWithoutPolicy(none, Map.of()).postgresUrl());
        // listed tables are still checked, and the policy commands still want a list
        assertThrows(ConfigException.class, () -> WorkerConfig.loadWithoutPolicy(bad, Map.of()));
        assertTrue(assertThrows(ConfigException.class, () -> WorkerConfig.load(none, Map.of()))
                .getMessage()
                .contains("'tables:' is missing"));
    }
}

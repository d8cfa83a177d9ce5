package dev.partitionkeeper.worker.config;

import static dev.partitionkeeper.worker.config.ConfigValues.duration;
import static dev.partitionkeeper.worker.config.ConfigValues.integer;
import static dev.partitionkeeper.worker.config.ConfigValues.label;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.partitionkeeper.activities.postgres.Bookkeeping;
import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.worker.metrics.MetricsSettings;
import dev.partitionkeeper.worker.schedule.ScheduleSettings;
import dev.partitionkeeper.worker.schedule.WorkerPoolSettings;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The worker's configuration file: connection settings, maintenance settings and the table policy.
 * Everything is validated before anything touches a database, and every problem is reported at
 * once with the table and field it belongs to.
 *
 * <p>Environment overrides: any scalar key {@code section.key} can be set with
 * {@code PK_SECTION_KEY} (upper case, dots and dashes as underscores), e.g.
 * {@code PK_MAINTENANCE_LOCK_TIMEOUT=200ms}, {@code PK_POSTGRES_URL=jdbc:postgresql://db/app}.
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
    WorkerPoolSettings pool) {

  public static final String DEFAULT_TASK_QUEUE = "partition-keeper";
  public static final String DEFAULT_ARCHIVE_SCHEMA = "partition_archive";
  /** Connections in the worker's pool; more is a typo (PostgreSQL's default max_connections is 100). */
  public static final int MAX_POOL_SIZE = 1000;
  /** Temporal's default limit on identifiers such as task queue names. */
  public static final int MAX_TASK_QUEUE_LENGTH = 1000;

  /** Known keys per section, with the setting each one is. */
  static final Map<String, Set<String>> SECTIONS = Map.of(
      "postgres", Set.of("url", "user", "password_file", "pool_size"),
      "temporal", union(Set.of("task_queue"), WorkerPoolSettings.KEYS),
      "maintenance", Set.of("lock_timeout", "lock_wait_older_than", "lock_max_wait", "lock_attempts",
          "archive_schema", "bookkeeping_schema"),
      "metrics", MetricsSettings.KEYS,
      "archive", ArchiveSettings.KEYS,
      "schedule", ScheduleSettings.KEYS);
  static final Set<String> TABLE_KEYS = Set.of("table", "interval", "premake", "retention", "timezone",
      "default_partition", "retention_action", "drop_grace", "partition_name");

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
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JsonNode root;
    try {
      root = mapper.readTree(yaml);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigException(source + " is not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    }
    List<String> problems = new ArrayList<>();
    if (root == null || !root.isObject()) {
      throw new ConfigException(source, List.of("the file must be a mapping with a 'tables:' list"));
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("tables") && !SECTIONS.containsKey(k)) {
        problems.add("unknown top-level key '" + k + "'; known keys: tables, postgres, temporal, maintenance, metrics, archive, schedule");
      }
    }
    Map<String, String> flat = new LinkedHashMap<>();
    // key -> the environment variable that set it, so a bad value names where it came from
    Map<String, String> fromEnv = new LinkedHashMap<>();
    for (var section : SECTIONS.entrySet()) {
      JsonNode node = root.get(section.getKey());
      if (node != null && !node.isNull()) {
        if (!node.isObject()) {
          problems.add(section.getKey() + " must be a mapping");
          continue;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          var e = it.next();
          if (!section.getValue().contains(e.getKey())) {
            problems.add("unknown key '" + e.getKey() + "' in " + section.getKey() + "; known keys: "
                + String.join(", ", section.getValue().stream().sorted().toList()));
          } else if (!e.getValue().isValueNode()) {
            problems.add(section.getKey() + "." + e.getKey() + " must be a single value");
          } else {
            flat.put(section.getKey() + "." + e.getKey(), e.getValue().asText());
          }
        }
      }
      for (String key : section.getValue()) {
        String envName = envName(section.getKey() + "." + key);
        if (env.containsKey(envName)) {
          flat.put(section.getKey() + "." + key, env.get(envName));
          fromEnv.put(section.getKey() + "." + key, envName);
        }
      }
    }

    // each setting on its own, so every bad one is reported, not just the first
    Duration lockTimeout = duration(flat, fromEnv, "maintenance.lock_timeout", LockSettings.DEFAULT_LOCK_TIMEOUT,
        problems);
    Duration olderThan = duration(flat, fromEnv, "maintenance.lock_wait_older_than", LockSettings.DEFAULT_OLDER_THAN,
        problems);
    Duration maxWait = duration(flat, fromEnv, "maintenance.lock_max_wait", LockSettings.DEFAULT_MAX_WAIT, problems);
    int attempts = integer(flat, fromEnv, "maintenance.lock_attempts", LockSettings.DEFAULT_ATTEMPTS, problems);
    LockSettings lock = LockSettings.defaults();
    try {
      lock = new LockSettings(lockTimeout, olderThan, LockSettings.DEFAULT_POLL_INTERVAL, maxWait, attempts);
    } catch (IllegalArgumentException e) {
      problems.add("maintenance." + e.getMessage());
    }
    int pool = integer(flat, fromEnv, "postgres.pool_size", PgDataSources.DEFAULT_POOL_SIZE, problems);
    if (pool < 2 || pool > MAX_POOL_SIZE) {
      problems.add(label("postgres.pool_size", fromEnv) + " must be between 2 and " + MAX_POOL_SIZE + " (e.g. 8), got: "
          + pool);
      pool = PgDataSources.DEFAULT_POOL_SIZE;
    }
    String archiveSchema = flat.getOrDefault("maintenance.archive_schema", DEFAULT_ARCHIVE_SCHEMA);
    String booksSchema = flat.getOrDefault("maintenance.bookkeeping_schema", Bookkeeping.DEFAULT_SCHEMA);
    for (String[] s : new String[][] {{"maintenance.archive_schema", archiveSchema, DEFAULT_ARCHIVE_SCHEMA},
        {"maintenance.bookkeeping_schema", booksSchema, Bookkeeping.DEFAULT_SCHEMA}}) {
      if (s[1].isBlank() || s[1].length() > TableName.MAX_IDENTIFIER_BYTES) {
        problems.add(label(s[0], fromEnv) + " must be a schema name of 1 to 63 characters such as \"" + s[2]
            + "\", got: \"" + s[1] + "\"");
      }
    }

    String url = flat.get("postgres.url");
    if (url != null && !url.startsWith("jdbc:postgresql:")) {
      problems.add(label("postgres.url", fromEnv) + " must be a JDBC URL such as jdbc:postgresql://db:5432/app, got: \""
          + PostgresSettings.redactUrl(url) + "\"");
    }
    String taskQueue = flat.getOrDefault("temporal.task_queue", DEFAULT_TASK_QUEUE);
    if (taskQueue.isBlank() || taskQueue.length() > MAX_TASK_QUEUE_LENGTH || !taskQueue.equals(taskQueue.strip())) {
      problems.add(label("temporal.task_queue", fromEnv) + " must be a name of 1 to " + MAX_TASK_QUEUE_LENGTH
          + " characters without surrounding spaces such as \"" + DEFAULT_TASK_QUEUE + "\", got: \""
          + (taskQueue.length() > 80 ? taskQueue.substring(0, 80) + "…\" (" + taskQueue.length() + " characters)"
          : taskQueue + "\""));
    }
    MetricsSettings metrics = MetricsSettings.from(flat, fromEnv, problems);
    ArchiveSettings archive = ArchiveSettings.from(flat, fromEnv, problems);
    ScheduleSettings schedule = ScheduleSettings.from(flat, fromEnv, problems);
    WorkerPoolSettings workerPool = WorkerPoolSettings.from(flat, fromEnv, problems);
    JsonNode tableList = root.get("tables");
    boolean noTables = tableList == null || tableList.isNull() || tableList.isArray() && tableList.isEmpty();
    List<TablePolicy> tables = !policyRequired && noTables ? List.of() : tables(tableList, problems);
    for (int i = 0; i < tables.size(); i++) {
      TablePolicy t = tables.get(i);
      if (t.retentionAction() != RetentionAction.DETACH_ONLY && archive.location() == null) {
        problems.add("tables (" + t.table() + "): retention_action " + t.retentionAction().label()
            + " needs archive.location (e.g. archive: {location: s3://bucket/partitions} or a directory)");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    return new WorkerConfig(source, flat.get("postgres.url"), flat.get("postgres.user"),
        flat.get("postgres.password_file"), pool, taskQueue,
        lock, archiveSchema, booksSchema, List.copyOf(tables), metrics, archive, schedule, workerPool);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new java.util.HashSet<>(a);
    u.addAll(b);
    return Set.copyOf(u);
  }

  static String envName(String key) {
    return "PK_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static List<TablePolicy> tables(JsonNode node, List<String> problems) {
    List<TablePolicy> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      problems.add("'tables:' is missing: list at least one table, e.g. tables: [{table: public.events, interval: monthly}]");
      return out;
    }
    if (!node.isArray()) {
      problems.add("'tables:' must be a list of tables (each line starting with '- '), e.g. tables: [{table: "
          + "public.events, interval: monthly}], got: " + (node.isObject() ? "a mapping" : "\"" + node.asText() + "\""));
      return out;
    }
    if (node.isEmpty()) {
      problems.add("'tables:' is empty: list at least one table, e.g. tables: [{table: public.events, interval: monthly}]");
      return out;
    }
    Map<TableName, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode t = node.get(i);
      String where = "tables[" + i + "]";
      if (!t.isObject()) {
        problems.add(where + " must be a mapping with at least table and interval");
        continue;
      }
      JsonNode tn = t.get("table");
      String tableText = tn == null || tn.isNull() ? null : tn.asText();
      TableName name = null;
      if (tableText == null) {
        problems.add(where + ": table is required (e.g. table: public.events)");
      } else {
        try {
          name = TableName.parse(tableText, "public");
          where = where + " (" + name + ")";
        } catch (IllegalArgumentException e) {
          problems.add(where + ": table: " + e.getMessage());
        }
      }
      int before = problems.size();
      for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!TABLE_KEYS.contains(k)) {
          problems.add(where + ": unknown key '" + k + "'; known keys: "
              + String.join(", ", TABLE_KEYS.stream().sorted().toList()));
        }
      }
      PartitionInterval interval = null;
      try {
        interval = PartitionInterval.parse(text(t, "interval"));
      } catch (IllegalArgumentException e) {
        problems.add(where + ": " + e.getMessage());
      }
      int premake = TablePolicy.DEFAULT_PREMAKE;
      JsonNode pm = t.get("premake");
      if (pm != null) {
        if (!pm.isInt()) {
          problems.add(where + ": premake must be a whole number of partitions of at least 1 such as 3, got: \""
              + pm.asText() + "\"");
        } else if (pm.asInt() < 1) {
          problems.add(where + ": premake must be at least 1 (partitions kept ahead of now, e.g. premake: 3), got: "
              + pm.asInt());
        } else if (pm.asInt() > TablePolicy.MAX_PREMAKE) {
          problems.add(where + ": premake must be at most " + TablePolicy.MAX_PREMAKE + " (partitions kept ahead of"
              + " now, e.g. premake: 3; each one is a table), got: " + pm.asInt());
        } else {
          premake = pm.asInt();
        }
      }
      Retention retention = null;
      String rt = text(t, "retention");
      if (rt != null) {
        try {
          retention = Retention.parse(rt);
        } catch (IllegalArgumentException e) {
          problems.add(where + ": " + e.getMessage());
        }
      }
      String tz = t.has("timezone") ? text(t, "timezone") : TablePolicy.DEFAULT_TIMEZONE;
      try {
        ZoneId.of(tz);
      } catch (DateTimeException | NullPointerException e) {
        problems.add(where + ": timezone must be an IANA zone such as UTC or Europe/Berlin, got: \"" + tz + "\"");
        tz = null;
      }
      DefaultPartitionMode dpm = DefaultPartitionMode.KEEP;
      if (t.has("default_partition")) {
        try {
          dpm = DefaultPartitionMode.parse(text(t, "default_partition"));
        } catch (IllegalArgumentException e) {
          problems.add(where + ": " + e.getMessage());
        }
      }
      RetentionAction ra = RetentionAction.DETACH_ONLY;
      if (t.has("retention_action")) {
        try {
          ra = RetentionAction.parse(text(t, "retention_action"));
        } catch (IllegalArgumentException e) {
          problems.add(where + ": " + e.getMessage());
        }
      }
      if (ra != RetentionAction.DETACH_ONLY && retention == null && rt == null) {
        problems.add(where + ": retention_action " + ra.label() + " needs a retention (e.g. retention: 12 months)");
      }
      int grace = TablePolicy.DEFAULT_DROP_GRACE_DAYS;
      if (t.has("drop_grace")) {
        try {
          Duration g = DurationText.parse("drop_grace", text(t, "drop_grace"));
          if (g.toMillis() % 86_400_000 != 0) {
            throw new IllegalArgumentException("drop_grace must be whole days such as \"7d\" or \"0d\", got: \""
                + text(t, "drop_grace") + "\"");
          }
          grace = (int) g.toDays();
        } catch (IllegalArgumentException e) {
          problems.add(where + ": " + e.getMessage());
        }
      }
      if (name != null && seen.containsKey(name)) {
        problems.add(where + ": duplicate table, already listed as tables[" + seen.get(name) + "]");
      } else if (name != null) {
        seen.put(name, i);
      }
      if (name != null && interval != null) {
        // built even when another field is bad, so cross-field rules (retention vs interval) are reported too
        boolean clean = problems.size() == before && tz != null;
        try {
          TablePolicy policy = new TablePolicy(name, interval, premake, retention,
              tz == null ? TablePolicy.DEFAULT_TIMEZONE : tz, dpm, ra, grace, text(t, "partition_name"));
          if (clean) {
            out.add(policy);
          }
        } catch (IllegalArgumentException e) {
          problems.add(where + ": " + e.getMessage());
        }
      }
    }
    return out;
  }

  private static String text(JsonNode obj, String key) {
    JsonNode n = obj.get(key);
    return n == null || n.isNull() ? null : n.asText();
  }

  /** With the tables replaced (dev mode, tests). */
  public WorkerConfig withTables(List<TablePolicy> t) {
    return new WorkerConfig(source, postgresUrl, postgresUser, postgresPasswordFile, poolSize, taskQueue, lockSettings,
        archiveSchema, bookkeepingSchema, List.copyOf(t), metrics, archive, schedule, pool);
  }

  public WorkerConfig withPostgres(String url, String user) {
    return new WorkerConfig(source, url, user, postgresPasswordFile, poolSize, taskQueue, lockSettings, archiveSchema,
        bookkeepingSchema, tables, metrics, archive, schedule, pool);
  }

  public WorkerConfig withArchive(ArchiveSettings a) {
    return new WorkerConfig(source, postgresUrl, postgresUser, postgresPasswordFile, poolSize, taskQueue, lockSettings,
        archiveSchema, bookkeepingSchema, tables, metrics, a, schedule, pool);
  }

  public WorkerConfig withTaskQueue(String q) {
    return new WorkerConfig(source, postgresUrl, postgresUser, postgresPasswordFile, poolSize, q, lockSettings,
        archiveSchema, bookkeepingSchema, tables, metrics, archive, schedule, pool);
  }

  public WorkerConfig withSchedule(ScheduleSettings s) {
    return new WorkerConfig(source, postgresUrl, postgresUser, postgresPasswordFile, poolSize, taskQueue, lockSettings,
        archiveSchema, bookkeepingSchema, tables, metrics, archive, s, pool);
  }
}

package dev.partitionkeeper.worker.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Reading one setting of a section: its label for messages, and durations with every problem collected. */
public final class ConfigValues {
  private ConfigValues() {}

  /** {@code maintenance.lock_timeout}, or {@code maintenance.lock_timeout (from PK_MAINTENANCE_LOCK_TIMEOUT)}. */
  public static String label(String key, Map<String, String> fromEnv) {
    String envName = fromEnv.get(key);
    return envName == null ? key : key + " (from " + envName + ")";
  }

  /** The duration at {@code key}, {@code dflt} when unset; a bad value adds a problem and gives {@code dflt}. */
  public static Duration duration(Map<String, String> flat, Map<String, String> fromEnv, String key, Duration dflt,
      List<String> problems) {
    String v = flat.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return DurationText.parse(label(key, fromEnv), v);
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return dflt;
    }
  }
}

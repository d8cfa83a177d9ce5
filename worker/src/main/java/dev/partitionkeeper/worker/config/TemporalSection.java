package dev.partitionkeeper.worker.config;

import static dev.partitionkeeper.worker.config.ConfigValues.label;

import dev.partitionkeeper.worker.schedule.WorkerPoolSettings;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code temporal:} section: the task queue, and how this process takes part in the pool
 * ({@link WorkerPoolSettings}). Where the server is comes from the Temporal environment, not from here.
 */
record TemporalSection(String taskQueue, WorkerPoolSettings pool) {
    /** Temporal's default limit on identifiers such as task queue names. */
    static final int MAX_TASK_QUEUE_LENGTH = 1000;

    static final Set<String> KEYS = keys();

    private static Set<String> keys() {
        Set<String> k = new HashSet<>(WorkerPoolSettings.KEYS);
        k.add("task_queue");
        k.addAll(FleetSection.TEMPORAL_KEYS);
        return Set.copyOf(k);
    }

    /** Reads {@code temporal.*}; bad values go to {@code problems}. */
    static TemporalSection from(Map<String, String> flat, Map<String, String> fromEnv, List<String> problems) {
        String taskQueue = flat.getOrDefault("temporal.task_queue", WorkerConfig.DEFAULT_TASK_QUEUE);
        if (taskQueue.isBlank() || taskQueue.length() > MAX_TASK_QUEUE_LENGTH || !taskQueue.equals(taskQueue.strip())) {
            problems.add(label("temporal.task_queue", fromEnv) + " must be a name of 1 to " + MAX_TASK_QUEUE_LENGTH
                    + " characters without surrounding spaces such as \"" + WorkerConfig.DEFAULT_TASK_QUEUE
                    + "\", got: \""
                    + (taskQueue.length() > 80
                            ? taskQueue.substring(0, 80) + "…\" (" + taskQueue.length() + " characters)"
                            : taskQueue + "\""));
        }
        return new TemporalSection(taskQueue, WorkerPoolSettings.from(flat, fromEnv, problems));
    }
}

package dev.partitionkeeper.activities.fleet;

import dev.partitionkeeper.workflows.activity.Failures;
import io.temporal.failure.ApplicationFailure;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One implementation of a step interface per database, made on first use: what the routed activities
 * ({@link RoutedPartitionActivities}, {@link RoutedArchiveActivities}) hand each call to.
 *
 * @param <T> the activity interface
 */
final class PerDatabase<T> {
    private final String steps;
    private final T single;
    private final Function<String, T> forDatabase;
    private final Map<String, T> byDatabase = new ConcurrentHashMap<>();

    /**
     * @param steps what the steps are, for the error ("a step", "an archive step")
     * @param single the implementation for the {@code postgres:} database (a policy whose database is null)
     * @param forDatabase makes the implementation of one fleet database; null when the worker has no fleet
     */
    PerDatabase(String steps, T single, Function<String, T> forDatabase) {
        this.steps = steps;
        this.single = single;
        this.forDatabase = forDatabase;
    }

    T of(String database) {
        if (database == null) {
            return single;
        }
        if (forDatabase == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    steps + " for database " + database + " reached a worker without databases: in its"
                            + " configuration; every worker of the task queue needs the same configuration",
                    Failures.INVALID_POLICY);
        }
        return byDatabase.computeIfAbsent(database, forDatabase);
    }
}

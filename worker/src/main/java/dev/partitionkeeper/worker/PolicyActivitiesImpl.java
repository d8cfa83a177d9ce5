package dev.partitionkeeper.worker;

import dev.partitionkeeper.worker.config.ConfigException;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PolicyActivities;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.function.Supplier;

/** Hands the current policy to the workflow; a file that no longer validates fails the pass, not the worker. */
public class PolicyActivitiesImpl implements PolicyActivities {
    private final Supplier<List<TablePolicy>> source;

    public PolicyActivitiesImpl(Supplier<List<TablePolicy>> source) {
        this.source = source;
    }

    @Override
    public List<TablePolicy> load() {
        try {
            return source.get();
        } catch (ConfigException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_POLICY);
        }
    }
}

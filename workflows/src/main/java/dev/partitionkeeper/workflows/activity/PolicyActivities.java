package dev.partitionkeeper.workflows.activity;

import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** Reads the policy file the worker was started with, so every pass uses the current one. */
@ActivityInterface(namePrefix = "Policy")
public interface PolicyActivities {

    /** The validated policy; a bad file fails with {@link Failures#INVALID_POLICY}. */
    @ActivityMethod
    List<TablePolicy> load();
}

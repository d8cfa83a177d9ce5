package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.RestoreActivities;
import dev.partitionkeeper.workflows.activity.RestoreResult;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;

/** Restore, verify (inside the restore activity), then attach when asked. */
public class RestoreWorkflowImpl implements RestoreWorkflow {

    @Override
    public RestoreResult restore(RestoreRequest request) {
        RestoreActivities acts =
                Workflow.newActivityStub(RestoreActivities.class, StepOptions.archive("restore " + request.location()));
        RestoreResult r = acts.restore(request);
        if (!r.ok()) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "restore of " + request.location() + " did not verify: " + String.join("; ", r.mismatches()),
                    Failures.VERIFICATION_FAILED,
                    r);
        }
        if (request.attach()) {
            Workflow.newActivityStub(RestoreActivities.class, StepOptions.ddl("attach " + r.table()))
                    .attach(request, r.table());
        }
        return r;
    }
}

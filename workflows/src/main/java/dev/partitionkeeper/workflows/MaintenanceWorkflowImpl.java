package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PolicyActivities;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Loads the policy and runs one child workflow per table, one after another. */
public class MaintenanceWorkflowImpl implements MaintenanceWorkflow {

  private final PolicyActivities policy =
      Workflow.newActivityStub(PolicyActivities.class, StepOptions.read("load policy"));

  @Override
  public MaintenanceReport run(MaintenanceRequest request) {
    List<TablePolicy> selected = select(policy.load(), request.tables());
    List<TableReport> reports = new ArrayList<>();
    for (TablePolicy p : selected) {
      String table = p.table().toString();
      TableMaintenanceWorkflow child = Workflow.newChildWorkflowStub(TableMaintenanceWorkflow.class,
          ChildWorkflowOptions.newBuilder()
              .setWorkflowId(TableMaintenanceWorkflow.workflowId(table))
              .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
              .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE)
              .setStaticSummary((request.dryRun() ? "dry run: " : "maintain ") + table)
              .build());
      try {
        reports.add(child.maintain(new TableMaintenanceRequest(p, request.dryRun(), request.reason())));
      } catch (ChildWorkflowFailure e) {
        reports.add(new TableReport(table, TableReport.FAILED, null, List.of(), null, rootMessage(e)));
      }
    }
    MaintenanceReport report = new MaintenanceReport(request.reason(), request.dryRun(), reports);
    if (report.failed()) {
      String failed = reports.stream().filter(r -> TableReport.FAILED.equals(r.status()))
          .map(r -> r.table() + ": " + r.error()).collect(Collectors.joining("; "));
      // Fail the run so the UI and alerts see it; the full report travels in the failure details.
      throw ApplicationFailure.newNonRetryableFailure("maintenance failed for " + failed, "PassFailed", report);
    }
    return report;
  }

  static List<TablePolicy> select(List<TablePolicy> all, List<String> wanted) {
    if (wanted.isEmpty()) {
      return all;
    }
    Set<TablePolicy> out = new LinkedHashSet<>();
    for (String w : wanted) {
      TableName name;
      try {
        name = TableName.parse(w, "public");
      } catch (IllegalArgumentException e) {
        throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_POLICY);
      }
      TablePolicy match = all.stream().filter(p -> p.table().equals(name)).findFirst().orElseThrow(() ->
          ApplicationFailure.newNonRetryableFailure("table " + name + " is not in the policy; known tables: "
              + all.stream().map(p -> p.table().toString()).collect(Collectors.joining(", ")),
              Failures.INVALID_POLICY));
      out.add(match);
    }
    return List.copyOf(out);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof ApplicationFailure af ? af.getOriginalMessage() : t.getMessage();
  }
}

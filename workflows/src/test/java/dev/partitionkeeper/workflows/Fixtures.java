package dev.partitionkeeper.workflows;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.activity.PolicyActivities;
import dev.partitionkeeper.workflows.activity.TableDdl;
import dev.partitionkeeper.workflows.activity.TableDdlResult;
import dev.partitionkeeper.workflows.activity.TableSurvey;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.Retention;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import dev.partitionkeeper.workflows.plan.PartitionInfo;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A catalog and policy for workflow tests, and mocked activities that plan on it with the real planner.
 * The pass over {@link #TRANSACTIONS} finalizes one pending detach, creates two partitions and
 * detaches one.
 */
final class Fixtures {
    static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

    static final TablePolicy TRANSACTIONS = new TablePolicy(
            new TableName("public", "transactions"),
            PartitionInterval.MONTHLY,
            2,
            Retention.parse("3 months"),
            "UTC",
            DefaultPartitionMode.KEEP,
            RetentionAction.DETACH_ONLY,
            7);
    static final TablePolicy BILLING_EVENTS =
            TablePolicy.of(new TableName("billing", "Billing Events"), PartitionInterval.DAILY);

    static final PlannedAction.FinalizeDetach FINALIZE_OCT =
            new PlannedAction.FinalizeDetach("transactions_p2025_10", "2025-10-01", "2025-11-01");
    static final PlannedAction.CreatePartition CREATE_APR = new PlannedAction.CreatePartition(
            "transactions_p2026_04", day("2026-04-01"), day("2026-05-01"), "2026-04-01", "2026-05-01");
    static final PlannedAction.CreatePartition CREATE_MAY = new PlannedAction.CreatePartition(
            "transactions_p2026_05", day("2026-05-01"), day("2026-06-01"), "2026-05-01", "2026-06-01");
    static final PlannedAction.DetachPartition DETACH_NOV = new PlannedAction.DetachPartition(
            "transactions_p2025_11", day("2025-11-01"), day("2025-12-01"), "2025-11-01", "2025-12-01");

    static final LayoutReport GOOD_LAYOUT = new LayoutReport(true, 2, "2026-06-01", 5, 0, List.of());

    private Fixtures() {}

    static TestWorkflowExtension extension() {
        return TestWorkflowExtension.newBuilder()
                .setWorkflowTypes(MaintenanceWorkflowImpl.class, TableMaintenanceWorkflowImpl.class)
                .setInitialTime(NOW)
                .setDoNotStart(true)
                .build();
    }

    static long day(String isoDate) {
        return KeyAxis.micros(LocalDate.parse(isoDate).atStartOfDay().toInstant(ZoneOffset.UTC));
    }

    /** What the catalog holds: October pending detach, November past retention, December to March, no runway. */
    static CatalogSnapshot catalogOf(TableName table) {
        if (!table.equals(TRANSACTIONS.table())) {
            return new CatalogSnapshot(table, "created_at", KeyType.TIMESTAMPTZ, List.of(), 0, 0, 0);
        }
        return new CatalogSnapshot(
                table,
                "created_at",
                KeyType.TIMESTAMPTZ,
                List.of(
                        new PartitionInfo(
                                "public",
                                "transactions_p2025_10",
                                day("2025-10-01"),
                                day("2025-11-01"),
                                false,
                                true,
                                10),
                        month("transactions_p2025_11", "2025-11-01", "2025-12-01"),
                        month("transactions_p2025_12", "2025-12-01", "2026-01-01"),
                        month("transactions_p2026_01", "2026-01-01", "2026-02-01"),
                        month("transactions_p2026_02", "2026-02-01", "2026-03-01"),
                        month("transactions_p2026_03", "2026-03-01", "2026-04-01")),
                0,
                0,
                0);
    }

    private static PartitionInfo month(String name, String from, String to) {
        return new PartitionInfo("public", name, day(from), day(to), false, false, 1000);
    }

    static ActionResult done(PlannedAction action) {
        return new ActionResult(action.summary(), ActionResult.DONE, 0, 1, "");
    }

    static PartitionActivities partitionActivities() {
        PartitionActivities a = mock(PartitionActivities.class, withSettings().withoutAnnotations());
        when(a.plan(any(), anyLong())).thenAnswer(inv -> {
            TablePolicy p = inv.getArgument(0);
            return MaintenancePlanner.plan(catalogOf(p.table()), p, NOW);
        });
        when(a.finalizeDetach(any(), any())).thenAnswer(inv -> done(inv.getArgument(1)));
        when(a.createPartition(any(), any())).thenAnswer(inv -> done(inv.getArgument(1)));
        when(a.createDefaultPartition(any(), any())).thenAnswer(inv -> done(inv.getArgument(1)));
        when(a.detachPartition(any(), any())).thenAnswer(inv -> done(inv.getArgument(1)));
        when(a.verifyLayout(any(), anyLong())).thenReturn(GOOD_LAYOUT);
        return a;
    }

    /**
     * What the worker registers for {@code partitions}: its survey is made as the real activity makes it, from
     * {@code partitions}' own {@code plan} and {@code verifyLayout} (so a test that stubs those stubs the survey,
     * and counts them as before); every other method is {@code partitions}' own. A non-retryable failure of
     * {@code plan} is the table's error; any other fails the whole survey, which Temporal retries.
     */
    static PartitionActivities surveying(PartitionActivities partitions) {
        return (PartitionActivities) Proxy.newProxyInstance(
                Fixtures.class.getClassLoader(), new Class<?>[] {PartitionActivities.class}, (proxy, method, args) -> {
                    if (method.getName().equals("survey")) {
                        @SuppressWarnings("unchecked")
                        List<TablePolicy> policies = (List<TablePolicy>) args[0];
                        return survey(partitions, policies, (Long) args[1]);
                    }
                    if (method.getName().equals("applyDdl")) {
                        return applyDdl(partitions, (TableDdl) args[0], (Long) args[1]);
                    }
                    try {
                        return method.invoke(partitions, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * One table's catalog actions as the real activity runs them, from {@code partitions}' own action methods (a
     * test that stubs those stubs this activity, and counts them as before).
     */
    private static TableDdlResult applyDdl(PartitionActivities a, TableDdl t, long now) {
        List<ActionResult> done = new ArrayList<>();
        for (PlannedAction action : t.actions()) {
            try {
                if (action instanceof PlannedAction.CreatePartition c) {
                    done.add(a.createPartition(t.policy(), c));
                } else if (action instanceof PlannedAction.CreateDefaultPartition c) {
                    done.add(a.createDefaultPartition(t.policy(), c));
                } else if (action instanceof PlannedAction.DetachPartition d) {
                    done.add(a.detachPartition(t.policy(), d));
                } else if (action instanceof PlannedAction.FinalizeDetach f) {
                    done.add(a.finalizeDetach(t.policy(), f));
                } else {
                    throw new IllegalArgumentException("not a catalog action: " + action);
                }
            } catch (ApplicationFailure f) {
                throw TableDdl.stoppedAt(action, done, f);
            }
        }
        return new TableDdlResult(done, a.verifyLayout(t.policy(), now));
    }

    private static List<TableSurvey> survey(PartitionActivities a, List<TablePolicy> policies, long now) {
        List<TableSurvey> out = new ArrayList<>();
        for (TablePolicy p : policies) {
            String table = p.table().toString();
            try {
                var plan = a.plan(p, now);
                out.add(new TableSurvey(table, plan, plan.actions().isEmpty() ? a.verifyLayout(p, now) : null, null));
            } catch (ApplicationFailure f) {
                if (!f.isNonRetryable() && !f.getType().equals(Failures.INVALID_POLICY)) {
                    throw f;
                }
                out.add(new TableSurvey(table, null, null, f.getOriginalMessage()));
            }
        }
        return out;
    }

    static PolicyActivities policyActivities(TablePolicy... tables) {
        PolicyActivities a = mock(PolicyActivities.class, withSettings().withoutAnnotations());
        when(a.load()).thenReturn(List.of(tables));
        return a;
    }

    static void start(
            TestWorkflowEnvironment env, Worker worker, PartitionActivities partitions, PolicyActivities policies) {
        worker.registerActivitiesImplementations(surveying(partitions), policies);
        env.start();
    }

    static MaintenanceWorkflow maintenanceWorkflow(TestWorkflowEnvironment env, Worker worker) {
        return env.getWorkflowClient()
                .newWorkflowStub(
                        MaintenanceWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(MaintenanceWorkflow.WORKFLOW_ID)
                                .setTaskQueue(worker.getTaskQueue())
                                .build());
    }

    /** Every message in the cause chain, joined: Temporal wraps the activity's failure a few times. */
    static String messageChain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" <- ");
        }
        return sb.toString();
    }
}

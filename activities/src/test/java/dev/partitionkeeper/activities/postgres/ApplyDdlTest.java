package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.activities;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createMonths;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createParent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.TableDdl;
import dev.partitionkeeper.workflows.activity.TableDdlResult;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A table's catalog-only plan in one activity: every action done in order and the layout checked; run again (a
 * retry after a crash) it finds everything done; a refusal says which action failed after which were done.
 */
@Tag("postgres")
@Timeout(60)
class ApplyDdlTest {
    private static final Instant NOW_INSTANT = Instant.now();
    private static final long NOW = NOW_INSTANT.toEpochMilli();
    private static final YearMonth CURRENT = PgFixtures.monthOf(NOW_INSTANT);
    private static final TableName EVENTS = new TableName("public", "events");

    private HikariDataSource ds;

    @AfterEach
    void close() {
        if (ds != null) {
            ds.close();
        }
    }

    @Test
    void runsTheActionsInOrderChecksTheLayoutAndARerunFindsThemDone() {
        String url = PgTestSupport.newDatabase("apply_ddl");
        createParent(url, EVENTS, "timestamptz");
        createMonths(url, EVENTS, "timestamptz", CURRENT.minusMonths(3), CURRENT);
        ds = PgDataSources.create(url, null, null, 2);
        PostgresPartitionActivitiesImpl acts = activities(ds, PgFixtures.FAST);
        TablePolicy events = PgFixtures.policy(EVENTS, 2, "1 month", DefaultPartitionMode.NONE);
        MaintenancePlan plan = acts.plan(events, NOW);
        assertTrue(TableDdl.allCatalogOnly(plan.actions()), plan::toString);
        assertTrue(plan.actions().stream().anyMatch(a -> a instanceof PlannedAction.CreatePartition), plan::toString);
        assertTrue(plan.actions().stream().anyMatch(a -> a instanceof PlannedAction.DetachPartition), plan::toString);

        TableDdlResult first = acts.applyDdl(new TableDdl(events, plan.actions()), NOW);

        assertEquals(plan.actions().size(), first.done().size(), first::toString);
        for (int i = 0; i < plan.actions().size(); i++) {
            assertTrue(
                    plan.actions()
                            .get(i)
                            .summary()
                            .startsWith(first.done().get(i).action()),
                    first::toString);
        }
        assertTrue(first.done().stream().allMatch(r -> r.outcome().equals(ActionResult.DONE)), first::toString);
        assertTrue(first.layout().ok(), first.layout()::toString);
        assertEquals(acts.verifyLayout(events, NOW), first.layout());
        assertTrue(acts.plan(events, NOW).actions().isEmpty(), "nothing left to do");

        TableDdlResult again = acts.applyDdl(new TableDdl(events, plan.actions()), NOW);

        assertTrue(again.done().stream().allMatch(r -> r.outcome().equals(ActionResult.ALREADY_DONE)), again::toString);
        assertTrue(again.layout().ok());
    }

    @Test
    void aRefusalNamesTheFailedActionAndWhatWasDoneBeforeIt() {
        String url = PgTestSupport.newDatabase("apply_ddl_refused");
        createParent(url, EVENTS, "timestamptz");
        createMonths(url, EVENTS, "timestamptz", CURRENT, CURRENT);
        ds = PgDataSources.create(url, null, null, 2);
        PostgresPartitionActivitiesImpl acts = activities(ds, PgFixtures.FAST);
        TablePolicy events = PgFixtures.policy(EVENTS, 2, null, DefaultPartitionMode.NONE);
        List<PlannedAction> actions = acts.plan(events, NOW).actions();
        assertEquals(2, actions.size(), actions::toString);
        // the second month's name is taken by a table that is not a partition: a catalog conflict
        String taken = ((PlannedAction.CreatePartition) actions.get(1)).partition();
        PgTestSupport.exec(url, "CREATE TABLE public.\"" + taken + "\" (id int)");

        ApplicationFailure f =
                assertThrows(ApplicationFailure.class, () -> acts.applyDdl(new TableDdl(events, actions), NOW));

        assertEquals(Failures.CATALOG_CONFLICT, f.getType());
        assertTrue(f.isNonRetryable());
        assertEquals(actions.get(1).summary(), TableDdl.failedAction(f));
        List<ActionResult> before = TableDdl.doneBefore(f);
        assertEquals(1, before.size(), before::toString);
        assertTrue(actions.get(0).summary().startsWith(before.get(0).action()), before::toString);
    }
}

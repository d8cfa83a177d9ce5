package dev.partitionkeeper.activities.fleet;

import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.activity.TableDdl;
import dev.partitionkeeper.workflows.activity.TableDdlResult;
import dev.partitionkeeper.workflows.activity.TableSurvey;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.failure.ApplicationFailure;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The partition steps of every database: each call goes to the activities of its table's database
 * ({@link TablePolicy#database()}; null: the single database of {@code postgres:}). One instance per database,
 * made on first use over that database's pool ({@link DatabasePools#dataSource}).
 */
public final class RoutedPartitionActivities implements PartitionActivities {
    private final PerDatabase<PartitionActivities> databases;
    private final Function<String, DataSource> dataSources;

    /**
     * @param single the activities of the {@code postgres:} database
     * @param forDatabase makes the activities of one fleet database; null when the worker has no fleet
     * @param dataSources the connections of a database (null: of {@code postgres:}), where a survey matches its
     *     pattern entries ({@code tenant_*.events})
     */
    public RoutedPartitionActivities(
            PartitionActivities single,
            Function<String, PartitionActivities> forDatabase,
            Function<String, DataSource> dataSources) {
        this.databases = new PerDatabase<>("a step", single, forDatabase);
        this.dataSources = dataSources;
    }

    /** The one database of {@code policies}: a survey covers one database. */
    static String databaseOf(List<TablePolicy> policies) {
        String db = policies.isEmpty() ? null : policies.get(0).database();
        for (TablePolicy p : policies) {
            if (db == null ? p.database() != null : !db.equals(p.database())) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "a survey covers the tables of one database, got "
                                + policies.get(0).qualifiedName() + " and " + p.qualifiedName(),
                        Failures.INVALID_POLICY);
            }
        }
        return db;
    }

    @Override
    public MaintenancePlan plan(TablePolicy policy, long nowMillis) {
        return databases.of(policy.database()).plan(policy, nowMillis);
    }

    /**
     * Plans the tables of one database. With a pattern entry among them ({@code tenant_*.events}) the entries are
     * matched against the database's range-partitioned parents first, and every survey returned carries its
     * table's policy ({@link TableSurvey#policy()}): one per table found.
     */
    @Override
    public List<TableSurvey> survey(List<TablePolicy> policies, long nowMillis) {
        String db = databaseOf(policies);
        PartitionActivities activities = databases.of(db);
        if (!TablePatterns.any(policies)) {
            return activities.survey(policies, nowMillis);
        }
        List<TablePatterns.Match> matches;
        try {
            matches = TablePatterns.expand(dataSources.apply(db), policies);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "matching the table patterns of database " + (db == null ? "" : db + " ") + "failed: "
                            + e.getMessage(),
                    e);
        }
        List<TablePolicy> planned = matches.stream()
                .filter(m -> m.error() == null)
                .map(TablePatterns.Match::policy)
                .toList();
        List<TableSurvey> surveyed = planned.isEmpty() ? List.of() : activities.survey(planned, nowMillis);
        List<TableSurvey> out = new ArrayList<>();
        int next = 0;
        for (TablePatterns.Match m : matches) {
            if (m.error() != null) {
                out.add(new TableSurvey(m.policy().table().toString(), null, null, m.error(), m.policy()));
            } else {
                out.add(surveyed.get(next++).withPolicy(m.policy()));
            }
        }
        return out;
    }

    @Override
    public ActionResult finalizeDetach(TablePolicy policy, PlannedAction.FinalizeDetach action) {
        return databases.of(policy.database()).finalizeDetach(policy, action);
    }

    @Override
    public ActionResult createPartition(TablePolicy policy, PlannedAction.CreatePartition action) {
        return databases.of(policy.database()).createPartition(policy, action);
    }

    @Override
    public ActionResult createDefaultPartition(TablePolicy policy, PlannedAction.CreateDefaultPartition action) {
        return databases.of(policy.database()).createDefaultPartition(policy, action);
    }

    @Override
    public ActionResult detachPartition(TablePolicy policy, PlannedAction.DetachPartition action) {
        return databases.of(policy.database()).detachPartition(policy, action);
    }

    @Override
    public TableDdlResult applyDdl(TableDdl table, long nowMillis) {
        return databases.of(table.policy().database()).applyDdl(table, nowMillis);
    }

    @Override
    public LayoutReport verifyLayout(TablePolicy policy, long nowMillis) {
        return databases.of(policy.database()).verifyLayout(policy, nowMillis);
    }
}

package dev.partitionkeeper.activities.postgres;

import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.activity.PartitionActivities;
import dev.partitionkeeper.workflows.activity.TableDdl;
import dev.partitionkeeper.workflows.activity.TableDdlResult;
import dev.partitionkeeper.workflows.activity.TableSurvey;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.ArchiveState;
import dev.partitionkeeper.workflows.plan.CatalogSnapshot;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.LayoutVerifier;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The PostgreSQL side of a maintenance pass. Maps our exceptions to Temporal failure types: bad
 * policy and catalog conflicts are not retried, lock waits and connection trouble are.
 */
public class PostgresPartitionActivitiesImpl implements PartitionActivities {
    private static final Logger log = LoggerFactory.getLogger(PostgresPartitionActivitiesImpl.class);

    /** Largest accepted difference between the workflow's "now" and the database's clock. */
    public static final long MAX_CLOCK_SKEW_MILLIS = 6 * 60 * 60 * 1000L;

    private final DataSource dataSource;
    private final String archiveSchema;
    private final PartitionDdl ddl;
    private final Bookkeeping books;
    private final MaintenanceListener listener;

    /** Observes what happened (metrics); never changes the outcome. */
    public interface MaintenanceListener {
        MaintenanceListener NONE = new MaintenanceListener() {};

        default void actionDone(TableName table, String step, ActionResult result, long millis) {}

        default void actionFailed(TableName table, String step, String failureType) {}

        default void planned(TableName table, MaintenancePlan plan) {}

        default void layoutChecked(TableName table, LayoutReport report) {}

        /**
         * The layout checks of a survey's tables with nothing to do, once the survey has checked them all (in the
         * order of its policies): one call per survey, so a listener that writes them somewhere can do it at once.
         */
        default void layoutsChecked(Map<TableName, LayoutReport> reports) {
            reports.forEach(this::layoutChecked);
        }
    }

    public PostgresPartitionActivitiesImpl(
            DataSource dataSource,
            LockSettings lockSettings,
            String archiveSchema,
            String bookkeepingSchema,
            MaintenanceListener listener) {
        this.dataSource = dataSource;
        this.archiveSchema = archiveSchema;
        this.ddl = new PartitionDdl(new LockGate(lockSettings), archiveSchema);
        this.books = new Bookkeeping(bookkeepingSchema);
        this.listener = listener == null ? MaintenanceListener.NONE : listener;
    }

    @Override
    public MaintenancePlan plan(TablePolicy policy, long nowMillis) {
        return call(policy, "plan", null, c -> {
            checkClock(c, nowMillis);
            // read-only: the bookkeeping schema is created by the first step that writes to it
            CatalogSnapshot snap = CatalogReader.read(c, policy.table());
            // refuses a key the policy does not fit (a time interval on an integer key, ...) before planning
            snap = KeyStatsReader.withStats(c, snap, policy);
            MaintenancePlan plan = MaintenancePlanner.plan(
                    snap, policy, Instant.ofEpochMilli(nowMillis), archiveStates(c, policy, books.exists(c), snap));
            listener.planned(policy.table(), plan);
            return plan;
        });
    }

    @Override
    public List<TableSurvey> survey(List<TablePolicy> policies, long nowMillis) {
        if (policies.isEmpty()) {
            return List.of();
        }
        // one connection, one clock check, one look for the bookkeeping schema, one catalog read and one
        // lifecycle read for all the tables: a pass's SQL does not grow by statements per table
        return call(policies.get(0), "survey", null, c -> {
            checkClock(c, nowMillis);
            boolean booked = books.exists(c);
            Instant now = Instant.ofEpochMilli(nowMillis);
            List<CatalogReader.Read> reads = CatalogReader.readAll(
                    c, policies.stream().map(TablePolicy::table).toList());
            Map<TableName, List<Bookkeeping.Lifecycle>> lifecycles = lifecycles(c, policies, reads, booked);
            List<TableSurvey> out = new ArrayList<>(policies.size());
            Map<TableName, LayoutReport> checked = new LinkedHashMap<>();
            for (int i = 0; i < policies.size(); i++) {
                TablePolicy policy = policies.get(i);
                MDC.put("table", policy.table().toString());
                TableSurvey survey = surveyOne(c, policy, reads.get(i), now, booked, lifecycles);
                if (survey.layout() != null) {
                    checked.put(policy.table(), survey.layout());
                }
                out.add(survey);
            }
            if (!checked.isEmpty()) {
                listener.layoutsChecked(checked);
            }
            return out;
        });
    }

    /**
     * The lifecycle rows of the tables whose plan needs them, in one query; null when the role may not read
     * the lifecycle table, so that each table is refused on its own as {@link #archiveStates} refuses it.
     */
    private Map<TableName, List<Bookkeeping.Lifecycle>> lifecycles(
            Connection c, List<TablePolicy> policies, List<CatalogReader.Read> reads, boolean booked)
            throws SQLException {
        List<TableName> needed = new ArrayList<>();
        for (int i = 0; i < policies.size(); i++) {
            if (booked
                    && policies.get(i).retentionAction() != RetentionAction.DETACH_ONLY
                    && reads.get(i).failure() == null) {
                needed.add(policies.get(i).table());
            }
        }
        if (needed.isEmpty()) {
            return Map.of();
        }
        try {
            return books.forParents(c, needed);
        } catch (SQLException e) {
            if (!Privileges.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw e;
            }
            return null;
        }
    }

    /** Plans one table and, when it has nothing to do, checks its layout on the same catalog read. */
    private TableSurvey surveyOne(
            Connection c,
            TablePolicy policy,
            CatalogReader.Read read,
            Instant now,
            boolean booked,
            Map<TableName, List<Bookkeeping.Lifecycle>> lifecycles)
            throws SQLException {
        String table = policy.table().toString();
        try {
            CatalogSnapshot snap = KeyStatsReader.withStats(c, read.get(), policy);
            List<ArchiveState> archived = lifecycles == null
                    ? archiveStates(c, policy, booked, snap)
                    : archiveStates(policy, booked, lifecycles.getOrDefault(policy.table(), List.of()), snap);
            MaintenancePlan plan = MaintenancePlanner.plan(snap, policy, now, archived);
            listener.planned(policy.table(), plan);
            if (!plan.actions().isEmpty()) {
                return new TableSurvey(table, plan, null, null);
            }
            return new TableSurvey(table, plan, LayoutVerifier.verify(snap, policy, now), null);
        } catch (PolicyException | CatalogConflictException | LockBusyException | PrivilegeException e) {
            // one table's refusal must not hide the other tables' plans; LockBusy cannot come from reads
            ApplicationFailure f = Refusals.failure(e);
            listener.actionFailed(policy.table(), "survey", f.getType());
            return new TableSurvey(table, null, null, f.getOriginalMessage());
        } catch (SQLException e) {
            if (!Privileges.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw e;
            }
            listener.actionFailed(policy.table(), "survey", Failures.INSUFFICIENT_PRIVILEGE);
            return new TableSurvey(table, null, null, Privileges.explain("plan " + table, e, missingGrants(policy)));
        }
    }

    /** Detached partitions of the table and how far each got in the archive chain. */
    private List<ArchiveState> archiveStates(Connection c, TablePolicy policy, boolean booked, CatalogSnapshot snap)
            throws SQLException {
        if (policy.retentionAction() == RetentionAction.DETACH_ONLY || !booked) {
            return List.of();
        }
        return archiveStates(policy, booked, books.forParent(c, policy.table()), snap);
    }

    /**
     * {@link #archiveStates(Connection, TablePolicy, boolean, CatalogSnapshot)} on lifecycle rows already read;
     * {@code snap} gives the key type the upper bounds are read in (for {@code archive_retention}).
     */
    private static List<ArchiveState> archiveStates(
            TablePolicy policy, boolean booked, List<Bookkeeping.Lifecycle> lifecycles, CatalogSnapshot snap) {
        if (policy.retentionAction() == RetentionAction.DETACH_ONLY || !booked) {
            return List.of();
        }
        KeyType type = null;
        if (policy.archiveRetention() != null) {
            try {
                type = MaintenancePlanner.keyed(snap, policy).keyType();
            } catch (IllegalArgumentException e) {
                // the planner refuses the same key_encoding, naming it; no archive expires meanwhile
            }
        }
        List<ArchiveState> out = new ArrayList<>();
        for (Bookkeeping.Lifecycle l : lifecycles) {
            if (l.detachedAt() == null) {
                continue;
            }
            out.add(new ArchiveState(
                    l.partition(),
                    l.rangeFrom(),
                    l.rangeTo(),
                    l.exportedAt() != null,
                    l.verifiedAt() != null,
                    l.dropAfter() == null ? 0 : l.dropAfter().toEpochMilli(),
                    l.droppedAt() != null,
                    l.archiveExpiredAt() != null,
                    type == null ? KeyAxis.MAX : upperAxis(l.rangeTo(), type)));
        }
        return out;
    }

    /** An upper bound as the bookkeeping keeps it, on the key's axis; {@link KeyAxis#MAX} when it is not a time. */
    public static long upperAxis(String rangeTo, KeyType type) {
        if (rangeTo == null || !type.isTimed()) {
            return KeyAxis.MAX;
        }
        try {
            return KeyAxis.parseBound(rangeTo, type);
        } catch (IllegalArgumentException | ArithmeticException e) {
            return KeyAxis.MAX;
        }
    }

    /**
     * Refuses to plan when the workflow's clock and the database's disagree by more than
     * {@link #MAX_CLOCK_SKEW_MILLIS}: retention is computed from "now", and a wrong "now" would detach live
     * partitions (a time-skipping test server, a broken NTP).
     */
    private static void checkClock(Connection c, long nowMillis) throws SQLException {
        long dbMillis = Sql.queryLong(c, "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint");
        long skew = Math.abs(dbMillis - nowMillis);
        if (skew > MAX_CLOCK_SKEW_MILLIS) {
            throw new PolicyException("the workflow's clock (" + Instant.ofEpochMilli(nowMillis)
                    + ") and PostgreSQL's ("
                    + Instant.ofEpochMilli(dbMillis) + ") differ by " + skew / 60_000 + " minutes; refusing to plan"
                    + " retention on a wrong clock. Check NTP on the Temporal and database hosts (a time-skipping test"
                    + " server causes this too)");
        }
    }

    @Override
    public ActionResult finalizeDetach(TablePolicy policy, PlannedAction.FinalizeDetach action) {
        return action(policy, "finalize_detach", action.partition(), c -> {
            CatalogReader.Parent parent = CatalogReader.parent(c, policy.table());
            requireGrants(c, policy, action.partition());
            TableName part = PartitionCatalog.childNamed(c, parent, action.partition());
            if (part == null) {
                part = new TableName(policy.table().schema(), action.partition());
            }
            books.ensure(c);
            long partOid = CatalogReader.oid(c, part);
            String[] exact = partOid == 0 ? null : PartitionCatalog.boundsOf(c, partOid);
            String from = exact != null ? exact[0] : action.from();
            String to = exact != null ? exact[1] : action.to();
            books.recordIntent(c, policy.table(), action.partition(), from, to);
            int n = ddl.finalizeDetach(c, parent, part, progress());
            long oid = CatalogReader.oid(c, part);
            if (oid != 0 && CatalogReader.parentOf(c, oid) == 0) {
                // Finish the interrupted detach as detachPartition would: the planner no longer sees a detached
                // table, so left here it would stay in the parent's schema, unrecorded, never archived.
                books.ensure(c);
                ActionResult moved = ddl.detach(c, parent, action.partition(), from, to, books, progress());
                return new ActionResult(
                        action.summary(), ActionResult.DONE, moved.rowsMoved(), moved.attempts(), moved.detail());
            }
            return new ActionResult(action.summary(), n == 0 ? ActionResult.ALREADY_DONE : ActionResult.DONE, 0, n, "");
        });
    }

    @Override
    public ActionResult createPartition(TablePolicy policy, PlannedAction.CreatePartition action) {
        return action(
                policy,
                "create",
                action.partition(),
                c -> ddl.create(
                        c,
                        CatalogReader.parent(c, policy.table()),
                        action.partition(),
                        action.from(),
                        action.to(),
                        progress()));
    }

    @Override
    public ActionResult createDefaultPartition(TablePolicy policy, PlannedAction.CreateDefaultPartition action) {
        return action(
                policy,
                "create_default",
                action.partition(),
                c -> ddl.createDefault(c, CatalogReader.parent(c, policy.table()), action.partition(), progress()));
    }

    @Override
    public ActionResult detachPartition(TablePolicy policy, PlannedAction.DetachPartition action) {
        return action(policy, "detach", action.partition(), c -> {
            requireGrants(c, policy, action.partition());
            books.ensure(c);
            return ddl.detach(
                    c,
                    CatalogReader.parent(c, policy.table()),
                    action.partition(),
                    action.fromText(),
                    action.toText(),
                    books,
                    progress());
        });
    }

    @Override
    public TableDdlResult applyDdl(TableDdl table, long nowMillis) {
        return DdlBatch.run(this, table, nowMillis);
    }

    @Override
    public LayoutReport verifyLayout(TablePolicy policy, long nowMillis) {
        return call(policy, "verify_layout", null, c -> {
            LayoutReport r = LayoutVerifier.verify(
                    KeyStatsReader.withStats(c, CatalogReader.read(c, policy.table()), policy),
                    policy,
                    Instant.ofEpochMilli(nowMillis));
            listener.layoutChecked(policy.table(), r);
            return r;
        });
    }

    private interface Body<T> {
        T run(Connection c) throws SQLException;
    }

    private ActionResult action(TablePolicy policy, String step, String partition, Body<ActionResult> body) {
        long t0 = System.nanoTime();
        ActionResult r = call(policy, step, partition, c -> {
            // first, so a role that cannot write the bookkeeping is refused before any DDL, not after it
            books.ensure(c);
            ActionResult res = body.run(c);
            var info = activityInfo();
            books.log(
                    c, policy.table(), partition, step, res.outcome(), res.rowsMoved(), res.detail(), info[0], info[1]);
            return res;
        });
        listener.actionDone(policy.table(), step, r, (System.nanoTime() - t0) / 1_000_000);
        log.info("{} {}: {} ({} attempt(s)) {}", step, partition, r.outcome(), r.attempts(), r.detail());
        return r;
    }

    private <T> T call(TablePolicy policy, String step, String partition, Body<T> body) {
        TableName table = policy.table();
        MDC.put("table", table.toString());
        MDC.put("step", step);
        if (partition != null) {
            MDC.put("partition", partition);
        }
        try (Connection c = dataSource.getConnection()) {
            return body.run(c);
        } catch (PolicyException | CatalogConflictException | LockBusyException | PrivilegeException e) {
            ApplicationFailure f = Refusals.failure(e);
            listener.actionFailed(table, step, f.getType());
            throw f;
        } catch (SQLException e) {
            if (Privileges.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                listener.actionFailed(table, step, Failures.INSUFFICIENT_PRIVILEGE);
                // a grant does not appear by retrying: say which one is missing and stop
                throw ApplicationFailure.newNonRetryableFailure(
                        Privileges.explain(
                                step + " " + table + (partition == null ? "" : " " + partition),
                                e,
                                missingGrants(policy)),
                        Failures.INSUFFICIENT_PRIVILEGE);
            }
            listener.actionFailed(table, step, "SQLState " + e.getSQLState());
            // Retryable: connection loss, a restart, serialization trouble. The message says what PostgreSQL said.
            throw ApplicationFailure.newFailure(
                    step + " " + table + (partition == null ? "" : " " + partition) + " failed: " + e.getMessage()
                            + " (SQLState " + e.getSQLState() + ")",
                    Failures.SQL_EXCEPTION);
        } finally {
            MDC.remove("table");
            MDC.remove("step");
            MDC.remove("partition");
        }
    }

    /** The grants the role lacks for this table, read on a fresh connection (the refused one may be aborted). */
    private List<Privileges.Missing> missingGrants(TablePolicy policy) {
        try (Connection c = dataSource.getConnection()) {
            return Privileges.missing(
                    c, policy.table(), policy.retention() == null ? null : archiveSchema, books.schema());
        } catch (SQLException e) {
            log.warn("could not read the role's privileges: {}", e.getMessage());
            return List.of();
        }
    }

    /**
     * Refuses a detach the role could not finish: a partition detached but not movable into the archive
     * schema would sit in the table's schema until someone grants what is missing.
     */
    private void requireGrants(Connection c, TablePolicy policy, String partition) throws SQLException {
        List<Privileges.Missing> missing = Privileges.missing(c, policy.table(), archiveSchema, books.schema());
        if (!missing.isEmpty()) {
            throw new PrivilegeException("refusing to detach " + partition + " of " + policy.table() + ": "
                    + missing.stream().map(Privileges.Missing::toString).collect(Collectors.joining("; and ")));
        }
    }

    private static LockGate.Progress progress() {
        ActivityExecutionContext ctx = context();
        if (ctx == null) {
            return blocker -> {};
        }
        return blocker -> ctx.heartbeat("waiting outside the lock queue for " + blocker);
    }

    private static String[] activityInfo() {
        ActivityExecutionContext ctx = context();
        if (ctx == null) {
            return new String[] {null, null};
        }
        return new String[] {ctx.getInfo().getWorkflowId(), ctx.getInfo().getActivityId()};
    }

    /** The running activity's context, or null when called outside an activity (tests, the CLI's plan command). */
    public static ActivityExecutionContext context() {
        try {
            return Activity.getExecutionContext();
        } catch (IllegalStateException | NullPointerException e) {
            return null;
        }
    }
}

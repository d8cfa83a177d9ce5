package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.activities;
import static dev.partitionkeeper.activities.postgres.PgFixtures.bound;
import static dev.partitionkeeper.activities.postgres.PgFixtures.count;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createAction;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createDefault;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createMonths;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createParent;
import static dev.partitionkeeper.activities.postgres.PgFixtures.defaultName;
import static dev.partitionkeeper.activities.postgres.PgFixtures.exists;
import static dev.partitionkeeper.activities.postgres.PgFixtures.failure;
import static dev.partitionkeeper.activities.postgres.PgFixtures.insertRows;
import static dev.partitionkeeper.activities.postgres.PgFixtures.partitionCount;
import static dev.partitionkeeper.activities.postgres.PgFixtures.queryString;
import static dev.partitionkeeper.activities.postgres.PgFixtures.queryStrings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.failure.ApplicationFailure;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Creating partitions: exact bounds, the parent's indexes, rows moved out of the default, every re-run. */
@Tag("postgres")
@Timeout(60)
class PartitionDdlTest {
    private static final TableName EVENTS = new TableName("public", "events");
    private static final YearMonth JAN = YearMonth.of(2030, 1);
    private static final YearMonth FEB = YearMonth.of(2030, 2);
    private static final TableName FEB_PART = new TableName("public", "events_p2030_02");

    private String url;
    private HikariDataSource ds;
    private PostgresPartitionActivitiesImpl acts;

    private void setUp(String hint, String keyType, boolean withDefault) {
        url = PgTestSupport.newDatabase(hint);
        createParent(url, EVENTS, keyType);
        createMonths(url, EVENTS, keyType, JAN, JAN);
        if (withDefault) {
            createDefault(url, EVENTS);
        }
        ds = PgDataSources.create(url, null, null, 4);
        acts = activities(ds, PgFixtures.FAST);
    }

    @AfterEach
    void closePool() {
        if (ds != null) {
            ds.close();
        }
    }

    private TablePolicy policy() {
        return PgFixtures.policy(EVENTS, 3, null, DefaultPartitionMode.KEEP);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "timestamptz | FOR VALUES FROM ('2030-02-01 00:00:00+00') TO ('2030-03-01 00:00:00+00')",
                "timestamp   | FOR VALUES FROM ('2030-02-01 00:00:00') TO ('2030-03-01 00:00:00')",
                "date        | FOR VALUES FROM ('2030-02-01') TO ('2030-03-01')",
            })
    void createAttachesWithExactBoundsAndTheParentsIndexesAndLeavesNoHelper(String keyType, String expectedBound) {
        setUp("create_" + keyType, keyType, false);

        ActionResult r = acts.createPartition(policy(), createAction(EVENTS, FEB));

        assertEquals(ActionResult.DONE, r.outcome(), r.toString());
        assertEquals(0, r.rowsMoved());
        assertEquals("events", PgFixtures.parentOf(url, FEB_PART));
        assertEquals(expectedBound, bound(url, FEB_PART));
        assertNoHelperLeft(FEB_PART);
        // every index of the parent (the primary key and the payload index) is attached on the new partition
        assertEquals(
                2, PgTestSupport.queryLong(url, "SELECT count(*) FROM pg_index WHERE indrelid = 'events'::regclass"));
        assertEquals(
                2,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM pg_index i JOIN pg_inherits h"
                                + " ON h.inhrelid = i.indexrelid WHERE i.indrelid = 'events_p2030_02'::regclass"
                                + " AND h.inhparent IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'events'::regclass)"));
        assertEquals(
                2,
                PgTestSupport.queryLong(
                        url, "SELECT count(*) FROM pg_index WHERE indrelid = 'events_p2030_02'::regclass"),
                "no duplicate index was created");
        assertEquals(
                1,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM pg_constraint"
                                + " WHERE conrelid = 'events_p2030_02'::regclass AND contype = 'p'"));
        // rows route to it
        insertRows(url, EVENTS, "2030-02-14");
        assertEquals(1, count(url, FEB_PART.quoted()));

        ActionResult again = acts.createPartition(policy(), createAction(EVENTS, FEB));
        assertEquals(ActionResult.ALREADY_DONE, again.outcome());
        assertEquals(2, partitionCount(url, EVENTS));
    }

    @Test
    void rowsParkedInTheDefaultInsideTheNewRangeMoveAndTheRestStay() {
        setUp("create_move", "timestamptz", true);
        TableName def = new TableName("public", defaultName(EVENTS));
        insertRows(
                url,
                EVENTS,
                "2030-02-01 00:00:00+00",
                "2030-02-14 12:00:00+00",
                "2030-02-28 23:59:59.999999+00", // inside February
                "2030-01-31 23:00:00-05", // February 1st 04:00 UTC: inside too
                "2030-03-01 00:00:00+00",
                "2030-04-02 00:00:00+00",
                "2029-12-31 23:59:59+00", // outside: stay
                "2030-01-15 00:00:00+00"); // January's partition
        List<String> febIds = queryStrings(
                url,
                "SELECT id FROM events_default"
                        + " WHERE created_at >= '2030-02-01 00:00:00+00' AND created_at < '2030-03-01 00:00:00+00' ORDER BY id");
        assertEquals(4, febIds.size());

        ActionResult r = acts.createPartition(policy(), createAction(EVENTS, FEB));

        assertEquals(ActionResult.DONE, r.outcome());
        // three transactions (create, move + attach, drop the helper CHECK), no lock_timeout: one try
        assertEquals(1, r.attempts(), "attempts count tries, not the lock gate's transactions");
        assertEquals(4, r.rowsMoved());
        assertTrue(r.detail().contains("moved 4 rows from public.events_default"), r.detail());
        assertEquals(
                febIds, queryStrings(url, "SELECT id FROM events_p2030_02 ORDER BY id"), "the same rows, ids kept");
        assertEquals(3, count(url, def.quoted()));
        assertEquals(
                0,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM events_default"
                                + " WHERE created_at >= '2030-02-01 00:00:00+00' AND created_at < '2030-03-01 00:00:00+00'"));
        assertEquals(8, count(url, EVENTS.quoted()));
        assertNoHelperLeft(FEB_PART);

        ActionResult again = acts.createPartition(policy(), createAction(EVENTS, FEB));
        assertEquals(ActionResult.ALREADY_DONE, again.outcome());
        assertEquals(0, again.attempts(), "nothing was left to try");
        assertEquals(0, again.rowsMoved());
    }

    @Test
    void aTableWeCreatedButDidNotAttachIsAdoptedAndAttached() {
        setUp("create_adopt", "timestamptz", true);
        insertRows(url, EVENTS, "2030-02-10 00:00:00+00", "2030-05-01 00:00:00+00");
        // what the first transaction of create() leaves when the worker dies right after it
        PgTestSupport.exec(
                url,
                "CREATE TABLE events_p2030_02 (LIKE events INCLUDING ALL EXCLUDING IDENTITY)",
                "ALTER TABLE events_p2030_02 ADD CONSTRAINT " + PartitionDdl.BOUND_CHECK
                        + " CHECK (created_at IS NOT NULL"
                        + " AND created_at >= '2030-02-01 00:00:00+00' AND created_at < '2030-03-01 00:00:00+00')",
                "COMMENT ON TABLE events_p2030_02 IS '" + PartitionDdl.PENDING_COMMENT_PREFIX
                        + "public.events FOR VALUES FROM (''2030-02-01 00:00:00+00'') TO (''2030-03-01 00:00:00+00'')'");

        ActionResult r = acts.createPartition(policy(), createAction(EVENTS, FEB));

        assertEquals(ActionResult.DONE, r.outcome());
        assertEquals(1, r.rowsMoved());
        assertEquals("events", PgFixtures.parentOf(url, FEB_PART));
        assertEquals(1, count(url, FEB_PART.quoted()));
        assertNoHelperLeft(FEB_PART);
    }

    @Test
    void anAttachedPartitionWhoseHelperCheckSurvivedIsFinished() {
        setUp("create_check_left", "timestamptz", false);
        // the worker died after the ATTACH committed and before the helper CHECK was dropped
        PgTestSupport.exec(
                url,
                "CREATE TABLE events_p2030_02 (LIKE events INCLUDING ALL EXCLUDING IDENTITY)",
                "ALTER TABLE events_p2030_02 ADD CONSTRAINT " + PartitionDdl.BOUND_CHECK
                        + " CHECK (created_at IS NOT NULL"
                        + " AND created_at >= '2030-02-01 00:00:00+00' AND created_at < '2030-03-01 00:00:00+00')",
                "ALTER TABLE events ATTACH PARTITION events_p2030_02"
                        + " FOR VALUES FROM ('2030-02-01 00:00:00+00') TO ('2030-03-01 00:00:00+00')");

        ActionResult r = acts.createPartition(policy(), createAction(EVENTS, FEB));

        assertEquals(ActionResult.ALREADY_DONE, r.outcome());
        assertNoHelperLeft(FEB_PART);
    }

    @Test
    void aForeignTableOfTheSameNameIsACatalogConflictAndNothingChanges() {
        setUp("create_foreign", "timestamptz", true);
        insertRows(url, EVENTS, "2030-02-10 00:00:00+00");
        PgTestSupport.exec(
                url, "CREATE TABLE events_p2030_02 (note text)", "INSERT INTO events_p2030_02 VALUES ('mine')");

        ApplicationFailure f = failure(() -> acts.createPartition(policy(), createAction(EVENTS, FEB)));

        assertEquals(Failures.CATALOG_CONFLICT, f.getType());
        assertTrue(f.isNonRetryable());
        assertTrue(
                f.getOriginalMessage()
                        .contains("table public.events_p2030_02 exists but is not a partition of"
                                + " public.events and was not created by partition-keeper"),
                f.getOriginalMessage());
        assertTrue(f.getOriginalMessage().contains("ATTACH PARTITION"), "says how to attach it by hand");
        assertNull(PgFixtures.parentOf(url, FEB_PART));
        assertEquals("mine", queryString(url, "SELECT note FROM events_p2030_02"));
        assertEquals(2, partitionCount(url, EVENTS));
        assertEquals(1, count(url, "events_default"), "the parked row stays in the default partition");
    }

    @Test
    void aPartitionOfAnotherTableIsACatalogConflict() {
        setUp("create_other_parent", "timestamptz", false);
        TableName other = new TableName("public", "other");
        createParent(url, other, "timestamptz");
        PgTestSupport.exec(
                url,
                "CREATE TABLE events_p2030_02 PARTITION OF other"
                        + " FOR VALUES FROM ('2030-02-01 00:00:00+00') TO ('2030-03-01 00:00:00+00')");

        ApplicationFailure f = failure(() -> acts.createPartition(policy(), createAction(EVENTS, FEB)));

        assertEquals(Failures.CATALOG_CONFLICT, f.getType());
        assertTrue(f.getOriginalMessage().contains("already a partition of another table"), f.getOriginalMessage());
        assertEquals("other", PgFixtures.parentOf(url, FEB_PART));
    }

    @Test
    void aPartitionOfTheSameNameWithOtherBoundsIsACatalogConflictNotAlreadyDone() {
        setUp("create_other_bounds", "timestamptz", false);
        PgTestSupport.exec(
                url,
                "CREATE TABLE events_p2030_02 PARTITION OF events"
                        + " FOR VALUES FROM ('2030-02-01 00:00:00+00') TO ('2030-02-15 00:00:00+00')");

        ApplicationFailure f = failure(() -> acts.createPartition(policy(), createAction(EVENTS, FEB)));

        assertEquals(Failures.CATALOG_CONFLICT, f.getType());
        assertTrue(
                f.getOriginalMessage()
                        .startsWith("partition public.events_p2030_02 of public.events exists with bounds"
                                + " FROM (2030-02-01 00:00:00+00) TO (2030-02-15 00:00:00+00), not FROM"),
                f.getOriginalMessage());
    }

    @Test
    void aParentWithAnIdentityColumnGetsPartitionsThatTakeRows() {
        url = PgTestSupport.newDatabase("create_identity");
        PgTestSupport.exec(
                url,
                "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, created_at timestamptz NOT NULL,"
                        + " PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)");
        ds = PgDataSources.create(url, null, null, 4);
        acts = activities(ds, PgFixtures.FAST);

        assertEquals(
                ActionResult.DONE,
                acts.createPartition(policy(), createAction(EVENTS, FEB)).outcome());

        PgTestSupport.exec(url, "INSERT INTO events (created_at) VALUES ('2030-02-03 00:00:00+00')");
        assertEquals(1, count(url, FEB_PART.quoted()));
    }

    @Test
    void createDefaultPartitionIsIdempotentAndRefusesATakenName() {
        setUp("create_default", "timestamptz", false);
        TablePolicy p = PgFixtures.policy(EVENTS, 3, null, DefaultPartitionMode.CREATE);
        var action = new PlannedAction.CreateDefaultPartition("events_default");

        assertEquals(ActionResult.DONE, acts.createDefaultPartition(p, action).outcome());
        assertEquals("DEFAULT", bound(url, new TableName("public", "events_default")));
        ActionResult again = acts.createDefaultPartition(p, action);
        assertEquals(ActionResult.ALREADY_DONE, again.outcome());
        assertEquals("default partition is public.events_default", again.detail());

        TableName other = new TableName("public", "other");
        createParent(url, other, "timestamptz");
        PgTestSupport.exec(url, "CREATE TABLE other_default (x int)");
        ApplicationFailure f = failure(() -> acts.createDefaultPartition(
                PgFixtures.policy(other, 3, null, DefaultPartitionMode.CREATE),
                new PlannedAction.CreateDefaultPartition("other_default")));
        assertEquals(Failures.CATALOG_CONFLICT, f.getType());
        assertTrue(exists(url, new TableName("public", "other_default")));
    }

    private void assertNoHelperLeft(TableName part) {
        assertEquals(
                0,
                PgTestSupport.queryLong(
                        url,
                        "SELECT count(*) FROM pg_constraint WHERE conrelid = to_regclass(" + Sql.literal(part.quoted())
                                + ") AND conname = " + Sql.literal(PartitionDdl.BOUND_CHECK)));
        assertNull(
                queryString(url, "SELECT obj_description(to_regclass(" + Sql.literal(part.quoted()) + "), 'pg_class')"),
                "pending-attach comment removed");
    }
}

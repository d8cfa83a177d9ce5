package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.activities;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createMonths;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createParent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.postgres.bookkeeping.Bookkeeping;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.TableSurvey;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The survey: every table of the database planned in one activity, a table's refusal kept to that table. */
@Tag("postgres")
@Timeout(60)
class SurveyTest {
    private static final Instant NOW_INSTANT = Instant.now();
    private static final long NOW = NOW_INSTANT.toEpochMilli();
    private static final YearMonth CURRENT = PgFixtures.monthOf(NOW_INSTANT);
    private static final TableName EVENTS = new TableName("public", "events");
    private static final TableName READY = new TableName("public", "ready");
    private static final TableName PLAIN = new TableName("public", "plain");

    private HikariDataSource ds;

    @AfterEach
    void close() {
        if (ds != null) {
            ds.close();
        }
    }

    @Test
    void plansEveryTableChecksTheIdleOnesAndReportsARefusalPerTable() {
        String url = PgTestSupport.newDatabase("survey");
        createParent(url, EVENTS, "timestamptz");
        createMonths(url, EVENTS, "timestamptz", CURRENT, CURRENT);
        createParent(url, READY, "timestamptz");
        createMonths(url, READY, "timestamptz", CURRENT.minusMonths(1), CURRENT.plusMonths(1));
        PgTestSupport.exec(url, "CREATE TABLE public.plain (id int)");
        ds = PgDataSources.create(url, null, null, 2);
        PostgresPartitionActivitiesImpl acts = activities(ds, PgFixtures.FAST);
        TablePolicy events = PgFixtures.policy(EVENTS, 1, "1 month", DefaultPartitionMode.NONE);
        TablePolicy ready = PgFixtures.policy(READY, 1, null, DefaultPartitionMode.NONE);
        TablePolicy plain = PgFixtures.policy(PLAIN, 1, null, DefaultPartitionMode.NONE);

        List<TableSurvey> s = acts.survey(List.of(events, ready, plain), NOW);

        assertEquals(
                List.of("public.events", "public.ready", "public.plain"),
                s.stream().map(TableSurvey::table).toList());
        assertTrue(s.get(0).hasWork(), s.get(0)::toString);
        assertEquals(acts.plan(events, NOW).actions(), s.get(0).plan().actions(), "the same plan as plan()");
        assertNull(s.get(0).layout(), "a table with actions is checked after them, by its own workflow");
        assertTrue(!s.get(1).hasWork() && s.get(1).error() == null, s.get(1)::toString);
        assertNotNull(s.get(1).layout(), "checked on the survey's catalog read");
        assertEquals(acts.verifyLayout(ready, NOW), s.get(1).layout());
        assertNull(s.get(2).plan());
        assertTrue(s.get(2).error().contains("plain"), s.get(2).error());
    }

    @Test
    void theBatchedSurveyPlansEachTableAsPlanDoesOnAVariedCatalogWithBookkeeping() throws Exception {
        String url = PgTestSupport.newDatabase("survey_batch");
        TableName billing = new TableName("My Schema", "Billing Events");
        TableName archived = new TableName("public", "archived");
        TableName days = new TableName("public", "days");
        TableName pending = new TableName("public", "pending");
        createParent(url, EVENTS, "timestamptz");
        createMonths(url, EVENTS, "timestamptz", CURRENT, CURRENT);
        createParent(url, READY, "timestamptz");
        createMonths(url, READY, "timestamptz", CURRENT.minusMonths(1), CURRENT.plusMonths(1));
        createParent(url, billing, "timestamptz");
        createMonths(url, billing, "timestamptz", CURRENT.minusMonths(3), CURRENT.plusMonths(2));
        PgFixtures.createDefault(url, billing);
        PgFixtures.insertRows(url, billing, CURRENT.plusMonths(5).atDay(2) + " 00:00:00+00");
        createParent(url, archived, "timestamptz");
        createMonths(url, archived, "timestamptz", CURRENT.minusMonths(4), CURRENT.plusMonths(1));
        createParent(url, days, "date");
        createMonths(url, days, "date", CURRENT.minusMonths(1), CURRENT.plusMonths(1));
        PgFixtures.createDefault(url, days);
        createParent(url, pending, "timestamptz");
        createMonths(url, pending, "timestamptz", CURRENT.minusMonths(2), CURRENT.plusMonths(1));
        PgFixtures.makeDetachPending(url, pending, PgFixtures.monthName(pending, CURRENT.minusMonths(2)));
        PgTestSupport.exec(url, "CREATE TABLE public.plain (id int)");
        ds = PgDataSources.create(url, null, null, 2);
        PostgresPartitionActivitiesImpl acts = activities(ds, PgFixtures.FAST);
        // lifecycle rows: two partitions of "archived" detached earlier (one exported), and one of "Billing Events"
        Bookkeeping books = new Bookkeeping(PgFixtures.BOOKS);
        try (Connection c = ds.getConnection()) {
            books.ensure(c);
            books.recordDetached(c, archived, "archived_old1", "2020-01-01", "2020-02-01", "archive", 10);
            books.recordDetached(c, archived, "archived_old2", "2020-02-01", "2020-03-01", "archive", 20);
            books.update(c, archived, "archived_old2", "exported_at = now()");
            books.recordDetached(c, billing, "Billing Events_old", "2020-01-01", "2020-02-01", "archive", 5);
            books.recordIntent(c, billing, "Billing Events_intent", "2020-02-01", "2020-03-01");
        }
        List<TablePolicy> policies = List.of(
                PgFixtures.policy(EVENTS, 1, "1 month", DefaultPartitionMode.NONE),
                archive(PgFixtures.policy(billing, 2, "2 months", DefaultPartitionMode.KEEP)),
                PgFixtures.policy(PLAIN, 1, null, DefaultPartitionMode.NONE),
                archive(PgFixtures.policy(archived, 1, "2 months", DefaultPartitionMode.NONE)),
                PgFixtures.policy(READY, 1, null, DefaultPartitionMode.NONE),
                PgFixtures.policy(new TableName("public", "missing"), 1, null, DefaultPartitionMode.NONE),
                PgFixtures.policy(days, 1, null, DefaultPartitionMode.KEEP),
                archive(PgFixtures.policy(pending, 1, "1 month", DefaultPartitionMode.NONE)));

        List<TableSurvey> s = acts.survey(policies, NOW);

        assertEquals(policies.size(), s.size());
        int refused = 0;
        for (int i = 0; i < policies.size(); i++) {
            TablePolicy p = policies.get(i);
            TableSurvey got = s.get(i);
            assertEquals(p.table().toString(), got.table());
            MaintenancePlan plan;
            try {
                plan = acts.plan(p, NOW);
            } catch (ApplicationFailure f) {
                refused++;
                assertNull(got.plan(), got::toString);
                assertEquals(f.getOriginalMessage(), got.error());
                continue;
            }
            assertNull(got.error(), got::toString);
            assertEquals(plan, got.plan(), p.table()::toString);
            if (plan.actions().isEmpty()) {
                assertEquals(acts.verifyLayout(p, NOW), got.layout(), p.table()::toString);
            } else {
                assertNull(got.layout());
            }
        }
        assertEquals(2, refused, "plain and missing");
        assertTrue(s.get(3).hasWork(), "the lifecycle rows of archived are planned on: " + s.get(3));
    }

    private static TablePolicy archive(TablePolicy p) {
        return p.withRetentionAction(RetentionAction.ARCHIVE);
    }
}

package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.activities;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createMonths;
import static dev.partitionkeeper.activities.postgres.PgFixtures.createParent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.TableSurvey;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
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
}

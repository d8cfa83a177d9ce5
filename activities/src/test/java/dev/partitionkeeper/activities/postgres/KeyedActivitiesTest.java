package dev.partitionkeeper.activities.postgres;

import static dev.partitionkeeper.activities.postgres.PgFixtures.activities;
import static dev.partitionkeeper.activities.postgres.PgFixtures.runPlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.activity.TableSurvey;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import dev.partitionkeeper.workflows.plan.MaintenancePlan;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Integer and UUIDv7 keys through the activities: rows parked in the default partition move, the survey plans. */
@Tag("postgres")
@Timeout(60)
class KeyedActivitiesTest {
    static final TableName ORDERS = new TableName("public", "orders");
    static final TableName EVENTS = new TableName("public", "events");

    private HikariDataSource ds;

    @AfterEach
    void closePool() {
        if (ds != null) {
            ds.close();
        }
    }

    static List<String> created(MaintenancePlan plan) {
        return plan.actions().stream()
                .filter(a -> a instanceof PlannedAction.CreatePartition)
                .map(a -> ((PlannedAction.CreatePartition) a).partition())
                .toList();
    }

    @Test
    void idsParkedInTheDefaultPartitionMoveIntoNewPartitionsAndTheRunwayFollowsThem() {
        String url = PgTestSupport.newDatabase("keyed_ids");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.orders (id bigint NOT NULL, note text) PARTITION BY RANGE (id)",
                "CREATE INDEX ON public.orders (id)",
                "CREATE TABLE public.orders_default PARTITION OF public.orders DEFAULT",
                "INSERT INTO public.orders SELECT g, 'n' FROM generate_series(0, 2499) g");
        ds = PgDataSources.create(url, null, null, 4);
        PostgresPartitionActivitiesImpl acts = activities(ds, PgFixtures.FAST);
        TablePolicy policy =
                TablePolicy.of(ORDERS, PartitionInterval.steps(1000)).withPremake(2);
        long now = Instant.now().toEpochMilli();

        MaintenancePlan first = acts.plan(policy, now);
        // nothing in partitions yet: counted from the smallest parked id
        assertEquals(List.of("orders_p0", "orders_p1000", "orders_p2000"), created(first));
        runPlan(acts, policy, first);
        assertEquals(0, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.orders_default"));
        assertEquals(500, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.orders_p2000"));

        // the largest id, 2499, is in orders_p2000 now: two more after it
        TableSurvey survey = acts.survey(List.of(policy), now).get(0);
        assertEquals(List.of("orders_p3000", "orders_p4000"), created(survey.plan()));
        runPlan(acts, policy, survey.plan());
        LayoutReport layout = acts.verifyLayout(policy, now);
        assertTrue(layout.ok(), layout.problems()::toString);
        assertEquals(2, layout.runwayPartitions());
        assertEquals("5000", layout.runwayEnd());
        assertEquals(List.of(), acts.plan(policy, now).actions());
    }

    @Test
    void uuidv7RowsParkedInTheDefaultPartitionMoveIntoTheirHour() {
        String url = PgTestSupport.newDatabase("keyed_uuid");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        long ms = hour.toEpochMilli() + 60_000;
        String v7 = String.format("%08x-%04x-7abc-8def-0123456789ab", ms >>> 16, ms & 0xffff);
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.events (id uuid NOT NULL) PARTITION BY RANGE (id)",
                "CREATE TABLE public.events_default PARTITION OF public.events DEFAULT",
                "INSERT INTO public.events VALUES ('" + v7 + "')");
        ds = PgDataSources.create(url, null, null, 4);
        PostgresPartitionActivitiesImpl acts = activities(ds, PgFixtures.FAST);
        TablePolicy policy =
                TablePolicy.of(EVENTS, PartitionInterval.parse("1 hour")).withPremake(1);

        MaintenancePlan plan = acts.plan(policy, Instant.now().toEpochMilli());
        runPlan(acts, policy, plan);

        String current = created(plan).get(0);
        assertEquals(
                1, PgTestSupport.queryLong(url, "SELECT count(*) FROM public." + current + " WHERE id = '" + v7 + "'"));
        assertEquals(0, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.events_default"));
    }

    @Test
    void theTopPartitionOfASmallintKeyEndsAtMaxvalue() {
        String url = PgTestSupport.newDatabase("keyed_top");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.orders (id smallint NOT NULL, note text) PARTITION BY RANGE (id)",
                "CREATE INDEX ON public.orders (id)",
                "CREATE TABLE public.orders_default PARTITION OF public.orders DEFAULT",
                "CREATE TABLE public.orders_p20000 PARTITION OF public.orders FOR VALUES FROM (20000) TO (30000)",
                "INSERT INTO public.orders VALUES (25000, 'n'), (32767, 'top')");
        ds = PgDataSources.create(url, null, null, 4);
        PostgresPartitionActivitiesImpl acts = activities(ds, PgFixtures.FAST);
        TablePolicy policy =
                TablePolicy.of(ORDERS, PartitionInterval.steps(10000)).withPremake(2);
        long now = Instant.now().toEpochMilli();

        MaintenancePlan plan = acts.plan(policy, now);
        assertEquals(List.of("orders_p30000"), created(plan));
        runPlan(acts, policy, plan);
        // the row parked at the type's largest value moved into the partition ending at MAXVALUE
        assertEquals(1, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.orders_p30000 WHERE id = 32767"));
        assertEquals(0, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.orders_default"));
        assertEquals(List.of(), acts.plan(policy, now).actions());
    }
}

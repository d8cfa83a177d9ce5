package dev.partitionkeeper.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.fleet.DatabasePools;
import dev.partitionkeeper.activities.fleet.DatabaseTarget;
import dev.partitionkeeper.activities.fleet.PoolLimits;
import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.TablePattern;
import dev.partitionkeeper.workflows.model.TablePolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The database-backed gauges over a fleet: each database's tables read through its pool (a pattern entry matched
 * there), labelled with the database; a database that is down reads as unreadable, the others are read.
 */
@Tag("postgres")
class FleetGaugesTest {
    @Test
    void eachDatabasesTablesCarryTheirDatabaseAndADownDatabaseIsUnreadable() throws Exception {
        List<String> dbs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String url = PgTestSupport.newDatabase("fleetgauge");
            PgTestSupport.exec(
                    url,
                    "CREATE TABLE public.events (at timestamptz NOT NULL) PARTITION BY RANGE (at)",
                    "CREATE TABLE public.events_p1 PARTITION OF public.events FOR VALUES FROM ('2020-01-01') TO"
                            + " ('2020-01-02')");
            dbs.add(url.substring(url.lastIndexOf('/') + 1, url.indexOf('?') < 0 ? url.length() : url.indexOf('?')));
        }
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MaintenanceMetrics m = new MaintenanceMetrics(r);
        TablePolicy events = TablePolicy.of(TablePattern.parse("public.ev*"), PartitionInterval.DAILY);
        List<TablePolicy> policy = List.of(events.withDatabase(dbs.get(0)), events.withDatabase(dbs.get(1)));
        PoolLimits limits = new PoolLimits(2, 4, 2, Duration.ofSeconds(5), Duration.ofSeconds(1));
        try (DatabasePools pools = new DatabasePools(
                        db -> new DatabaseTarget(
                                db, PgTestSupport.withDatabase(PgTestSupport.adminUrl(), db), null, null, "test"),
                        limits);
                DatabaseGauges g = new DatabaseGauges(
                        r,
                        null,
                        pools::dataSource,
                        new TableStateReader("partition_keeper"),
                        () -> policy,
                        MetricsSettings.defaults(),
                        Clock.systemUTC(),
                        p -> m.forDatabase(p.database()).register(p.table()))) {
            g.refresh();
            // the second database goes down: its table (as last matched) reads as unreadable, the first still reads
            PgTestSupport.exec(
                    PgTestSupport.adminUrl(),
                    "ALTER DATABASE \"" + dbs.get(1) + "\" ALLOW_CONNECTIONS false",
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + dbs.get(1) + "'");
            g.refresh();
        } finally {
            PgTestSupport.exec(
                    PgTestSupport.adminUrl(), "ALTER DATABASE \"" + dbs.get(1) + "\" ALLOW_CONNECTIONS true");
        }
        String text = r.scrape();
        assertTrue(
                text.contains(
                        "partition_keeper_table_readable{database=\"" + dbs.get(0) + "\",table=\"public.events\"} 1.0"),
                text);
        assertTrue(
                text.contains(
                        "partition_keeper_runway_partitions{database=\"" + dbs.get(0) + "\",table=\"public.events\"}"),
                text);
        assertTrue(
                text.contains("partition_keeper_created_partitions_total{database=\"" + dbs.get(0)
                        + "\",table=\"public.events\"} 0.0"),
                () -> "the per-table counters registered at zero with the database: " + text);
        assertTrue(
                text.contains(
                        "partition_keeper_table_readable{database=\"" + dbs.get(1) + "\",table=\"public.events\"} 0.0"),
                text);
        assertTrue(!text.contains("table=\"public.ev*\""), "a pattern is no table of its own");
    }
}

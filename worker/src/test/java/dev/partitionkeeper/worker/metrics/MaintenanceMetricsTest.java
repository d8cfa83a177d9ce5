package dev.partitionkeeper.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaintenanceMetricsTest {
    private static final TableName T = new TableName("public", "transactions");

    private static PrometheusMeterRegistry registry() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.config().meterFilter(new TemporalMeterFilter());
        return r;
    }

    private static ActionResult done(long rows, String detail) {
        return new ActionResult("x", ActionResult.DONE, rows, 1, detail);
    }

    @Test
    void aFleetDatabasesStepsCarryTheDatabaseAsALabel() {
        PrometheusMeterRegistry r = registry();
        MaintenanceMetrics m = new MaintenanceMetrics(r);
        m.forDatabase("tenant_1").actionDone(T, "create", done(0, ""), 10);
        m.forDatabase("tenant_2").actionDone(T, "create", done(0, ""), 10);
        m.forDatabase("tenant_2").actionFailed(T, "detach", "LockBusy");
        String text = r.scrape();
        assertSample(
                text,
                "partition_keeper_created_partitions_total{database=\"tenant_1\",table=\"public.transactions\"} 1.0");
        assertSample(
                text,
                "partition_keeper_created_partitions_total{database=\"tenant_2\",table=\"public.transactions\"} 1.0");
        assertSample(
                text,
                "partition_keeper_step_failures_total{database=\"tenant_2\",step=\"detach\","
                        + "table=\"public.transactions\",type=\"LockBusy\"} 1.0");
    }

    @Test
    void countsEachStepOnceAndNotReRunsThatFoundItDone() {
        PrometheusMeterRegistry r = registry();
        MaintenanceMetrics m = new MaintenanceMetrics(r);
        m.actionDone(T, "create", done(3, "moved 3 rows from public.transactions_default"), 120);
        m.actionDone(T, "create", done(0, ""), 80);
        m.actionDone(T, "create", new ActionResult("x", ActionResult.ALREADY_DONE, 0, 0, ""), 5);
        m.actionDone(T, "detach", done(1000, "moved to partition_archive.transactions_p2024_01"), 300);
        m.actionDone(
                T,
                "export",
                done(1000, "s3://b/p/public/transactions/transactions_p2024_01/ 1 file(s), 52345 bytes"),
                900);
        m.actionDone(T, "verify", done(1000, ""), 400);
        m.actionDone(T, "drop", done(0, ""), 30);
        m.actionDone(T, "expire_archive", done(1000, "deleted archive"), 20);
        String text = r.scrape();
        assertSample(text, "partition_keeper_created_partitions_total{table=\"public.transactions\"} 2.0");
        assertSample(text, "partition_keeper_default_rows_moved_total{table=\"public.transactions\"} 3.0");
        assertSample(text, "partition_keeper_detached_partitions_total{table=\"public.transactions\"} 1.0");
        assertSample(text, "partition_keeper_exported_partitions_total{table=\"public.transactions\"} 1.0");
        assertSample(text, "partition_keeper_exported_rows_total{table=\"public.transactions\"} 1000.0");
        assertSample(text, "partition_keeper_exported_bytes_total{table=\"public.transactions\"} 52345.0");
        assertSample(text, "partition_keeper_verified_partitions_total{table=\"public.transactions\"} 1.0");
        assertSample(text, "partition_keeper_dropped_partitions_total{table=\"public.transactions\"} 1.0");
        assertSample(text, "partition_keeper_archive_expired_partitions_total{table=\"public.transactions\"} 1.0");
        assertSample(
                text,
                "partition_keeper_step_duration_seconds_count{outcome=\"done\",step=\"create\",table=\"public.transactions\"} 2");
        assertSample(
                text,
                "partition_keeper_step_duration_seconds_count{outcome=\"already done\",step=\"create\","
                        + "table=\"public.transactions\"} 1");
        assertSample(
                text,
                "partition_keeper_step_duration_seconds_sum{outcome=\"done\",step=\"create\",table=\"public.transactions\"} 0.2");
    }

    @Test
    void verificationFailureRaisesItsOwnCounterBesidesTheStepFailure() {
        PrometheusMeterRegistry r = registry();
        MaintenanceMetrics m = new MaintenanceMetrics(r);
        m.register(T);
        assertSample(r.scrape(), "partition_keeper_verification_failures_total{table=\"public.transactions\"} 0.0");
        m.actionFailed(T, "verify", Failures.VERIFICATION_FAILED);
        m.actionFailed(T, "create", Failures.LOCK_BUSY);
        m.actionFailed(T, "create", Failures.LOCK_BUSY);
        String text = r.scrape();
        assertSample(text, "partition_keeper_verification_failures_total{table=\"public.transactions\"} 1.0");
        assertSample(
                text,
                "partition_keeper_step_failures_total{step=\"verify\",table=\"public.transactions\","
                        + "type=\"VerificationFailed\"} 1.0");
        assertSample(
                text,
                "partition_keeper_step_failures_total{step=\"create\",table=\"public.transactions\","
                        + "type=\"LockBusy\"} 2.0");
    }

    @Test
    void layoutCheckCountsAPassAndMarksTheGaugesStale() {
        PrometheusMeterRegistry r = registry();
        MaintenanceMetrics m = new MaintenanceMetrics(r);
        int[] changes = {0};
        m.onChange(() -> changes[0]++);
        m.layoutChecked(T, new LayoutReport(true, 3, "2026-09-01", 15, 0, List.of()));
        m.layoutChecked(T, new LayoutReport(false, 1, "2026-07-01", 15, 2, List.of("runway is 1 partition")));
        String text = r.scrape();
        assertSample(text, "partition_keeper_table_passes_total{layout=\"ok\",table=\"public.transactions\"} 1.0");
        assertSample(
                text, "partition_keeper_table_passes_total{layout=\"attention\",table=\"public.transactions\"} 1.0");
        assertEquals(2, changes[0]);
    }

    @Test
    void bytesAreReadFromTheExportDetail() {
        assertEquals(52345, MaintenanceMetrics.bytesIn("3 file(s), 52345 bytes"));
        assertEquals(17, MaintenanceMetrics.bytesIn("rows=3 bytes=17"));
        assertEquals(0, MaintenanceMetrics.bytesIn("in partition_archive.t"));
        assertEquals(0, MaintenanceMetrics.bytesIn(null));
    }

    @Test
    void temporalMetersOfOneNameWithAndWithoutUpdateNameAreBothScraped() {
        PrometheusMeterRegistry r = registry();
        // the SDK's two shapes of one meter; without the filter Prometheus would drop the second
        Counter.builder("temporal_request")
                .tags(List.of(Tag.of("operation", "StartWorkflowExecution")))
                .register(r)
                .increment();
        Counter.builder("temporal_request")
                .tags(List.of(
                        Tag.of("operation", "UpdateWorkflowExecution"), Tag.of("update_name", "requestMaintenance")))
                .register(r)
                .increment(2);
        String text = r.scrape();
        assertSample(text, "temporal_request_total{operation=\"StartWorkflowExecution\",update_name=\"\"} 1.0");
        assertSample(
                text,
                "temporal_request_total{operation=\"UpdateWorkflowExecution\",update_name=\"requestMaintenance\"} 2.0");
    }

    static void assertSample(String scrape, String line) {
        assertTrue(
                scrape.lines().anyMatch(l -> l.equals(line) || l.startsWith(line + " ")),
                () -> "expected sample line\n  " + line + "\nin\n" + scrape);
    }
}

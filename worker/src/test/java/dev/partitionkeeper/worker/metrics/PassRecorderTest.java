package dev.partitionkeeper.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.LayoutReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** A survey's tables with nothing to do leave one verify_layout row each, written in one batch. */
@Tag("postgres")
class PassRecorderTest {

    @Test
    void recordsEveryTableOfASurveyInOneBatch() {
        String url = PgTestSupport.newDatabase("pass_recorder");
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        PassRecorder recorder = new PassRecorder(ds, "partition_keeper");
        Map<TableName, LayoutReport> reports = new LinkedHashMap<>();
        reports.put(TableName.parse("public.a", "public"), new LayoutReport(true, 3, "2026-09-01", 15, 0, List.of()));
        reports.put(
                TableName.parse("public.b", "public"),
                new LayoutReport(false, 1, "2026-07-01", 15, 2, List.of("runway is 1 partition")));
        reports.put(TableName.parse("public.c", "public"), new LayoutReport(true, 3, "2026-09-01", 15, 0, List.of()));

        recorder.recordAll(reports);
        recorder.recordAll(Map.of(
                TableName.parse("public.d", "public"), new LayoutReport(true, 3, "2026-09-01", 15, 0, List.of())));

        assertEquals(
                "a:ok:, b:attention:runway is 1 partition, c:ok:, d:ok:",
                PgTestSupport.queryString(
                        url,
                        "SELECT string_agg(parent_table || ':' || outcome || ':' || detail, ', ' ORDER BY parent_table)"
                                + " FROM partition_keeper.action_log WHERE action = 'verify_layout'"));
    }
}

package dev.partitionkeeper.worker.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partitionkeeper.activities.testing.PgTestSupport;
import dev.partitionkeeper.worker.WorkerRuntime;
import dev.partitionkeeper.worker.cli.Main;
import dev.partitionkeeper.worker.config.PostgresSettings;
import dev.partitionkeeper.worker.config.WorkerConfig;
import dev.partitionkeeper.worker.dev.EmbeddedTemporal;
import dev.partitionkeeper.workflows.convert.ConvertResult;
import dev.partitionkeeper.workflows.convert.ConvertWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert} as production runs it: the command starts the workflow on the Temporal server and a running
 * worker does the work; then {@code convert --rollback} through the same path.
 */
@Tag("postgres")
class ConvertCliTest {
    @TempDir
    Path dir;

    @Test
    void convertAndRollbackRunOnTheWorkers() throws Exception {
        String url = PgTestSupport.newDatabase("convert_workers");
        PgTestSupport.exec(
                url,
                "CREATE TABLE public.events (id bigserial, at timestamptz NOT NULL, PRIMARY KEY (id, at))",
                "INSERT INTO public.events (at) SELECT now() - i * interval '1 day' FROM generate_series(0, 199) i");
        Path config = dir.resolve("partition-keeper.yaml");
        Files.writeString(config, """
        postgres:
          url: '%s'
        temporal:
          task_queue: convert-%d
        tables:
          - table: public.events
            interval: monthly
        """.formatted(url, System.nanoTime()));
        WorkerConfig cfg = WorkerConfig.load(config, Map.of());
        try (EmbeddedTemporal temporal = EmbeddedTemporal.start();
                WorkerRuntime worker = new WorkerRuntime(
                        temporal.connection().client(),
                        cfg,
                        new PostgresSettings(url, null, null, 4),
                        cfg::tables,
                        null)) {
            worker.start();
            CliRun converted = CliRun.of(
                    "convert",
                    "public.events",
                    "--column",
                    "at",
                    "--address",
                    temporal.target(),
                    "-c",
                    config.toString());
            assertEquals(Main.OK, converted.exitCode(), converted::toString);
            assertTrue(converted.out().contains("convert public.events: converted"), converted::toString);
            assertEquals(
                    "p",
                    PgTestSupport.queryString(
                            url, "SELECT relkind::text FROM pg_class WHERE oid = 'public.events'::regclass"));
            // the run has history on the server under the table's workflow ID
            assertEquals(
                    "converted",
                    temporal.connection()
                            .client()
                            .newUntypedWorkflowStub(ConvertWorkflow.workflowId("public.events"))
                            .getResult(ConvertResult.class)
                            .outcome());

            PgTestSupport.exec(url, "INSERT INTO public.events (at) VALUES (now())");
            CliRun back = CliRun.of(
                    "convert", "--rollback", "public.events", "--address", temporal.target(), "-c", config.toString());
            assertEquals(Main.OK, back.exitCode(), back::toString);
            assertTrue(back.out().contains("rollback public.events: rolled back"), back::toString);
            assertEquals(
                    "r",
                    PgTestSupport.queryString(
                            url, "SELECT relkind::text FROM pg_class WHERE oid = 'public.events'::regclass"));
            assertEquals(201, PgTestSupport.queryLong(url, "SELECT count(*) FROM public.events"));
        }
    }
}

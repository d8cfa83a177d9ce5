package dev.partitionkeeper.activities.archive.export;

import dev.partitionkeeper.activities.archive.store.FileSystemArchiveStore;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.nio.file.Path;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Exports {@code archive.big} in a JVM of its own, so {@link ExportMemoryTest} can give it a small heap.
 * Arguments: JDBC URL, store directory, work directory, row group bytes.
 */
public final class ExportMemoryMain {

    private ExportMemoryMain() {}

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(args[0]);
        ExportOptions options = ExportOptions.newBuilder()
                .workDir(Path.of(args[2]))
                .rowGroupBytes(Integer.parseInt(args[3]))
                .build();
        ExportRequest request =
                new ExportRequest(new TableName("archive", "big"), new TableName("public", "big"), "big", "", "", "at");
        long start = System.nanoTime();
        ExportResult result = new ParquetExporter(ds, new FileSystemArchiveStore(Path.of(args[1])), options)
                .export(request, ProgressListener.NONE);
        Runtime rt = Runtime.getRuntime();
        System.out.printf(
                "exported %d rows, %d bytes in %.1f s; max heap %d MiB%n",
                result.rows(), result.bytes(), (System.nanoTime() - start) / 1e9, rt.maxMemory() >> 20);
        System.exit(result.rows() > 0 ? 0 : 1);
    }
}

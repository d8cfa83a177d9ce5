package dev.partitionkeeper.activities.archive.iceberg;

import dev.partitionkeeper.activities.archive.store.ArchiveKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a pass's local files to the table's data directory, {@code data/<partition>/<attempt>-NNNNN.parquet}
 * (a new attempt id each time, so no attempt ever overwrites a file another may have committed), and
 * describes each as an Iceberg {@link DataFile} with the column metrics read from its footer. Before an
 * attempt writes, {@link #deleteLeftovers} empties the directory of what an interrupted one stored.
 */
final class DataFileStore {

    private static final Logger log = LoggerFactory.getLogger(DataFileStore.class);

    List<DataFile> store(Table table, String partition, PartitionFiles.Result written) throws IOException {
        String attempt = UUID.randomUUID().toString();
        List<DataFile> out = new ArrayList<>();
        try {
            int i = 0;
            for (PartitionFiles.LocalFile f : written.files()) {
                Metrics metrics = metrics(f.path(), table);
                String location = dir(table, partition) + String.format("%s-%05d.parquet", attempt, i++);
                if (table.io() instanceof StoreFileIO store) {
                    store.put(f.path(), location); // straight from the local file, no second copy
                } else {
                    OutputFile target = table.io().newOutputFile(location);
                    try (PositionOutputStream os = target.createOrOverwrite();
                            InputStream in = Files.newInputStream(f.path())) {
                        in.transferTo(os);
                    }
                }
                Files.deleteIfExists(f.path());
                DataFiles.Builder b = DataFiles.builder(table.spec())
                        .withPath(location)
                        .withFormat(FileFormat.PARQUET)
                        .withFileSizeInBytes(f.bytes())
                        .withMetrics(metrics);
                if (table.spec().isPartitioned()) {
                    b.withPartition(partitionData(table.spec(), written.partitionValue()));
                }
                out.add(b.build());
            }
            return out;
        } catch (IOException | RuntimeException e) {
            delete(table, out);
            for (PartitionFiles.LocalFile f : written.files()) {
                Files.deleteIfExists(f.path());
            }
            throw e;
        }
    }

    private static PartitionData partitionData(PartitionSpec spec, Object value) {
        PartitionData d = new PartitionData(spec.partitionType());
        d.set(0, value);
        return d;
    }

    private static Metrics metrics(Path local, Table table) throws IOException {
        ParquetReadOptions options =
                ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(local), options)) {
            return ParquetUtil.footerMetrics(r.getFooter(), Stream.empty(), MetricsConfig.forTable(table));
        }
    }

    static String dir(Table table, String partition) {
        return table.location() + "/data/" + ArchiveKeys.segment(partition) + "/";
    }

    void delete(Table table, List<DataFile> files) {
        for (DataFile f : files) {
            try {
                table.io().deleteFile(f.location());
            } catch (RuntimeException ignored) {
                // an orphan data file is harmless: no snapshot names it
            }
        }
    }

    /**
     * Deletes the partition's data directory: what is there is an interrupted attempt's (uncommitted files).
     * Called only when no snapshot names the partition, under the export's advisory lock, so no other attempt
     * of this partition is writing; a partition whose name extends this one's has a directory of its own.
     */
    void deleteLeftovers(Table table, String partition) throws IOException {
        String dir = dir(table, partition);
        if (table.io() instanceof StoreFileIO store) {
            for (String f : store.deleteUnder(dir)) {
                log.info("deleted leftover {} of an interrupted export", f);
            }
            return;
        }
        if (!IcebergCatalogs.isLocal(dir)) {
            // another FileIO (none is configured so today): its orphans stay, named by no snapshot
            log.warn("cannot list {} to delete an interrupted export's files; they stay as orphans", dir);
            return;
        }
        Path p = LocalFileIO.file(dir).toPath();
        if (!Files.isDirectory(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}

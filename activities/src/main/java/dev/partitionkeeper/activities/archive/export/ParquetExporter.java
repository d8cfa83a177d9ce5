package dev.partitionkeeper.activities.archive.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.CatalogColumns;
import dev.partitionkeeper.activities.archive.copy.TextFormSettings;
import dev.partitionkeeper.activities.archive.copy.UnrepresentableValueException;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifests;
import dev.partitionkeeper.activities.archive.restore.DdlBuilder;
import dev.partitionkeeper.activities.archive.store.ArchiveCredentialsException;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.summary.ContentChecksum;
import dev.partitionkeeper.activities.archive.summary.RowSummary;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports one partition to {@code <schema>/<table>/<partition>/} in a store as ZSTD Parquet files plus
 * {@code manifest.json}.
 *
 * <p>Idempotent and crash-safe by restarting: the manifest is written last and only after every file is
 * stored, so an archive with a manifest is complete. A run that finds a manifest returns {@link
 * ActionResult#ALREADY_DONE} without touching anything. A run that finds files but no manifest (a crash,
 * a killed worker) deletes them and exports from the start; file names are fixed ({@code part-00000...}),
 * so a re-run overwrites rather than adds, and files a previous run had beyond this run's last one are
 * deleted before the manifest is written. A half-exported partition is never resumed mid-way: rows have
 * no stable order to resume from, and a restart costs one more read of a partition that is no longer
 * written to.
 */
public final class ParquetExporter {

    private static final Logger log = LoggerFactory.getLogger(ParquetExporter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final ArchiveStore store;
    private final ExportOptions options;
    private final Clock clock;

    public ParquetExporter(DataSource dataSource, ArchiveStore store, ExportOptions options) {
        this(dataSource, store, options, Clock.systemUTC());
    }

    /** {@code clock} stamps the manifest's {@code created_at}. */
    public ParquetExporter(DataSource dataSource, ArchiveStore store, ExportOptions options, Clock clock) {
        this.dataSource = dataSource;
        this.store = store;
        this.options = options;
        this.clock = clock;
    }

    /**
     * Exports the partition unless a complete archive of it exists.
     *
     * @throws IllegalArgumentException when the source table or key column does not exist (do not retry)
     * @throws UnexportableValueException when a value cannot be exported even in its text form (do not retry)
     * @throws IOException when the store fails ({@link ArchiveCredentialsException}: do not retry)
     * @throws SQLException when PostgreSQL fails
     */
    public ExportResult export(ExportRequest request, ProgressListener listener) throws IOException, SQLException {
        ArchiveLayout layout = request.layout();
        Optional<ArchiveManifest> existing = ArchiveManifests.read(store, layout);
        if (existing.isPresent()) {
            return alreadyDone(existing.get(), request, layout);
        }
        try (Connection c = dataSource.getConnection()) {
            List<ArchiveColumn> catalog = CatalogColumns.read(c, request.source());
            new RowSummary(catalog, request.keyColumn()); // fails now, naming the columns, if the key is not one
            deleteAll(layout, List.of()); // no manifest: whatever is there is the leftover of an interrupted run
            Set<String> textForm = new LinkedHashSet<>();
            for (int attempt = 1; ; attempt++) {
                List<ArchiveColumn> columns = withTextForm(catalog, textForm);
                ExportPass.Result pass;
                try {
                    log.info("exporting {} to {} (attempt {})", request.source(), layout.locationIn(store), attempt);
                    pass = new ExportPass(
                                    store,
                                    layout,
                                    columns,
                                    request.keyColumn(),
                                    options,
                                    listener,
                                    footerMetadata(request, columns))
                            .run(c, request.source());
                } catch (UnrepresentableValueException e) {
                    if (!textForm.add(e.column())) {
                        throw new UnexportableValueException(
                                e.column(),
                                "column \"" + e.column() + "\" of " + request.source()
                                        + " cannot be exported even in its text form: " + e.getMessage(),
                                e);
                    }
                    log.info("{}: {}; exporting it in its text form instead", request.source(), e.getMessage());
                    listener.onRestart(e.column(), e.getMessage());
                    continue;
                }
                deleteAll(
                        layout,
                        pass.files().stream().map(f -> layout.key(f.name())).toList());
                listener.beforeManifest(pass.stored());
                ArchiveManifest manifest = manifest(request, columns, pass);
                ArchiveManifests.write(store, layout, manifest);
                log.info(
                        "exported {}: {} rows in {} files, {} bytes, to {}",
                        request.source(),
                        manifest.rowCount(),
                        manifest.files().size(),
                        manifest.totalBytes(),
                        layout.locationIn(store));
                return result(ActionResult.DONE, manifest, layout, attempt);
            }
        }
    }

    /**
     * Deletes a partition's archive: the manifest first, so the archive is incomplete from the first step on
     * and a crash midway leaves something the next export cleans up.
     */
    public void discard(ArchiveLayout layout) throws IOException {
        store.delete(layout.manifestKey());
        deleteAll(layout, List.of());
    }

    private void deleteAll(ArchiveLayout layout, List<String> keep) throws IOException {
        for (String key : store.list(layout.dir())) {
            // only this partition's directory: a partition whose name extends this one's is a sibling, not a child
            if (!keep.contains(key) && key.indexOf('/', layout.dir().length()) < 0) {
                log.info("deleting leftover {}", store.locationOf(key));
                store.delete(key);
            }
        }
    }

    private static List<ArchiveColumn> withTextForm(List<ArchiveColumn> catalog, Set<String> textForm) {
        List<ArchiveColumn> columns = new ArrayList<>(catalog.size());
        for (ArchiveColumn col : catalog) {
            columns.add(textForm.contains(col.name()) ? col.asTextForm() : col);
        }
        return columns;
    }

    private static Map<String, String> footerMetadata(ExportRequest request, List<ArchiveColumn> columns) {
        Map<String, String> pgTypes = new LinkedHashMap<>();
        columns.forEach(c -> pgTypes.put(c.name(), c.pgType()));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("partition_keeper.table", request.parent().toString());
        meta.put("partition_keeper.partition", request.partition());
        try {
            // lets a reader with only the Parquet file know the original column types
            meta.put("partition_keeper.pg_types", JSON.writeValueAsString(pgTypes));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return meta;
    }

    private ArchiveManifest manifest(ExportRequest request, List<ArchiveColumn> columns, ExportPass.Result pass) {
        RowSummary summary = pass.summary();
        return new ArchiveManifest(
                ArchiveManifest.FORMAT_VERSION,
                ArchiveManifest.writerName(),
                clock.instant().truncatedTo(ChronoUnit.MILLIS).toString(),
                request.parent(),
                request.partition(),
                request.boundFrom(),
                request.boundTo(),
                request.source(),
                // named as the partition was, beside its parent; restore renders it again for its target name
                DdlBuilder.createTable(new TableName(request.parent().schema(), request.partition()), columns),
                columns,
                TextFormSettings.asMap(),
                request.keyColumn(),
                summary.keyMin(),
                summary.keyMax(),
                summary.rows(),
                ContentChecksum.ALGORITHM,
                summary.checksum(),
                "ZSTD",
                pass.files());
    }

    private ExportResult alreadyDone(ArchiveManifest m, ExportRequest request, ArchiveLayout layout) {
        if (!request.parent().equals(m.table()) || !request.partition().equals(m.partition())) {
            throw new IllegalStateException(
                    "archive at " + layout.locationIn(store) + " holds partition " + m.partition()
                            + " of " + m.table() + ", not " + request.partition() + " of " + request.parent()
                            + ": two partitions map to the same archive directory; rename one or use another archive location");
        }
        log.info("{} already has a complete archive at {}", request.source(), layout.locationIn(store));
        return result(ActionResult.ALREADY_DONE, m, layout, 0);
    }

    private ExportResult result(String outcome, ArchiveManifest m, ArchiveLayout layout, int attempts) {
        return new ExportResult(
                outcome,
                layout.locationIn(store),
                m.rowCount(),
                m.totalBytes(),
                m.files().size(),
                m.contentChecksum(),
                m.keyMin(),
                m.keyMax(),
                m.textFormColumns(),
                attempts);
    }
}

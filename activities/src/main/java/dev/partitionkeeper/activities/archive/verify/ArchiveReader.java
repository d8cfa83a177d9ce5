package dev.partitionkeeper.activities.archive.verify;

import dev.partitionkeeper.activities.archive.copy.TableScan;
import dev.partitionkeeper.activities.archive.manifest.ArchiveFile;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.manifest.ArchiveManifest;
import dev.partitionkeeper.activities.archive.parquet.ParquetRowReader;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.FetchedFile;
import dev.partitionkeeper.activities.archive.summary.RowSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an archive back from its store file by file, checking each file's size and SHA-256 against the
 * manifest and streaming its rows into a sink and a {@link RowSummary}. Problems with the archive's
 * content become mismatch lines; only failures to reach the store are thrown.
 */
public final class ArchiveReader {

    private final ArchiveStore store;
    private final Path workDir;

    public ArchiveReader(ArchiveStore store, Path workDir) {
        this.store = store;
        this.workDir = workDir;
    }

    /**
     * @param complete every file was present and readable, so {@code summary} covers all rows
     */
    public record Readback(RowSummary summary, boolean complete, List<String> mismatches) {}

    public Readback read(ArchiveLayout layout, ArchiveManifest m, TableScan.RowSink sink) throws IOException {
        RowSummary summary = new RowSummary(m.columns(), m.partitionKey());
        List<String> mismatches = new ArrayList<>();
        boolean complete = true;
        for (ArchiveFile file : m.files()) {
            String key = layout.key(file.name());
            if (!store.exists(key)) {
                mismatches.add("file " + file.name() + " is listed in the manifest but missing from the archive");
                complete = false;
                continue;
            }
            try (FetchedFile fetched = FetchedFile.fetch(store, key, workDir)) {
                if (fetched.size() != file.bytes()) {
                    mismatches.add(
                            "file " + file.name() + " size: manifest " + file.bytes() + ", archive " + fetched.size());
                }
                if (!fetched.sha256().equals(file.sha256())) {
                    mismatches.add("file " + file.name() + " sha256: manifest " + file.sha256() + ", archive "
                            + fetched.sha256());
                }
                long rows;
                try {
                    rows = ParquetRowReader.read(fetched.path(), m.columns(), row -> {
                        summary.add(row);
                        if (sink != null) {
                            sink.accept(row);
                        }
                    });
                } catch (ParquetRowReader.UnreadableFileException e) {
                    mismatches.add("file " + file.name() + " cannot be read as Parquet: " + e.getMessage());
                    complete = false;
                    continue;
                }
                if (rows != file.rows()) {
                    mismatches.add("file " + file.name() + " row count: manifest " + file.rows() + ", archive " + rows);
                }
            }
        }
        return new Readback(summary, complete, mismatches);
    }

    /** Files in the archive directory that the manifest does not list (a zombie writer, a manual copy). */
    List<String> unexpectedFiles(ArchiveLayout layout, ArchiveManifest m) throws IOException {
        List<String> unexpected = new ArrayList<>();
        for (String key : store.list(layout.dir())) {
            String name = key.substring(layout.dir().length());
            if (name.contains("/") || name.equals(ArchiveLayout.MANIFEST)) {
                continue;
            }
            if (m.files().stream().noneMatch(f -> f.name().equals(name))) {
                unexpected.add(name);
            }
        }
        return unexpected;
    }
}

package dev.partitionkeeper.activities.archive;

import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One pass over the source table: COPY rows into Parquet files of at most {@code maxFileBytes}, storing
 * each file as soon as it is closed, so local disk holds one file at a time. Does not write the manifest.
 */
final class ExportPass {

  /** How often (in rows) to compare the current file's size with the limit; the check is cheap but not free. */
  private static final int SIZE_CHECK_ROWS = 256;

  private final ArchiveStore store;
  private final ArchiveLayout layout;
  private final List<ArchiveColumn> columns;
  private final ExportOptions options;
  private final ProgressListener listener;
  private final Map<String, String> footerMetadata;
  private final RowSummary summary;
  private final List<StoredObject> stored = new ArrayList<>();
  private final List<ArchiveFile> files = new ArrayList<>();
  private ParquetPartWriter writer;
  private Path localFile;
  private long storedBytes;

  ExportPass(ArchiveStore store, ArchiveLayout layout, List<ArchiveColumn> columns, String keyColumn,
      ExportOptions options, ProgressListener listener, Map<String, String> footerMetadata) {
    this.store = store;
    this.layout = layout;
    this.columns = columns;
    this.options = options;
    this.listener = listener;
    this.footerMetadata = footerMetadata;
    this.summary = new RowSummary(columns, keyColumn);
  }

  record Result(List<StoredObject> stored, List<ArchiveFile> files, RowSummary summary) {}

  /** Reads {@code source} on {@code c} in a transaction of its own, rolled back at the end (nothing is written). */
  Result run(Connection c, TableName source) throws SQLException, IOException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      TableScan.scan(c, source, columns, this::write, options.progressEveryRows(),
          (rows, copyBytes) -> listener.onRows(rows, storedBytes + (writer == null ? 0 : writer.dataSize())));
      if (writer == null && files.isEmpty()) {
        open(); // an empty partition still gets one file: it carries the schema for readers
      }
      if (writer != null) {
        finishFile();
      }
      return new Result(List.copyOf(stored), List.copyOf(files), summary);
    } finally {
      discardLocal();
      Transactions.end(c, autoCommit);
    }
  }

  private void write(Object[] row) throws IOException {
    if (writer == null) {
      open();
    }
    writer.write(row);
    summary.add(row);
    if (writer.rows() % SIZE_CHECK_ROWS == 0 && writer.dataSize() >= options.maxFileBytes()) {
      finishFile();
    }
  }

  private void open() throws IOException {
    localFile = Files.createTempFile(options.workDir(), "pk-export-", ".parquet");
    writer = new ParquetPartWriter(localFile, columns, footerMetadata, options);
  }

  private void finishFile() throws IOException {
    writer.close();
    long rows = writer.rows();
    writer = null;
    int index = files.size();
    String name = ArchiveLayout.fileName(index);
    long localSize = Files.size(localFile);
    StoredObject object = store.put(layout.key(name), localFile);
    if (object.size() != localSize) {
      throw new IOException("stored " + object.size() + " bytes of " + store.locationOf(object.key()) + " but the"
          + " local file has " + localSize + ": the store lost data; retry the export");
    }
    Files.deleteIfExists(localFile);
    localFile = null;
    stored.add(object);
    files.add(new ArchiveFile(name, object.size(), object.sha256(), rows));
    storedBytes += object.size();
    listener.onFileStored(index, object);
  }

  private void discardLocal() {
    try {
      if (writer != null) {
        writer.close();
      }
    } catch (IOException | RuntimeException ignored) {
      // the pass failed already; that failure is the one to report
    }
    writer = null;
    try {
      if (localFile != null) {
        Files.deleteIfExists(localFile);
      }
    } catch (IOException ignored) {
      // a leftover temp file is harmless; the failure that got us here matters more
    }
  }
}

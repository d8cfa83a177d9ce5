package dev.partitionkeeper.activities.archive.export;

import dev.partitionkeeper.activities.archive.column.ArchiveColumn;
import dev.partitionkeeper.activities.archive.column.PgTextValue;
import dev.partitionkeeper.activities.archive.copy.TableScan;
import dev.partitionkeeper.activities.archive.copy.Transactions;
import dev.partitionkeeper.activities.archive.copy.UnrepresentableValueException;
import dev.partitionkeeper.activities.archive.manifest.ArchiveFile;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.parquet.HashedOutputFile;
import dev.partitionkeeper.activities.archive.parquet.ParquetPartWriter;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.StoredObject;
import dev.partitionkeeper.activities.archive.summary.RowSummary;
import dev.partitionkeeper.workflows.model.TableName;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * One pass over the source table: COPY rows into Parquet files of at most {@code maxFileBytes}, storing
 * each file as soon as it is closed, so local disk holds one file at a time. Does not write the manifest.
 *
 * <p>Two threads: the calling thread reads and decodes the COPY stream and computes the {@link RowSummary};
 * a writer thread encodes and compresses the rows into Parquet and stores the files. Rows go from one to the
 * other in batches through a short bounded queue, so memory stays bounded: at most {@link #QUEUED_BATCHES}
 * + 2 batches exist, each of at most {@link #BATCH_ROWS} rows and about {@link #BATCH_BYTES} of values (one
 * row more than that), and they are reused. A failure on either side stops both: the writer's failure is
 * thrown on the calling thread, and a failure of the calling thread stops the writer, which deletes its
 * unfinished file. The {@link ProgressListener} is only ever called on the calling thread.
 */
final class ExportPass {

    /** How often (in rows) to compare the current file's size with the limit; the check is cheap but not free. */
    private static final int SIZE_CHECK_ROWS = 256;
    /** A batch is handed to the writer at this many rows, or earlier at {@link #BATCH_BYTES} of values. */
    static final int BATCH_ROWS = 512;

    static final int BATCH_BYTES = 1024 * 1024;
    /** Batches that may wait for the writer: enough to ride out a page being compressed, little memory. */
    static final int QUEUED_BATCHES = 4;
    /** How long a blocked hand-off waits before it looks whether the other side failed. */
    private static final long POLL_MILLIS = 50;
    /**
     * While the calling thread waits for the writer (a file being uploaded: the queue is full, or the scan is
     * over), it still calls {@link ProgressListener#onRows} this often, so the activity keeps heartbeating
     * through an upload that takes longer than the heartbeat timeout.
     */
    static final long KEEP_ALIVE_MILLIS = 10_000;
    /** Hand-off marker: no more rows. */
    private static final Batch END = new Batch(0, 0);

    private final ArchiveStore store;
    private final ArchiveLayout layout;
    private final List<ArchiveColumn> columns;
    private final ExportOptions options;
    private final ProgressListener listener;
    private final Map<String, String> footerMetadata;
    private final RowSummary summary;
    /** Indexes of the columns whose values can be a {@link PgTextValue}. */
    private final int[] mayHoldText;

    // hand-off between the two threads
    private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(QUEUED_BATCHES + 1);
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(QUEUED_BATCHES + 2);
    private final Queue<StoredFile> storedNotices = new ConcurrentLinkedQueue<>();
    private volatile Throwable writerFailure;
    private volatile boolean aborted;
    private volatile long writtenBytes;
    private Batch filling;
    private final long keepAliveNanos;
    private long lastProgressNanos = System.nanoTime();

    // the writer thread's own state; the calling thread reads stored/files only after joining it
    private final List<StoredObject> stored = new ArrayList<>();
    private final List<ArchiveFile> files = new ArrayList<>();
    private ParquetPartWriter writer;
    private HashedOutputFile localFile;
    private long storedBytes;

    ExportPass(
            ArchiveStore store,
            ArchiveLayout layout,
            List<ArchiveColumn> columns,
            String keyColumn,
            ExportOptions options,
            ProgressListener listener,
            Map<String, String> footerMetadata) {
        this(store, layout, columns, keyColumn, options, listener, footerMetadata, KEEP_ALIVE_MILLIS);
    }

    /** {@code keepAliveMillis}: see {@link #KEEP_ALIVE_MILLIS}; tests shorten it. */
    ExportPass(
            ArchiveStore store,
            ArchiveLayout layout,
            List<ArchiveColumn> columns,
            String keyColumn,
            ExportOptions options,
            ProgressListener listener,
            Map<String, String> footerMetadata,
            long keepAliveMillis) {
        this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(keepAliveMillis);
        this.store = store;
        this.layout = layout;
        this.columns = columns;
        this.options = options;
        this.listener = listener;
        this.footerMetadata = footerMetadata;
        this.summary = new RowSummary(columns, keyColumn);
        this.mayHoldText = IntStream.range(0, columns.size())
                .filter(i -> PgTextValue.possibleIn(columns.get(i).kind()))
                .toArray();
        for (int i = 0; i < QUEUED_BATCHES + 2; i++) {
            free.add(new Batch(BATCH_ROWS, columns.size()));
        }
    }

    record Result(List<StoredObject> stored, List<ArchiveFile> files, RowSummary summary) {}

    private record StoredFile(int index, StoredObject object) {}

    /** Rows on their way to the writer; the arrays are reused, the values in them are not. */
    private static final class Batch {
        final Object[][] rows;
        int size;
        long bytes;

        Batch(int rows, int columns) {
            this.rows = new Object[rows][columns];
        }
    }

    /** Reads {@code source} on {@code c} in a transaction of its own, rolled back at the end (nothing is written). */
    Result run(Connection c, TableName source) throws SQLException, IOException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        Thread writerThread = new Thread(this::writeAll, "pk-export-writer " + layout.dir());
        writerThread.setDaemon(true);
        writerThread.start();
        boolean finished = false;
        try {
            TableScan.scan(c, source, columns, this::accept, options.progressEveryRows(), (rows, copyBytes) -> {
                checkWriter();
                announceStoredFiles();
                progress();
            });
            if (filling != null) {
                handOff(filling);
                filling = null;
            }
            handOff(END);
            join(writerThread);
            checkWriter();
            announceStoredFiles();
            finished = true;
            return new Result(List.copyOf(stored), List.copyOf(files), summary);
        } finally {
            if (!finished) {
                stopWriter(writerThread);
            }
            Transactions.end(c, autoCommit);
        }
    }

    // ------------------------------------------------------------------ the calling thread

    private void accept(Object[] row) throws IOException {
        for (int i : mayHoldText) {
            if (row[i] instanceof PgTextValue t) {
                // the column's Parquet type cannot hold it: ParquetExporter starts over with the column as text
                throw UnrepresentableValueException.of(columns.get(i), t);
            }
        }
        summary.add(row);
        Batch b = filling;
        if (b == null) {
            b = filling = take(free);
        }
        System.arraycopy(row, 0, b.rows[b.size++], 0, row.length);
        for (Object v : row) {
            b.bytes += v instanceof byte[] bytes ? bytes.length + 16 : 16;
        }
        if (b.size == BATCH_ROWS || b.bytes >= BATCH_BYTES) {
            handOff(b);
            filling = null;
        }
    }

    private Batch take(BlockingQueue<Batch> queue) throws IOException {
        try {
            Batch b;
            while ((b = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS)) == null) {
                checkWriter();
                keepAlive();
            }
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("export interrupted");
        }
    }

    private void handOff(Batch b) throws IOException {
        try {
            while (!full.offer(b, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                checkWriter();
                keepAlive();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("export interrupted");
        }
    }

    /** Throws the writer's failure here, on the calling thread, as what it was (e.g. ArchiveCredentialsException). */
    private void checkWriter() throws IOException {
        Throwable t = writerFailure;
        if (t == null) {
            return;
        }
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IOException("the Parquet writer failed: " + t, t);
    }

    private void progress() {
        lastProgressNanos = System.nanoTime();
        listener.onRows(summary.rows(), writtenBytes);
    }

    /** Calls the listener if it has not heard from this pass for {@link #KEEP_ALIVE_MILLIS}. */
    private void keepAlive() {
        if (System.nanoTime() - lastProgressNanos >= keepAliveNanos) {
            progress();
        }
    }

    private void announceStoredFiles() {
        StoredFile f;
        while ((f = storedNotices.poll()) != null) {
            listener.onFileStored(f.index(), f.object());
        }
    }

    /** Waits for the writer to store the last file, announcing files and keeping the listener called meanwhile. */
    private void join(Thread t) throws IOException {
        try {
            while (t.isAlive()) {
                t.join(POLL_MILLIS);
                announceStoredFiles();
                keepAlive();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("export interrupted while the last file was written");
        }
    }

    /** After a failure here: makes the writer drop what it has (its unfinished file too) and waits for it. */
    private void stopWriter(Thread t) {
        aborted = true;
        full.clear(); // this thread is the only producer: after clear() the marker fits
        full.offer(END);
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true; // the writer must be gone before the transaction ends and the caller retries
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ the writer thread

    private void writeAll() {
        try {
            while (true) {
                Batch b = full.take();
                if (b == END || aborted) {
                    break;
                }
                for (int from = 0; from < b.size; from += SIZE_CHECK_ROWS) {
                    write(b.rows, from, Math.min(b.size, from + SIZE_CHECK_ROWS));
                }
                for (int i = 0; i < b.size; i++) {
                    Arrays.fill(b.rows[i], null); // do not keep the values alive until the batch is reused
                }
                b.size = 0;
                b.bytes = 0;
                free.add(b);
            }
            if (aborted) {
                return;
            }
            if (writer == null && files.isEmpty()) {
                open(); // an empty partition still gets one file: it carries the schema for readers
            }
            if (writer != null) {
                finishFile();
            }
        } catch (Throwable t) {
            writerFailure = t;
        } finally {
            discardLocal();
        }
    }

    private void write(Object[][] rows, int from, int to) throws IOException {
        if (writer == null) {
            open();
        }
        writer.write(rows, from, to);
        long size = writer.dataSize();
        writtenBytes = storedBytes + size;
        if (size >= options.maxFileBytes()) {
            finishFile();
        }
    }

    private void open() throws IOException {
        String key = layout.key(ArchiveLayout.fileName(files.size()));
        localFile = new HashedOutputFile(store.newLocalFile(key, options.workDir()));
        writer = new ParquetPartWriter(localFile, columns, footerMetadata, options);
    }

    private void finishFile() throws IOException {
        writer.close();
        long rows = writer.rows();
        writer = null;
        int index = files.size();
        String name = ArchiveLayout.fileName(index);
        Path local = localFile.path();
        StoredObject object = store.putFile(layout.key(name), local, localFile.size(), localFile.sha256());
        Files.deleteIfExists(local); // still there when the store copied it rather than moved it
        localFile = null;
        stored.add(object);
        files.add(new ArchiveFile(name, object.size(), object.sha256(), rows));
        storedBytes += object.size();
        writtenBytes = storedBytes;
        storedNotices.add(new StoredFile(index, object));
    }

    private void discardLocal() {
        if (writer != null) {
            writer.abort(); // no footer: the unfinished file is not a readable Parquet file
        }
        writer = null;
        try {
            if (localFile != null) {
                Files.deleteIfExists(localFile.path());
            }
        } catch (IOException ignored) {
            // a leftover temp file is harmless (the next export deletes it); the failure that got us here matters more
        }
        localFile = null;
    }
}

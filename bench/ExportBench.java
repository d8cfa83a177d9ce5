// Benchmark harness for partition-keeper's archive export and verify (see bench/EXPORT.md).
//
// Single-file program, run against the shaded worker jar:
//   java -Xmx256m -cp worker/target/partition-keeper.jar bench/ExportBench.java \
//        <jdbcUrl> <schema.table> <archiveDir> export|verify|both|warm|copyread
//
//   export    ParquetExporter.export into <archiveDir> (a filesystem store); the directory must not hold a
//             complete archive of the table yet (export would return ALREADY_DONE: this harness then fails)
//   verify    ArchiveVerifier.verify of the archive in <archiveDir> against the table
//   both      export, then verify, in one JVM (what the worker does for one partition)
//   warm      export, discard the archive, export again in the same JVM; reports the second (warm JIT),
//             i.e. a long-running worker's steady state rather than a fresh JVM's first export
//   iceberg   archive.format iceberg: IcebergArchiveFormat.export (files, Iceberg commit) into a warehouse in
//             <archiveDir>, the JDBC catalog in schema pk_bench_iceberg (dropped and created again first)
//   iceberg-both  the same, then IcebergArchiveFormat.verify (read back through Iceberg + re-read the table)
//   copyread  diagnostic only: the same COPY (SELECT ...) TO STDOUT (FORMAT binary) the exporter issues,
//             read through pgjdbc's CopyManager and discarded, i.e. the JVM's read limit without decoding
//
// Export options are ExportOptions.defaults() (ZSTD level 1, 64 MiB row groups, 1 MiB pages) unless
// -Dbench.zstdLevel=N, -Dbench.rowGroupMiB=N or -Dbench.pageKiB=N say otherwise (for what-if variants).
// The table is exported as its own parent (source = parent = <schema.table>, partition = table name), with
// the `transactions` bounds of January 2025 and partition key `created_at` (override: -Dbench.key=col).
// Connects as user postgres without a password (override: -Dbench.user=, -Dbench.password=).
//
// Prints one line to stdout, key=value pairs separated by spaces, e.g.
//   RESULT mode=both ok=true rows=2000000 bytes=123456 files=1 export_s=4.123 verify_s=3.456 total_s=7.579
// Everything else (the library's log lines) goes to stderr. Exit status 0 only when the operation
// succeeded (export DONE with the expected outcome; verify ok).

import com.zaxxer.hikari.HikariDataSource;
import dev.partitionkeeper.activities.archive.export.ExportOptions;
import dev.partitionkeeper.activities.archive.export.ExportRequest;
import dev.partitionkeeper.activities.archive.export.ParquetExporter;
import dev.partitionkeeper.activities.archive.export.ProgressListener;
import dev.partitionkeeper.activities.archive.iceberg.IcebergArchiveFormat;
import dev.partitionkeeper.activities.archive.iceberg.IcebergSettings;
import dev.partitionkeeper.activities.archive.manifest.ArchiveLayout;
import dev.partitionkeeper.activities.archive.store.ArchiveStore;
import dev.partitionkeeper.activities.archive.store.ArchiveStores;
import dev.partitionkeeper.activities.archive.verify.ArchiveVerifier;
import dev.partitionkeeper.activities.postgres.PgDataSources;
import dev.partitionkeeper.workflows.activity.ActionResult;
import dev.partitionkeeper.workflows.activity.ExportResult;
import dev.partitionkeeper.workflows.activity.VerifyResult;
import dev.partitionkeeper.workflows.model.DefaultPartitionMode;
import dev.partitionkeeper.workflows.model.PartitionInterval;
import dev.partitionkeeper.workflows.model.RetentionAction;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.model.TablePolicy;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postgresql.PGConnection;

public class ExportBench {

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println(
          "usage: ExportBench <jdbcUrl> <schema.table> <archiveDir> export|verify|both|warm|iceberg|iceberg-both|copyread");
      System.exit(2);
    }
    String url = args[0];
    TableName table = TableName.parse(args[1], "public");
    String archiveDir = args[2];
    String mode = args[3].toLowerCase(Locale.ROOT);
    String key = System.getProperty("bench.key", "created_at");
    String user = System.getProperty("bench.user", "postgres");
    String password = System.getProperty("bench.password");

    StringBuilder out = new StringBuilder("RESULT mode=").append(mode);
    boolean ok = true;
    try (HikariDataSource ds = PgDataSources.create(url, user, password, 4)) {
      // open a connection before the clock starts: pool start-up is not part of an export
      try (Connection c = ds.getConnection()) {
        c.isValid(5);
      }
      switch (mode) {
        case "export" -> {
          ArchiveStore store = ArchiveStores.open(archiveDir);
          long t0 = System.nanoTime();
          ExportResult r = export(ds, store, table, key);
          double s = secs(t0);
          ok = ActionResult.DONE.equals(r.outcome());
          out.append(" ok=").append(ok).append(exportFields(r)).append(fmt(" export_s", s))
              .append(fmt(" total_s", s));
        }
        case "warm" -> {
          // a worker's steady state: one export to warm the JIT up, the archive discarded, the second timed
          ArchiveStore store = ArchiveStores.open(archiveDir);
          long t0 = System.nanoTime();
          ExportResult first = export(ds, store, table, key);
          double w = secs(t0);
          new ParquetExporter(ds, store, options()).discard(ArchiveLayout.of(table, table.table()));
          long t1 = System.nanoTime();
          ExportResult r = export(ds, store, table, key);
          double s = secs(t1);
          ok = ActionResult.DONE.equals(first.outcome()) && ActionResult.DONE.equals(r.outcome());
          out.append(" ok=").append(ok).append(exportFields(r)).append(fmt(" warmup_s", w)).append(fmt(" export_s", s))
              .append(fmt(" total_s", s));
        }
        case "verify" -> {
          ArchiveStore store = ArchiveStores.open(archiveDir);
          long t0 = System.nanoTime();
          VerifyResult v = verify(ds, store, table);
          double s = secs(t0);
          ok = v.ok();
          out.append(" ok=").append(ok).append(verifyFields(v)).append(fmt(" verify_s", s)).append(fmt(" total_s", s));
          if (!v.ok()) {
            System.err.println(v.summary());
          }
        }
        case "both" -> {
          ArchiveStore store = ArchiveStores.open(archiveDir);
          long t0 = System.nanoTime();
          ExportResult r = export(ds, store, table, key);
          double e = secs(t0);
          long t1 = System.nanoTime();
          VerifyResult v = verify(ds, store, table);
          double w = secs(t1);
          double s = secs(t0);
          ok = ActionResult.DONE.equals(r.outcome()) && v.ok();
          out.append(" ok=").append(ok).append(exportFields(r)).append(verifyFields(v))
              .append(fmt(" export_s", e)).append(fmt(" verify_s", w)).append(fmt(" total_s", s));
          if (!v.ok()) {
            System.err.println(v.summary());
          }
        }
        case "iceberg", "iceberg-both" -> {
          try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS pk_bench_iceberg CASCADE");
            st.execute("CREATE SCHEMA pk_bench_iceberg");
          }
          IcebergSettings settings = IcebergSettings.jdbcInSchema(url, user, password, "pk_bench_iceberg", archiveDir);
          TablePolicy policy = new TablePolicy(table, PartitionInterval.MONTHLY, 4, null, "UTC",
              DefaultPartitionMode.NONE, RetentionAction.DETACH_ONLY, 7);
          try (IcebergArchiveFormat f = new IcebergArchiveFormat(ds, settings, options())) {
            long t0 = System.nanoTime();
            ExportResult r = f.export(policy, request(table, key), ProgressListener.NONE);
            double e = secs(t0);
            ok = ActionResult.DONE.equals(r.outcome());
            out.append(exportFields(r)).append(fmt(" export_s", e));
            if (mode.equals("iceberg-both")) {
              long t1 = System.nanoTime();
              VerifyResult v = f.verify(policy, table.table(), table);
              out.append(verifyFields(v)).append(fmt(" verify_s", secs(t1)));
              ok = ok && v.ok();
              if (!v.ok()) {
                System.err.println(v.summary());
              }
            }
            out.append(" ok=").append(ok).append(fmt(" total_s", secs(t0)));
          }
        }
        case "copyread" -> {
          long t0 = System.nanoTime();
          long[] rb = copyRead(ds, table);
          double s = secs(t0);
          out.append(" ok=true rows=").append(rb[0]).append(" copy_bytes=").append(rb[1]).append(fmt(" total_s", s));
        }
        default -> {
          System.err.println("unknown mode " + mode + "; use export, verify, both, warm, iceberg, iceberg-both or copyread");
          System.exit(2);
        }
      }
    }
    Runtime rt = Runtime.getRuntime();
    ExportOptions o = options();
    out.append(" zstd_level=").append(o.zstdLevel()).append(" row_group_bytes=").append(o.rowGroupBytes())
        .append(" page_bytes=").append(o.pageBytes()).append(" heap_max_mb=").append(rt.maxMemory() / (1024 * 1024));
    System.out.println(out);
    System.exit(ok ? 0 : 1);
  }

  private static ExportResult export(HikariDataSource ds, ArchiveStore store, TableName table, String key)
      throws Exception {
    ExportRequest req = request(table, key);
    ExportResult r = new ParquetExporter(ds, store, options()).export(req, ProgressListener.NONE);
    if (!ActionResult.DONE.equals(r.outcome())) {
      System.err.println("export returned " + r.outcome() + " (an archive exists already? delete " + r.archive()
          + " between runs)");
    }
    return r;
  }

  private static ExportRequest request(TableName table, String key) {
    return new ExportRequest(table, table, table.table(), "2025-01-01 00:00:00+00", "2025-02-01 00:00:00+00", key);
  }

  /** ExportOptions.defaults(), unless -Dbench.zstdLevel=N / -Dbench.rowGroupMiB=N / -Dbench.pageKiB=N ask otherwise. */
  static ExportOptions options() {
    ExportOptions.Builder b = ExportOptions.defaults().toBuilder();
    String level = System.getProperty("bench.zstdLevel");
    String rowGroup = System.getProperty("bench.rowGroupMiB");
    String page = System.getProperty("bench.pageKiB");
    if (level != null) {
      b.zstdLevel(Integer.parseInt(level));
    }
    if (rowGroup != null) {
      b.rowGroupBytes(Integer.parseInt(rowGroup) * 1024 * 1024);
    }
    if (page != null) {
      b.pageBytes(Integer.parseInt(page) * 1024);
    }
    return b.build();
  }

  private static VerifyResult verify(HikariDataSource ds, ArchiveStore store, TableName table) throws Exception {
    return new ArchiveVerifier(ds, store).verify(ArchiveLayout.of(table, table.table()), table);
  }

  /** The exporter's COPY statement shape (json/jsonb cast to text, as the exporter reads them; other
   *  text-form types are not replicated), read and discarded. */
  private static long[] copyRead(HikariDataSource ds, TableName table) throws Exception {
    try (Connection c = ds.getConnection()) {
      List<String> cols = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT attname, atttypid::regtype::text IN ('json', 'jsonb') FROM pg_attribute WHERE attrelid = '" + table.quoted()
              + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
        while (rs.next()) {
          cols.add(TableName.quoteIdent(rs.getString(1)) + (rs.getBoolean(2) ? "::text" : ""));
        }
      }
      String sql = "COPY (SELECT " + String.join(", ", cols) + " FROM " + table.quoted()
          + ") TO STDOUT (FORMAT binary)";
      long[] bytes = {0};
      OutputStream sink = new OutputStream() {
        @Override
        public void write(int b) {
          bytes[0]++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
          bytes[0] += len;
        }
      };
      long rows = c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, sink);
      return new long[] {rows, bytes[0]};
    }
  }

  private static String exportFields(ExportResult r) {
    return " outcome=" + r.outcome() + " rows=" + r.rows() + " bytes=" + r.bytes() + " files=" + r.files()
        + " text_form=" + String.join(",", r.textFormColumns()) + " attempts=" + r.attempts();
  }

  private static String verifyFields(VerifyResult v) {
    return " verified=" + v.ok() + " source_rows=" + v.sourceRows() + " archive_rows=" + v.archiveRows();
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static String fmt(String name, double s) {
    return String.format(Locale.ROOT, "%s=%.3f", name, s);
  }
}

package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.CatalogConflictException;
import dev.partitionkeeper.activities.postgres.LockBusyException;
import dev.partitionkeeper.activities.postgres.LockGate;
import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.activities.postgres.PolicyException;
import dev.partitionkeeper.activities.postgres.PostgresPartitionActivitiesImpl;
import dev.partitionkeeper.activities.postgres.Privileges;
import dev.partitionkeeper.activities.postgres.Refusals;
import dev.partitionkeeper.activities.postgres.Sql;
import dev.partitionkeeper.workflows.activity.Failures;
import dev.partitionkeeper.workflows.convert.ConvertActivities;
import dev.partitionkeeper.workflows.convert.ConvertMode;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.CopyResult;
import dev.partitionkeeper.workflows.convert.Inspection;
import dev.partitionkeeper.workflows.convert.PartitionLayout;
import dev.partitionkeeper.workflows.convert.ReplayResult;
import dev.partitionkeeper.workflows.convert.SwapResult;
import dev.partitionkeeper.workflows.convert.TableChecksum;
import dev.partitionkeeper.workflows.convert.Verification;
import dev.partitionkeeper.workflows.model.KeyType;
import dev.partitionkeeper.workflows.model.TableName;
import dev.partitionkeeper.workflows.plan.KeyAxis;
import dev.partitionkeeper.workflows.plan.MaintenancePlanner;
import dev.partitionkeeper.workflows.plan.PlannedAction;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The conversion steps on PostgreSQL. See {@link ConvertActivities} for what each promises. */
public final class ConvertActivitiesImpl implements ConvertActivities {
  private static final Logger log = LoggerFactory.getLogger(ConvertActivitiesImpl.class);

  /** Lock modes that conflict with SHARE ROW EXCLUSIVE (CREATE TRIGGER): every writer's ROW EXCLUSIVE among them. */
  static final Set<String> CONFLICTS_SHARE_ROW_EXCLUSIVE = Set.of("RowExclusiveLock", "ShareUpdateExclusiveLock",
      "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock");
  /** Log entries applied per replay transaction. */
  static final int REPLAY_BATCH = 5_000;
  /** The swap takes its lock once at most this many changes wait (they are replayed under the lock). */
  static final long SWAP_LOCK_BACKLOG = 1_000;
  /** One replay attempt stops after this long so the workflow's history shows progress round by round. */
  static final Duration REPLAY_ROUND = Duration.ofMinutes(10);
  static final String BEFORE_SWAP = "before swap";
  static final String AFTER_SWAP = "after swap";
  static final String BEFORE_SWAP_BACK = "before swap back";

  /** Test hook: called after each committed copy batch (a test throws here to kill the copy mid-way). */
  @FunctionalInterface
  interface BatchHook {
    void committed(long batches);
  }

  private final DataSource dataSource;
  private final LockGate gate;
  private final ConversionState state;
  private volatile BatchHook hook = b -> { };

  public ConvertActivitiesImpl(DataSource dataSource, LockSettings locks, String bookkeepingSchema) {
    this.dataSource = dataSource;
    this.gate = new LockGate(locks);
    this.state = new ConversionState(bookkeepingSchema);
  }

  void hook(BatchHook h) {
    this.hook = h;
  }

  static String twinName(TableName t) {
    return MaintenancePlanner.partitionName(t, "pk_new");
  }

  static String oldName(TableName t) {
    return MaintenancePlanner.partitionName(t, "old");
  }

  private String logTable(long oid, boolean reverse) {
    return state.qualified("convert_" + oid + (reverse ? "_rev" : "_fwd"));
  }

  private String captureFunction(long oid, boolean reverse) {
    return state.qualified("convert_" + oid + "_capture" + (reverse ? "_rev" : "_fwd"));
  }

  // ---------------------------------------------------------------- inspect

  @Override
  public Inspection inspect(ConvertRequest request) {
    TableName t = parse(request);
    return call(t, "inspect", c -> {
      // reads only: a refused conversion leaves the database exactly as it was, bookkeeping schema included
      Optional<ConversionState.Row> row = state.exists(c) ? state.find(c, t, false) : Optional.empty();
      if (request.modeOrDefault() != ConvertMode.CONVERT) {
        ConversionState.Row r = row.orElseThrow(() -> new PolicyException("no conversion of " + t + " is recorded in "
            + state.qualified("conversion") + "; nothing to " + request.modeOrDefault().name().toLowerCase()));
        return inspection(r, 0, null, null);
      }
      if (row.isPresent()) {
        ConversionState.Row r = row.get();
        switch (r.phase()) {
          case Inspection.SWAPPED, Inspection.FINISHED -> {
            return inspection(r, 0, null, null);
          }
          case Inspection.ROLLED_BACK -> {
            if (ConvertCatalog.oidOf(c, r.twinName()) != 0) {
              throw new CatalogConflictException(r.twinName() + " is the partitioned copy left by the rollback of an"
                  + " earlier conversion; drop it (DROP TABLE " + r.twinName().quoted() + ") to convert again");
            }
            row = Optional.empty();
          }
          default -> {
            if (!r.keyColumn().equals(request.column())) {
              throw new PolicyException("a conversion of " + t + " by column \"" + r.keyColumn() + "\" is under way;"
                  + " finish it, or abandon it with partition-keeper convert --rollback " + t);
            }
          }
        }
      }
      SourceTable s = ConvertCatalog.check(c, t, request.column());
      if (row.isEmpty()) {
        ConvertCatalog.requireFree(c, new TableName(t.schema(), twinName(t)), "for the partitioned copy");
        ConvertCatalog.requireFree(c, new TableName(t.schema(), oldName(t)), "for the original table after the swap");
      }
      Long[] range = keyRange(c, s);
      long estimate = Sql.queryLong(c, "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = ?", s.oid());
      return new Inspection(t.toString(), twinName(t), oldName(t), s.keyType(), s.primaryKey(), estimate, range[0],
          range[1], row.map(ConversionState.Row::phase).orElse(Inspection.NONE));
    });
  }

  private static Inspection inspection(ConversionState.Row r, long estimate, Long min, Long max) {
    return new Inspection(r.table().toString(), r.twin(), r.oldName(), r.keyType(), r.primaryKey(), estimate, min, max,
        r.phase());
  }

  /** min and max of the key on its axis (microseconds; see KeyAxis), null for an empty table. */
  private static Long[] keyRange(Connection c, SourceTable s) throws SQLException {
    String col = TableName.quoteIdent(s.keyColumn()) + (s.keyType() == KeyType.DATE ? "::timestamp" : "");
    try (PreparedStatement ps = c.prepareStatement("SELECT isfinite(min(" + col + ")) AND isfinite(max(" + col + ")),"
        + " min(" + col + ")::text, max(" + col + ")::text, (extract(epoch FROM min(" + col + ")) * 1000000)::text,"
        + " (extract(epoch FROM max(" + col + ")) * 1000000)::text FROM " + s.name().quoted());
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      if (rs.getString(2) == null) {
        return new Long[] {null, null};
      }
      if (!rs.getBoolean(1)) {
        throw new PolicyException("column \"" + s.keyColumn() + "\" of " + s.name() + " holds infinity (min "
            + rs.getString(2) + ", max " + rs.getString(3) + "); a range partition has no place for it: set a finite"
            + " value in those rows first");
      }
      return new Long[] {new java.math.BigDecimal(rs.getString(4)).longValue(),
          new java.math.BigDecimal(rs.getString(5)).longValue()};
    }
  }

  // ---------------------------------------------------------------- prepare

  @Override
  public String prepare(ConvertRequest request, PartitionLayout layout) {
    TableName t = parse(request);
    return call(t, "prepare", c -> {
      Optional<ConversionState.Row> row = state.exists(c) ? state.find(c, t, false) : Optional.empty();
      if (row.isPresent() && !Inspection.ROLLED_BACK.equals(row.get().phase())) {
        return "the partitioned copy " + row.get().twinName() + " was already prepared";
      }
      SourceTable s = ConvertCatalog.check(c, t, request.column());
      TableName twin = new TableName(t.schema(), twinName(t));
      ConvertCatalog.requireFree(c, twin, "for the partitioned copy");
      ConvertCatalog.requireFree(c, new TableName(t.schema(), oldName(t)), "for the original table after the swap");
      for (PlannedAction.CreatePartition p : layout.partitions()) {
        ConvertCatalog.requireFree(c, new TableName(t.schema(), p.partition()), "for a partition");
      }
      if (layout.defaultPartition() != null) {
        ConvertCatalog.requireFree(c, new TableName(t.schema(), layout.defaultPartition()),
            "for the DEFAULT partition");
      }
      // every check passed: only now the bookkeeping may change
      state.ensure(c);
      if (row.isPresent()) {
        state.delete(c, t); // a rolled-back conversion whose copy the operator dropped
      }
      TableSync sync = new TableSync(s);
      LockGate.Outcome<Integer> done = gate.run(c,
          List.of(new LockGate.Target(s.oid(), t.toString(), CONFLICTS_SHARE_ROW_EXCLUSIVE)), progress(),
          tx -> {
            if (locked(tx, t, s.oid()).isPresent()) {
              return -1; // another attempt prepared it meanwhile
            }
            Sql.exec(tx, "CREATE TABLE " + twin.quoted() + " (LIKE " + t.quoted() + " INCLUDING ALL)"
                + " PARTITION BY RANGE (" + TableName.quoteIdent(s.keyColumn()) + ")");
            for (String[] fk : rows(tx, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conrelid = ? AND contype = 'f' ORDER BY conname", s.oid())) {
              Sql.exec(tx, "ALTER TABLE " + twin.quoted() + " ADD CONSTRAINT " + TableName.quoteIdent(fk[0]) + " "
                  + fk[1]);
            }
            List<TableName> parts = new ArrayList<>();
            for (PlannedAction.CreatePartition p : layout.partitions()) {
              TableName part = new TableName(t.schema(), p.partition());
              Sql.exec(tx, "CREATE TABLE " + part.quoted() + " PARTITION OF " + twin.quoted() + " FOR VALUES FROM ("
                  + Sql.literal(KeyAxis.literal(p.from(), s.keyType())) + ") TO ("
                  + Sql.literal(KeyAxis.literal(p.to(), s.keyType())) + ")");
              parts.add(part);
            }
            if (layout.defaultPartition() != null) {
              TableName def = new TableName(t.schema(), layout.defaultPartition());
              Sql.exec(tx, "CREATE TABLE " + def.quoted() + " PARTITION OF " + twin.quoted() + " DEFAULT");
              parts.add(def);
            }
            for (String[] g : rows(tx, """
                SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                       a.privilege_type, a.is_grantable::text
                  FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = ? AND a.grantee <> c.relowner""", s.oid())) {
              Sql.exec(tx, "GRANT " + g[1] + " ON " + twin.quoted() + " TO " + g[0]
                  + ("true".equals(g[2]) ? " WITH GRANT OPTION" : ""));
            }
            // quoted by the server (format %L), whatever standard_conforming_strings says
            for (String[] d : rows(tx, "SELECT format('COMMENT ON TABLE %s IS %L', " + Sql.literal(twin.quoted())
                + ", obj_description(?::oid, 'pg_class'))", s.oid())) {
              if (d[0] != null) {
                Sql.exec(tx, d[0]);
              }
            }
            if (!s.owner().equals(currentUser(tx))) {
              Sql.exec(tx, "ALTER TABLE " + twin.quoted() + " OWNER TO " + TableName.quoteIdent(s.owner()));
              for (TableName part : parts) {
                Sql.exec(tx, "ALTER TABLE " + part.quoted() + " OWNER TO " + TableName.quoteIdent(s.owner()));
              }
            }
            sync.capture(tx, logTable(s.oid(), false), captureFunction(s.oid(), false),
                state.qualified("convert_refuse_truncate"), t);
            state.insert(tx, s, twin.table(), oldName(t), Inspection.PREPARED);
            return parts.size();
          });
      if (done.value() < 0) {
        return "the partitioned copy " + twin + " was already prepared";
      }
      log.info("prepared {} with {} partitions; capturing changes to {}", twin, done.value(), t);
      return "created " + twin + " with " + done.value() + " partitions; changes to " + t + " are captured from now on";
    });
  }

  // ---------------------------------------------------------------- copy

  @Override
  public CopyResult copy(ConvertRequest request) {
    TableName t = parse(request);
    return call(t, "copy", c -> {
      ConversionState.Row first = require(c, t);
      if (!Inspection.PREPARED.equals(first.phase())) {
        return new CopyResult(0, first.rowsCopied(), 0, false);
      }
      boolean resumed = first.copyPosition() != null;
      TableSync sync = new TableSync(first.source(t));
      int batch = request.batchRows() <= 0 ? ConvertRequest.DEFAULT_BATCH_ROWS : request.batchRows();
      if (request.rowsPerSecond() > 0) {
        batch = (int) Math.max(1, Math.min(batch, request.rowsPerSecond()));
      }
      long started = System.nanoTime();
      long rows = 0;
      long batches = 0;
      long total = first.rowsCopied();
      while (true) {
        c.setAutoCommit(false);
        try {
          lockConversion(c, first.sourceOid());
          ConversionState.Row r = require(c, t);
          if (!Inspection.PREPARED.equals(r.phase())) {
            c.commit();
            break;
          }
          TableSync.Batch b = sync.copyBatch(c, t, r.twinName(), r.copyPosition(), batch);
          if (b.rows() == 0) {
            state.phase(c, t, Inspection.COPIED);
            c.commit();
            break;
          }
          state.copied(c, t, b.last(), b.rows());
          c.commit();
          rows += b.rows();
          total = r.rowsCopied() + b.rows();
          batches++;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
        heartbeat("copied " + total + " rows");
        hook.committed(batches);
        throttle(started, rows, request.rowsPerSecond());
      }
      log.info("copied {} rows of {} in {} batches{}", rows, t, batches, resumed ? " (resumed)" : "");
      return new CopyResult(rows, total, batches, resumed);
    });
  }

  private static void throttle(long startedNanos, long rows, long perSecond) {
    if (perSecond <= 0) {
      return;
    }
    long due = startedNanos + rows * 1_000_000_000L / perSecond;
    long wait = (due - System.nanoTime()) / 1_000_000;
    if (wait > 0) {
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LockBusyException("interrupted while throttling the copy");
      }
    }
  }

  // ---------------------------------------------------------------- replay

  @Override
  public ReplayResult replay(ConvertRequest request, boolean reverse) {
    TableName t = parse(request);
    return call(t, reverse ? "replay since swap" : "replay", c -> {
      ConversionState.Row r = require(c, t);
      Direction d = direction(r, reverse);
      if (d == null) {
        return new ReplayResult(0, 0);
      }
      TableSync sync = new TableSync(r.source(t));
      long started = System.nanoTime();
      long applied = 0;
      while (true) {
        long n = inTransaction(c, false, tx -> {
          if (!locked(tx, t, r.sourceOid()).map(ConversionState.Row::phase).orElse("").equals(r.phase())) {
            return 0L; // a swap or rollback ran meanwhile (a zombie attempt): this direction is over
          }
          return sync.replayBatch(tx, d.log, d.source, d.target, REPLAY_BATCH);
        });
        applied += n;
        heartbeat("replayed " + applied + " changes");
        if (n < REPLAY_BATCH || System.nanoTime() - started > REPLAY_ROUND.toNanos()) {
          break;
        }
      }
      long pending = locked(c, t, 0).map(ConversionState.Row::phase).orElse("").equals(r.phase())
          ? TableSync.pending(c, d.log) : 0;
      log.info("replayed {} changes into {}; {} pending", applied, d.target, pending);
      return new ReplayResult(applied, pending);
    });
  }

  /** Where changes flow: forward before the swap (original to twin), reverse after it (new table to the old one). */
  private record Direction(String log, TableName source, TableName target) {}

  /** null when there is nothing to replay in this direction in this phase. */
  private Direction direction(ConversionState.Row r, boolean reverse) {
    if (!reverse) {
      if (Inspection.PREPARED.equals(r.phase())) {
        throw new CatalogConflictException("the copy into " + r.twinName() + " has not finished; run convert again");
      }
      return Inspection.COPIED.equals(r.phase()) ? new Direction(logTable(r.sourceOid(), false), r.table(),
          r.twinName()) : null;
    }
    return Inspection.SWAPPED.equals(r.phase()) ? new Direction(logTable(r.sourceOid(), true), r.table(),
        r.oldTable()) : null;
  }

  // ---------------------------------------------------------------- verify

  @Override
  public Verification verify(ConvertRequest request, String when) {
    TableName t = parse(request);
    return call(t, "verify " + when, c -> {
      ConversionState.Row r = require(c, t);
      TableSync sync = new TableSync(r.source(t));
      // taken before the REPEATABLE READ snapshot: it must see the last replay of any other attempt
      Sql.queryLong(c, "SELECT count(*) FROM (SELECT pg_advisory_lock(hashtext('partition-keeper convert'), ?::int)) x",
          (int) r.sourceOid());
      Verification v;
      try {
        v = inTransaction(c, true, tx -> {
        TableChecksum a;
        TableChecksum b;
        switch (when) {
          case BEFORE_SWAP, BEFORE_SWAP_BACK -> {
            boolean reverse = BEFORE_SWAP_BACK.equals(when);
            Direction d = direction(r, reverse);
            if (d == null) {
              throw new CatalogConflictException("cannot verify " + when + " of " + t + ": the conversion is "
                  + r.phase());
            }
            // apply every change this snapshot sees, then both tables must be equal in it
            while (sync.replayBatch(tx, d.log, d.source, d.target, REPLAY_BATCH) > 0) {
              heartbeat("replaying before the comparison");
            }
            if (TableSync.pending(tx, d.log) > 0) {
              throw new LockBusyException("changes visible to the comparison could not all be applied (unique"
                  + " conflicts); will retry");
            }
            a = sync.checksum(tx, d.source, null);
            b = sync.checksum(tx, d.target, null);
          }
          case AFTER_SWAP -> {
            if (!Inspection.SWAPPED.equals(r.phase())) {
              throw new CatalogConflictException("cannot verify after the swap of " + t + ": the conversion is "
                  + r.phase());
            }
            String rev = logTable(r.sourceOid(), true);
            a = sync.checksum(tx, r.oldTable(), rev);
            b = sync.checksum(tx, t, rev);
          }
          default -> throw new PolicyException("unknown verification \"" + when + "\"; expected one of: "
              + BEFORE_SWAP + ", " + AFTER_SWAP + ", " + BEFORE_SWAP_BACK);
        }
        return new Verification(when, a, b, a.rows() == b.rows() && a.checksum().equals(b.checksum()));
        });
      } finally {
        Sql.queryLong(c, "SELECT count(*) FROM (SELECT pg_advisory_unlock(hashtext('partition-keeper convert'),"
            + " ?::int)) x", (int) r.sourceOid());
      }
      if (v.ok()) {
        log.info("verified {}", v.describe());
      } else {
        log.error("verification failed: {}", v.describe());
      }
      return v;
    });
  }

  // ---------------------------------------------------------------- swap

  @Override
  public SwapResult swap(ConvertRequest request, boolean back) {
    TableName t = parse(request);
    return call(t, back ? "swap back" : "swap", c -> {
      Optional<ConversionState.Row> found = state.exists(c) ? state.find(c, t, false) : Optional.empty();
      if (back && found.isEmpty()) {
        // an abandon that committed before its attempt could report it, or no conversion at all
        return new SwapResult(t.toString(), "-", 0, 0, 0, List.of(), true);
      }
      ConversionState.Row r = found.isPresent() ? found.get() : require(c, t);
      if (!back) {
        if (Inspection.SWAPPED.equals(r.phase()) || Inspection.FINISHED.equals(r.phase())) {
          return new SwapResult(t.toString(), r.oldTable().toString(), 0, 0, 0, List.of(), true);
        }
        if (!Inspection.COPIED.equals(r.phase())) {
          throw new CatalogConflictException("cannot swap " + t + ": the conversion is " + r.phase());
        }
        return swapNames(c, t, r, false);
      }
      return switch (r.phase()) {
        case Inspection.SWAPPED -> swapNames(c, t, r, true);
        case Inspection.PREPARED, Inspection.COPIED -> abandon(c, t, r);
        case Inspection.FINISHED -> throw new CatalogConflictException("the conversion of " + t + " was finished (no"
            + " changes are recorded for a rollback any more); " + r.oldTable() + " is the original as it was at the"
            + " swap");
        default -> new SwapResult(t.toString(), r.twinName().toString(), 0, 0, 0, List.of(), true);
      };
    });
  }

  /**
   * The swap (or the swap back) in one transaction: the table taking over is the twin (forward) or the original
   * {@code <table>_old} (back); the live table under the name {@code t} gives the name up.
   */
  private SwapResult swapNames(Connection c, TableName t, ConversionState.Row r, boolean back) throws SQLException {
    TableName incoming = back ? r.oldTable() : r.twinName();
    TableName outgoing = back ? r.twinName() : r.oldTable();
    long liveOid = back ? ConvertCatalog.oidOf(c, t) : r.sourceOid();
    long incomingOid = back ? r.sourceOid() : ConvertCatalog.oidOf(c, incoming);
    String changes = logTable(r.sourceOid(), back);
    TableSync sync = new TableSync(r.source(t));
    // the backlog is replayed before the lock, so that the lock covers only what arrives meanwhile
    long early = 0;
    for (long n; (n = inTransaction(c, false, tx -> locked(tx, t, r.sourceOid()).isPresent()
        ? sync.replayBatch(tx, changes, t, incoming, REPLAY_BATCH) : 0L)) > 0; ) {
      early += n;
      heartbeat("replayed " + early + " changes before the swap");
      if (n < REPLAY_BATCH && TableSync.pending(c, changes) <= SWAP_LOCK_BACKLOG) {
        break;
      }
    }
    List<String[]> views = ConvertCatalog.dependentViews(c, liveOid);
    List<String[]> sequences = ConvertCatalog.ownedSequences(c, liveOid);
    List<LockGate.Target> targets = new ArrayList<>();
    for (String[] v : views) {
      targets.add(new LockGate.Target(Long.parseLong(v[0]), v[1] + "." + v[2], LockGate.ALL_MODES));
    }
    for (String[] q : sequences) {
      targets.add(new LockGate.Target(Long.parseLong(q[2]), q[0], CONFLICTS_SHARE_ROW_EXCLUSIVE));
    }
    targets.add(new LockGate.Target(liveOid, t.toString(), LockGate.ALL_MODES));
    targets.add(new LockGate.Target(incomingOid, incoming.toString(), LockGate.ALL_MODES));
    long[] held = new long[1];
    String expected = back ? Inspection.SWAPPED : Inspection.COPIED;
    LockGate.Outcome<SwapResult> out = gate.run(c, targets, progress(), tx -> {
      long t0 = System.nanoTime();
      // the conversion's own lock first: never wait for it while holding the table's
      String phase = locked(tx, t, r.sourceOid()).map(ConversionState.Row::phase).orElse(Inspection.NONE);
      if (!expected.equals(phase)) {
        if (phase.equals(back ? Inspection.ROLLED_BACK : Inspection.SWAPPED)) {
          return new SwapResult(t.toString(), outgoing.toString(), 0, 0, 0, List.of(), true);
        }
        throw new CatalogConflictException("the conversion of " + t + " is " + phase + " now, not " + expected
            + "; another attempt changed it");
      }
      // lock order as the writers have it: sequences (nextval) and views before the table
      for (String[] q : sequences) {
        Sql.exec(tx, "ALTER SEQUENCE " + q[0] + " OWNED BY " + incoming.quoted() + "." + TableName.quoteIdent(q[1]));
      }
      StringBuilder lock = new StringBuilder("LOCK TABLE ");
      for (String[] v : views) {
        lock.append(new TableName(v[1], v[2]).quoted()).append(", ");
      }
      Sql.exec(tx, lock + t.quoted() + ", " + incoming.quoted() + " IN ACCESS EXCLUSIVE MODE");
      long replayed = 0;
      for (long n; (n = sync.replayBatch(tx, changes, t, incoming, REPLAY_BATCH)) > 0; ) {
        replayed += n;
      }
      long stuck = TableSync.pending(tx, changes);
      if (stuck > 0) {
        // never drop a change: give the lock back and try again later
        throw new LockBusyException(stuck + " changes could not be applied to " + incoming + " (unique conflicts);"
            + " will retry");
      }
      sync.dropCapture(tx, changes, captureFunction(r.sourceOid(), back), t);
      sync.handOverIdentity(tx, t, incoming);
      // the table's own triggers move with the name (forward only: the original keeps its own); they were never
      // on the twin, so the copy and the replay did not fire them
      List<String[]> triggers = back ? List.of() : ConvertCatalog.userTriggers(tx, liveOid);
      List<String[]> defs = viewDefinitions(tx, views, triggers);
      List<String> renames;
      if (back) {
        renames = List.of();
        List<String> done = r.indexRenames() == null ? List.of() : r.indexRenames();
        for (int i = 0; i + 2 < done.size(); i += 3) {
          // [original, the original's index now, the twin's index before]: put both back
          renameIndex(tx, t.schema(), done.get(i), done.get(i + 2));
          renameIndex(tx, t.schema(), done.get(i + 1), done.get(i));
        }
      } else {
        renames = renameIndexes(tx, t.schema(), r.sourceOid(), incomingOid);
      }
      Sql.exec(tx, "ALTER TABLE " + t.quoted() + " RENAME TO " + TableName.quoteIdent(outgoing.table()));
      Sql.exec(tx, "ALTER TABLE " + incoming.quoted() + " RENAME TO " + TableName.quoteIdent(t.table()));
      List<String> repointed = new ArrayList<>();
      sequences.forEach(q -> repointed.add("sequence " + q[0]));
      repointed.addAll(recreateViews(tx, defs, t));
      if (!back) {
        // from now on the original is frozen: changes on the new table are recorded for a rollback
        sync.capture(tx, logTable(r.sourceOid(), true), captureFunction(r.sourceOid(), true), null, t);
      }
      state.swapped(tx, t, back ? Inspection.ROLLED_BACK : Inspection.SWAPPED, renames);
      held[0] = (System.nanoTime() - t0) / 1_000_000;
      return new SwapResult(t.toString(), outgoing.toString(), replayed, 0, 0, repointed, false);
    });
    SwapResult s = out.value();
    if (s.alreadyDone()) {
      return s;
    }
    log.info("swapped {}{}: {} took the name, the other table is now {} ({} changes replayed, held the lock {} ms,"
        + " {} attempts)", t, back ? " back" : "", incoming, outgoing, s.replayed(), held[0], out.attempts());
    return new SwapResult(s.table(), s.renamedTo(), early + s.replayed(), out.attempts(), held[0], s.repointed(),
        false);
  }

  /** A rollback before the swap: stop capturing and drop the partial copy; the original was never touched. */
  private SwapResult abandon(Connection c, TableName t, ConversionState.Row r) throws SQLException {
    TableName twin = r.twinName();
    TableSync sync = new TableSync(r.source(t));
    boolean done = gate.run(c, List.of(new LockGate.Target(r.sourceOid(), t.toString(), LockGate.ALL_MODES)),
        progress(), tx -> {
      Optional<ConversionState.Row> now = locked(tx, t, r.sourceOid());
      if (now.isEmpty()) {
        return true; // another attempt abandoned it
      }
      if (!Inspection.PREPARED.equals(now.get().phase()) && !Inspection.COPIED.equals(now.get().phase())) {
        throw new CatalogConflictException("the conversion of " + t + " is " + now.get().phase() + " now; run the"
            + " rollback again");
      }
      sync.dropCapture(tx, logTable(r.sourceOid(), false), captureFunction(r.sourceOid(), false), t);
      Sql.exec(tx, "DROP TABLE IF EXISTS " + twin.quoted());
      state.delete(tx, t);
      return false;
    }).value();
    if (done) {
      return new SwapResult(t.toString(), twin.toString(), 0, 0, 0, List.of(), true);
    }
    log.info("abandoned the conversion of {} before its swap: dropped the partial copy {}", t, twin);
    return new SwapResult(t.toString(), twin + " (dropped: the swap never happened)", 0, 1, 0, List.of(), false);
  }

  /**
   * Definitions of dependent views and of the table's triggers, schema-qualified throughout, read before any
   * rename: [kind, qualified name, definition, options or tgenabled].
   */
  private static List<String[]> viewDefinitions(Connection tx, List<String[]> views, List<String[]> triggers)
      throws SQLException {
    List<String[]> out = new ArrayList<>();
    if (views.isEmpty() && triggers.isEmpty()) {
      return out;
    }
    String saved = rows(tx, "SELECT current_setting('search_path')", null).get(0)[0];
    // with only pg_catalog on the path, pg_get_viewdef and pg_get_triggerdef qualify every name
    Sql.exec(tx, "SET LOCAL search_path = pg_catalog, pg_temp");
    for (String[] v : views) {
      for (String[] d : rows(tx, "SELECT pg_get_viewdef(c.oid), array_to_string(c.reloptions, ', ')"
          + " FROM pg_class c WHERE c.oid = ?", Long.parseLong(v[0]))) {
        out.add(new String[] {"view", new TableName(v[1], v[2]).quoted(), d[0], d[1]});
      }
    }
    for (String[] g : triggers) {
      for (String[] d : rows(tx, "SELECT pg_get_triggerdef(?::oid)", Long.parseLong(g[0]))) {
        out.add(new String[] {"trigger", TableName.quoteIdent(g[1]), d[0], g[2]});
      }
    }
    try (PreparedStatement ps = tx.prepareStatement("SELECT set_config('search_path', ?, true)")) {
      ps.setString(1, saved);
      ps.executeQuery().close();
    }
    return out;
  }

  /** Re-creates dependent views and the table's triggers on the table that now has the name {@code t}. */
  private static List<String> recreateViews(Connection tx, List<String[]> defs, TableName t) throws SQLException {
    List<String> out = new ArrayList<>();
    for (String[] d : defs) {
      if ("view".equals(d[0])) {
        String with = d[3] == null || d[3].isEmpty() ? "" : " WITH (" + d[3] + ")";
        Sql.exec(tx, "CREATE OR REPLACE VIEW " + d[1] + with + " AS " + d[2]);
        out.add("view " + d[1]);
      } else {
        Sql.exec(tx, d[2]);
        String state = switch (d[3]) {
          case "D" -> "DISABLE TRIGGER ";
          case "R" -> "ENABLE REPLICA TRIGGER ";
          case "A" -> "ENABLE ALWAYS TRIGGER ";
          default -> null;
        };
        if (state != null) {
          Sql.exec(tx, "ALTER TABLE " + t.quoted() + " " + state + d[1]);
        }
        out.add("trigger " + d[1]);
      }
    }
    return out;
  }

  /**
   * Gives the twin's indexes the original names (so {@code transactions_pkey} stays {@code transactions_pkey}); the
   * original's get an {@code _old} suffix. Indexes pair up by kind and definition.
   *
   * @return triples: original name, the original index's new name, the twin index's former name
   */
  private static List<String> renameIndexes(Connection tx, String schema, long sourceOid, long twinOid)
      throws SQLException {
    String sql = "SELECT c.relname, i.indisunique::text || i.indisprimary::text"
        + " || coalesce(substring(pg_get_indexdef(i.indexrelid) from ' USING .*$'), '')"
        + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ? ORDER BY c.relname";
    List<String[]> source = rows(tx, sql, sourceOid);
    List<String[]> twin = new ArrayList<>(rows(tx, sql, twinOid));
    List<String> out = new ArrayList<>();
    for (String[] s : source) {
      String[] match = null;
      for (String[] w : twin) {
        if (w[1].equals(s[1])) {
          match = w;
          break;
        }
      }
      if (match == null) {
        continue;
      }
      twin.remove(match);
      String freed = freeName(tx, schema, MaintenancePlanner.partitionName(new TableName(schema, s[0]), "old"));
      renameIndex(tx, schema, s[0], freed);
      renameIndex(tx, schema, match[0], s[0]);
      out.add(s[0]);
      out.add(freed);
      out.add(match[0]);
    }
    return out;
  }

  private static String freeName(Connection tx, String schema, String wanted) throws SQLException {
    String name = wanted;
    for (int i = 2; ConvertCatalog.oidOf(tx, new TableName(schema, name)) != 0; i++) {
      name = MaintenancePlanner.partitionName(new TableName(schema, wanted), Integer.toString(i));
    }
    return name;
  }

  private static void renameIndex(Connection tx, String schema, String from, String to) throws SQLException {
    if (!from.equals(to)) {
      Sql.exec(tx, "ALTER INDEX " + new TableName(schema, from).quoted() + " RENAME TO " + TableName.quoteIdent(to));
    }
  }

  // ---------------------------------------------------------------- finish

  @Override
  public String finish(ConvertRequest request) {
    TableName t = parse(request);
    return call(t, "finish", c -> {
      ConversionState.Row r = require(c, t);
      if (Inspection.FINISHED.equals(r.phase())) {
        return "the conversion of " + t + " was already finished; " + r.oldTable() + " stays until you drop it";
      }
      if (!Inspection.SWAPPED.equals(r.phase())) {
        throw new CatalogConflictException("cannot finish the conversion of " + t + ": it is " + r.phase()
            + " (finish follows a swap)");
      }
      TableSync sync = new TableSync(r.source(t));
      long oid = ConvertCatalog.oidOf(c, t);
      gate.run(c, List.of(new LockGate.Target(oid, t.toString(), LockGate.ALL_MODES)), progress(), tx -> {
        String phase = locked(tx, t, r.sourceOid()).map(ConversionState.Row::phase).orElse(Inspection.NONE);
        if (Inspection.FINISHED.equals(phase)) {
          return null;
        }
        if (!Inspection.SWAPPED.equals(phase)) {
          throw new CatalogConflictException("the conversion of " + t + " is " + phase + " now; finish follows a swap");
        }
        sync.dropCapture(tx, logTable(r.sourceOid(), true), captureFunction(r.sourceOid(), true), t);
        state.phase(tx, t, Inspection.FINISHED);
        return null;
      });
      return "stopped recording changes to " + t + " for a rollback; " + r.oldTable() + " stays, untouched, until you"
          + " drop it (DROP TABLE " + r.oldTable().quoted() + ")";
    });
  }

  // ---------------------------------------------------------------- plumbing

  private static TableName parse(ConvertRequest request) {
    try {
      request.validated();
      return request.tableName();
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.INVALID_POLICY);
    }
  }

  private ConversionState.Row require(Connection c, TableName t) throws SQLException {
    Optional<ConversionState.Row> row = state.exists(c) ? state.find(c, t, false) : Optional.empty();
    return row.orElseThrow(() -> new PolicyException("no conversion of " + t + " is recorded in "
        + state.qualified("conversion") + "; start one with partition-keeper convert " + t));
  }

  /**
   * Takes the conversion's lock and reads its row again: what an earlier read said may have changed while this
   * attempt waited (a zombie attempt of another step).
   */
  private Optional<ConversionState.Row> locked(Connection tx, TableName t, long oid) throws SQLException {
    if (oid != 0) {
      lockConversion(tx, oid);
    }
    return state.exists(tx) ? state.find(tx, t, false) : Optional.empty();
  }

  /** One conversion step at a time per table, whatever the workers and retries do. */
  private static void lockConversion(Connection c, long oid) throws SQLException {
    Sql.queryLong(c, "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext('partition-keeper convert'),"
        + " ?::int)) x", (int) oid);
  }

  @FunctionalInterface
  private interface Body<T> {
    T run(Connection c) throws SQLException;
  }

  private static <T> T inTransaction(Connection c, boolean repeatableRead, Body<T> body) throws SQLException {
    c.setAutoCommit(false);
    try {
      if (repeatableRead) {
        Sql.exec(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      }
      T v = body.run(c);
      c.commit();
      return v;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private <T> T call(TableName t, String step, Body<T> body) {
    MDC.put("table", t.toString());
    MDC.put("step", "convert " + step);
    try (Connection c = dataSource.getConnection()) {
      return body.run(c);
    } catch (PolicyException | CatalogConflictException | LockBusyException e) {
      throw Refusals.failure(e);
    } catch (SQLException e) {
      if (Privileges.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
        // a grant does not appear by retrying
        throw ApplicationFailure.newNonRetryableFailure(Privileges.refused("convert " + step + " " + t, e,
            "convert needs to own the table (be a member of its owner role), USAGE and CREATE on its schema, and"
            + " the bookkeeping schema's grants (docs/operations.md, Least-privilege grants); views and sequences"
            + " that depend on the table must be owned by a role it is a member of too"),
            Failures.INSUFFICIENT_PRIVILEGE);
      }
      if ("23514".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("no partition")) {
        throw ApplicationFailure.newNonRetryableFailure("convert " + step + " " + t + ": a row's key lies outside"
            + " the partitions made for it (written during the conversion?): " + e.getMessage() + "; roll back with"
            + " partition-keeper convert --rollback " + t + " and convert again with --default-partition",
            Failures.INVALID_POLICY);
      }
      // retryable: connection loss, a restart; the message says what PostgreSQL said
      throw ApplicationFailure.newFailure("convert " + step + " " + t + " failed: " + e.getMessage() + " (SQLState "
          + e.getSQLState() + ")", Failures.SQL_EXCEPTION);
    } finally {
      MDC.remove("table");
      MDC.remove("step");
    }
  }

  private static String currentUser(Connection c) throws SQLException {
    return rows(c, "SELECT current_user::text", null).get(0)[0];
  }

  private static List<String[]> rows(Connection c, String sql, Long oid) throws SQLException {
    List<String[]> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (oid != null) {
        ps.setLong(1, oid);
      }
      try (ResultSet rs = ps.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          String[] row = new String[n];
          for (int i = 0; i < n; i++) {
            row[i] = rs.getString(i + 1);
          }
          out.add(row);
        }
      }
    }
    return out;
  }

  private static LockGate.Progress progress() {
    ActivityExecutionContext ctx = PostgresPartitionActivitiesImpl.context();
    return ctx == null ? blocker -> { } : blocker -> ctx.heartbeat("waiting outside the lock queue for " + blocker);
  }

  private static void heartbeat(String what) {
    ActivityExecutionContext ctx = PostgresPartitionActivitiesImpl.context();
    if (ctx != null) {
      ctx.heartbeat(what);
    }
  }
}

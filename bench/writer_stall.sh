#!/usr/bin/env bash
# Benchmark 1 (issue 6): write availability while a maintenance pass runs, pg_partman vs partition-keeper.
#
# Same scenario as /work/shared/anchors/writer_stall.sh: a monthly range-partitioned `transactions`
# table (15 partitions: 12 months back .. 2 ahead, 20k rows in each past/current month), a steady pgbench
# writer (INSERT ... created_at = now(), -c 2 -R 200 -T 40, per-transaction latency log), a reader that at
# t=5 s opens a transaction, reads the table (SELECT count(*)) and holds it 15 s, and a maintenance pass
# that must detach 1 expired partition (retention 12 -> 11 months) and create 2 future ones
# (premake 2 -> 4). Variants:
#   partman       pg_partman 4.7 (default partition, retention_keep_table), CALL partman.run_maintenance_proc()
#                 at t=7 s, as shipped (no lock_timeout) -- the baseline
#   pk_default    partition-keeper `once` (default partition kept): the JVM is started at t=PK_START_AT
#                 (default 5 s, right after the reader) so that its DDL runs while the reader holds its
#                 transaction; the script logs when the DDL actually ran (server log, log_statement=ddl)
#   pk_nodefault  the same table without a default partition (DETACH ... CONCURRENTLY)
#   pk_worker     the deployment shape: like pk_default, but the worker (`partition-keeper worker`) and a
#                 Temporal server (the SDK's standalone test server, standing in for a cluster) are started
#                 before the load; bench/ScheduledTrigger.java stands in for the Schedule: started and warmed
#                 up (one dry-run pass) before the load, it asks for the pass at t=MAINT_AT with the same
#                 update as `maintain --wait` -- no process starts during the run
#   none          control: the same table with a default partition, writers and reader, no maintenance
#                 at all -- the noise floor of the machine (not in the default list)
# Each run gets a fresh database; variants are interleaved per repetition; medians over REPS runs.
#
# Usage:  bash bench/writer_stall.sh [VARIANT...]      (default: partman pk_default pk_nodefault)
#         REPS=1 bash bench/writer_stall.sh pk_default
# Env: REPS (3), MAX_SECONDS (900, hard cap of the whole script), PORT (55461), OUT (bench/out/writer_stall),
#      PK_START_AT (5), LOCK_TIMEOUT (100ms), PK_JAR (jar to use), BUILD=1 (rebuild the jar first),
#      DEADLOCK_TIMEOUT (10ms: with log_lock_waits, every lock wait longer than this is logged with
#      the blocking pid -- the evidence for who waited on whom; the same for every variant),
#      QUIET_WAIT/QUIET_BELOW (before each run wait up to 30 s for the machine to be < 25% busy:
#      other work on 2 cores shows up directly as insert latency; other% in the table reports it),
#      NOISY_ABOVE/NOISY_RETRIES (e.g. 15/2: a run during which other processes used > 15% of the machine
#      is discarded and re-run, at most 2 times; default 0 retries -- under BENCH_NICE other processes
#      soak up idle CPU without delaying ours, so other% then overstates the noise),
#      WINDOW_RETRIES (1: a run whose first DDL came after the reader's transaction ended is re-run once),
#      BENCH_NICE (0; e.g. -10 runs everything the benchmark starts at that nice value, see lib.sh),
#      PK_NICE (0; a nice increment for partition-keeper's JVM only -- e.g. 19 to see what the writers
#      feel when the worker's JVM start-up does not compete with PostgreSQL for the 2 cores, as when
#      the worker runs on another machine; a diagnostic, not the headline),
#      SYNC_COMMIT (on, as the anchor; 'off' takes WAL fsync latency of a shared disk out of the numbers;
#      lock behaviour is unchanged).
# Needs root, PostgreSQL 15 binaries, pgbench, JDK 17; installs postgresql-15-partman when missing.
# Throwaway cluster in /tmp/pk-bench-stall on 127.0.0.1:$PORT (trust); stopped and deleted on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAX_SECONDS=${MAX_SECONDS:-900}
run_capped "$MAX_SECONDS" "$0" "$@"
SCRIPT_T0=$EPOCHREALTIME
apply_nice

PORT=${PORT:-55461}
REPS=${REPS:-3}
ROWS_PER_PART=${ROWS_PER_PART:-20000}
CLIENTS=${CLIENTS:-2}
RATE=${RATE:-200}
DURATION=${DURATION:-40}
READER_AT=${READER_AT:-5}
READER_SLEEP=${READER_SLEEP:-15}
MAINT_AT=${MAINT_AT:-7}
PK_START_AT=${PK_START_AT:-$READER_AT}
LOCK_TIMEOUT=${LOCK_TIMEOUT:-100ms}
DEADLOCK_TIMEOUT=${DEADLOCK_TIMEOUT:-10ms}
NOISY_ABOVE=${NOISY_ABOVE:-15}
SYNC_COMMIT=${SYNC_COMMIT:-on}
PK_NICE=${PK_NICE:-0}
TEMPORAL_PORT=${TEMPORAL_PORT:-$((PORT + 1000))}
NOISY_RETRIES=${NOISY_RETRIES:-0}
WINDOW_RETRIES=${WINDOW_RETRIES:-1}
BASE=/tmp/pk-bench-stall
OUT=${OUT:-$BENCH_DIR/out/writer_stall}
VARIANTS=("$@")
[ ${#VARIANTS[@]} -gt 0 ] || VARIANTS=(partman pk_default pk_nodefault)

require_root
for v in "${VARIANTS[@]}"; do
  case $v in partman | pk_default | pk_nodefault | pk_worker | none) ;; *) echo "unknown variant $v (partman pk_default pk_nodefault pk_worker none)"; exit 2 ;; esac
done
awk -v a="$PK_START_AT" -v b="$READER_AT" 'BEGIN{exit !(a >= b)}' ||
  { echo "PK_START_AT must be >= READER_AT"; exit 2; }
ensure_partman
command -v java >/dev/null || { echo "java (JDK 17) missing"; exit 2; }

bench_session   # PSQL, BG_PIDS, and a trap that stops and removes the cluster (lib.sh)

rm -rf "$OUT"
mkdir -p "$OUT"
log "starting throwaway cluster on 127.0.0.1:$PORT in $BASE"
start_cluster "$BASE" "$PORT" \
  "shared_buffers = 512MB" "max_wal_size = 4GB" "max_connections = 50" \
  "log_line_prefix = '%m [%p] %d %a '" "log_statement = 'ddl'" "log_lock_waits = on" \
  "deadlock_timeout = '$DEADLOCK_TIMEOUT'" "synchronous_commit = $SYNC_COMMIT"
JAR=$BASE/partition-keeper.jar
ensure_jar "$JAR"
if printf '%s\n' "${VARIANTS[@]}" | grep -qx pk_worker; then
  mkdir -p "$BASE/classes"
  javac -nowarn -d "$BASE/classes" -cp "$JAR" "$BENCH_DIR/ScheduledTrigger.java"
fi

# ------------------------------------------------------------------ setup of one run
setup_db() { # $1 variant, $2 db
  local variant=$1 db=$2
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  # the demo table's one definition (dev and docker-compose create it from the same file)
  "${PSQL[@]}" -d "$db" -f "$BENCH_DIR/../deploy/app-db/initdb/demo-transactions.psql" >/dev/null
  case $variant in
  partman)
    "${PSQL[@]}" -d "$db" <<'SQL'
CREATE SCHEMA partman;
CREATE EXTENSION pg_partman SCHEMA partman;
SELECT partman.create_parent('public.transactions', 'created_at', 'native', 'monthly',
         p_premake := 2,
         p_start_partition := to_char(date_trunc('month', now()) - interval '12 months', 'YYYY-MM-DD HH24:MI:SS'))
\g /dev/null
UPDATE partman.part_config SET retention = '12 months', retention_keep_table = true
 WHERE parent_table = 'public.transactions';
SQL
    ;;
  pk_* | none)
    "${PSQL[@]}" -d "$db" <<'SQL'
DO $$
DECLARE m int; lo timestamptz;
BEGIN
  FOR m IN -12..2 LOOP
    lo := date_trunc('month', now()) + make_interval(months => m);
    EXECUTE format('CREATE TABLE %I PARTITION OF transactions FOR VALUES FROM (%L) TO (%L)',
                   'transactions_p' || to_char(lo, 'YYYY_MM'), lo, lo + interval '1 month');
  END LOOP;
END $$;
SQL
    if [ "$variant" != pk_nodefault ]; then
      "${PSQL[@]}" -d "$db" -c "CREATE TABLE transactions_default PARTITION OF transactions DEFAULT"
    fi
    ;;
  esac
  "${PSQL[@]}" -d "$db" <<SQL
INSERT INTO transactions (account_id, amount, currency, status, memo, created_at, metadata)
SELECT 1 + floor(random() * 200000)::bigint,
       round((random() * 5000)::numeric, 2),
       (ARRAY['USD','EUR','GBP','CHF','JPY'])[1 + floor(random() * 5)::int],
       (ARRAY['pending','authorized','settled','declined','refunded'])[1 + floor(random() * 5)::int],
       substr(md5(random()::text), 1, 30),
       lo + random() * (least(lo + interval '1 month', now() - interval '1 minute') - lo),
       jsonb_build_object('channel', 'api', 'risk', round(random()::numeric, 3))
FROM generate_series(-12, 0) AS m
CROSS JOIN LATERAL (SELECT date_trunc('month', now()) + make_interval(months => m) AS lo) b
CROSS JOIN generate_series(1, $ROWS_PER_PART) AS g;
VACUUM ANALYZE transactions;
CHECKPOINT;
SQL
  case $variant in
  partman)
    # next maintenance: 1 expired partition (retention 12 -> 11 months), 2 missing future ones (premake 2 -> 4)
    "${PSQL[@]}" -d "$db" -c "UPDATE partman.part_config SET premake = 4, retention = '11 months' WHERE parent_table = 'public.transactions'"
    ;;
  pk_*)
    local mode=keep
    [ "$variant" = pk_nodefault ] && mode=none
    cat >"$3" <<YAML
postgres:
  url: jdbc:postgresql://127.0.0.1:$PORT/$db?user=postgres
maintenance:
  lock_timeout: $LOCK_TIMEOUT
tables:
  - table: public.transactions
    interval: monthly
    premake: 4
    retention: 11 months
    timezone: UTC
    default_partition: $mode
YAML
    ;;
  esac
}

month_lo() { # $1 db, $2 month offset -> "YYYY_MM YYYY-MM-DD"
  "${PSQL[@]}" -d "$1" -Atc "SELECT to_char(lo, 'YYYY_MM') || ' ' || to_char(lo, 'YYYY-MM-DD')
                             FROM (SELECT date_trunc('month', now()) + make_interval(months => $2) AS lo) s"
}

# layout check from pg_inherits: month -12 no longer attached but kept (partition_archive for
# partition-keeper, public for pg_partman), months +3 and +4 attached (matched by bound, not by name),
# nothing left detach-pending. Prints "ok (facts)" or "FAIL (facts)".
verify_layout() { # $1 db
  local db=$1 old old_lo n3 n3_lo n4 n4_lo
  read -r old old_lo < <(month_lo "$db" -12)
  read -r n3 n3_lo < <(month_lo "$db" 3)
  read -r n4 n4_lo < <(month_lo "$db" 4)
  "${PSQL[@]}" -d "$db" -Atc "
    WITH kids AS (
      SELECT c.oid, pg_get_expr(c.relpartbound, c.oid) AS b, i.inhdetachpending AS pending
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'public.transactions'::regclass),
    f AS (
      SELECT (SELECT count(*) FROM kids) AS attached,
             (SELECT count(*) FROM kids WHERE b LIKE 'FOR VALUES FROM (''$old_lo %') AS old_attached,
             (SELECT string_agg(n.nspname, ',') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relname = 'transactions_p$old' AND c.relkind = 'r') AS old_in,
             (SELECT count(*) FROM kids WHERE b LIKE 'FOR VALUES FROM (''$n3_lo %'
                                           OR b LIKE 'FOR VALUES FROM (''$n4_lo %') AS new_attached,
             (SELECT count(*) FROM kids WHERE pending) AS pending,
             (SELECT count(*) FROM kids WHERE b = 'DEFAULT') AS defaults)
    SELECT CASE WHEN old_attached = 0 AND old_in IS NOT NULL AND new_attached = 2 AND pending = 0
                THEN 'ok' ELSE 'FAIL' END
           || ' (' || attached || ' attached incl. ' || defaults || ' default; $old detached='
           || (old_attached = 0) || ' kept in ' || coalesce(old_in, 'nowhere') || '; $n3+$n4 attached='
           || new_attached || '/2; detach pending=' || pending || ')'
      FROM f"
}

# ------------------------------------------------------------------ one run
declare -a R_P99X R_KEEP R_VARIANT R_MAINT R_DDL R_MAX R_P99 R_GT1 R_FAIL R_NTX R_ATT R_LT R_OTHER R_VERIFY R_INWIN R_LW
run_one() { # $1 variant, $2 rep, $3 % busy before the run, $4 try
  local variant=$1 rep=$2 db="stall_${1}" dir="$OUT/run_${1}_$2${4:+_retry$4}" cfg
  mkdir -p "$dir"
  cfg=$dir/partition-keeper.yaml
  log "[$variant #$rep] setup"
  setup_db "$variant" "$db" "$cfg"
  cat >"$dir/insert.sql" <<'SQL'
\set acct random(1, 200000)
\set cents random(1, 500000)
INSERT INTO transactions (account_id, amount, currency, status, memo, created_at, metadata) VALUES (:acct, :cents / 100.0, 'USD', 'pending', md5(random()::text), now(), '{"channel": "api"}');
SQL
  local log_off t0 pgb_pid reader_pid pk_pid m0 m1 pgb_rc=0 maint_rc=0 r0 r1 busy_before
  local pm hb0 ht0 hb1 ht1 pg0 pg1
  busy_before=$3
  local wk_pid= ts_pid= wk_cpu0=0
  if [ "$variant" = pk_worker ]; then
    # the long-running shape: Temporal and the worker are up before the load, and their start-up is over
    java -cp "$JAR" io.temporal.testserver.TestServer "$TEMPORAL_PORT" >"$dir/temporal.log" 2>&1 &
    ts_pid=$!; BG_PIDS+=("$ts_pid")
    TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT PK_METRICS_ENABLED=false \
      java -jar "$JAR" worker --config "$cfg" >"$dir/worker.log" 2>&1 &
    wk_pid=$!; BG_PIDS+=("$wk_pid")
    local deadline=$((SECONDS + 120))
    until grep -q "worker started on task queue" "$dir/worker.log"; do
      [ $SECONDS -lt $deadline ] && kill -0 "$wk_pid" 2>/dev/null || { log "worker did not start: $(tail -3 "$dir/worker.log")"; exit 1; }
      sleep 0.2
    done
    # the Schedule's stand-in (bench/ScheduledTrigger.java): started, connected and warmed up (one dry-run
    # pass, as a worker that has run passes before) now; it fires at the time the run writes to fire_at
    rm -f "$dir/fire_at"
    java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$JAR:$BASE/classes" ScheduledTrigger \
      "127.0.0.1:$TEMPORAL_PORT" "$cfg" "$dir/fire_at" >"$dir/maint.json" 2>"$dir/trigger.log" &
    pk_pid=$!; BG_PIDS+=("$pk_pid")
    until grep -q "^ready" "$dir/trigger.log"; do
      [ $SECONDS -lt $deadline ] && kill -0 "$pk_pid" 2>/dev/null || { log "trigger did not start: $(tail -3 "$dir/trigger.log")"; exit 1; }
      sleep 0.2
    done
    sleep "${WORKER_SETTLE:-5}" # JIT and first polls done
    wk_cpu0=$(awk '{print $14 + $15}' "/proc/$wk_pid/stat")
  fi
  pm=$(head -1 "$BASE/data/postmaster.pid")
  read -r hb0 ht0 < <(host_ticks); pg0=$(pg_ticks "$pm")
  log_off=$(stat -c %s "$BASE/server.log")
  t0=$(now)
  # written whole, then renamed: the trigger never reads a half-written file
  [ "$variant" = pk_worker ] && awk -v t="$t0" -v d="$MAINT_AT" 'BEGIN{printf "%.6f\n", t+d}' >"$dir/fire_at.tmp" &&
    mv "$dir/fire_at.tmp" "$dir/fire_at"
  /usr/bin/time -f '%U %S' -o "$dir/pgbench.cpu" "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$PORT" -U postgres -f "$dir/insert.sql" \
    -c "$CLIENTS" -j "$CLIENTS" -R "$RATE" -T "$DURATION" -l --log-prefix="$BASE/pgbench_log" "$db" \
    >"$dir/pgbench.out" 2>&1 &
  pgb_pid=$!; BG_PIDS+=("$pgb_pid")

  sleep_until "$(awk -v t="$t0" -v d="$READER_AT" 'BEGIN{printf "%.6f", t+d}')"
  r0=$(now)
  # the reader's statements go to the server log (application_name=reader) for exact lock-hold times
  PGOPTIONS="$PGOPTIONS -c log_statement=all" PGAPPNAME=reader \
    "${PSQL[@]}" -d "$db" -c "BEGIN" -c "SELECT count(*) FROM transactions" -c "SELECT pg_sleep($READER_SLEEP)" -c "COMMIT" \
    >"$dir/reader.out" 2>&1 &
  reader_pid=$!; BG_PIDS+=("$reader_pid")

  case $variant in
  partman)
    sleep_until "$(awk -v t="$t0" -v d="$MAINT_AT" 'BEGIN{printf "%.6f", t+d}')"
    log "[$variant #$rep] run_maintenance_proc starts at t=$(elapsed "$t0" "$(now)")s"
    m0=$(now)
    "${PSQL[@]}" -d "$db" -c "CALL partman.run_maintenance_proc()" >"$dir/maint.out" 2>&1 || maint_rc=$?
    m1=$(now)
    ;;
  pk_worker)
    # fired by bench/ScheduledTrigger.java at t=MAINT_AT (fire_at): no process starts during the run
    m0=$(awk -v t="$t0" -v d="$MAINT_AT" 'BEGIN{printf "%.6f", t+d}')
    wait "$pk_pid" || maint_rc=$?
    m1=$(now)
    log "[$variant #$rep] $(grep -m1 '^fired at' "$dir/trigger.log" | awk -v t="$t0" '{printf "pass asked for at t=%.3fs", $3 / 1000 - t}')"
    ;;
  pk_*)
    sleep_until "$(awk -v t="$t0" -v d="$PK_START_AT" 'BEGIN{printf "%.6f", t+d}')"
    log "[$variant #$rep] partition-keeper JVM starts at t=$(elapsed "$t0" "$(now)")s"
    m0=$(now)
    /usr/bin/time -f '%U %S %M' -o "$dir/java.cpu" nice -n "$PK_NICE" \
      java -jar "$JAR" once --json --config "$cfg" >"$dir/maint.json" 2>"$dir/maint.log" &
    pk_pid=$!; BG_PIDS+=("$pk_pid")
    wait "$pk_pid" || maint_rc=$?
    m1=$(now)
    [ "$maint_rc" = 3 ] && maint_rc=0 # 3 = layout needs attention: the pass itself succeeded
    ;;
  none)
    sleep_until "$(awk -v t="$t0" -v d="$MAINT_AT" 'BEGIN{printf "%.6f", t+d}')"
    m0=$(now); m1=$m0
    ;;
  esac
  wait "$reader_pid" || true
  r1=$(now)
  wait "$pgb_pid" || pgb_rc=$?
  local t_end; t_end=$(now)
  if [ -n "$wk_pid" ]; then
    # the worker's CPU during the run (clock ticks -> s), then stop it and the server
    # the worker's CPU during the run (the trigger only sends one request then)
    awk -v c0="$wk_cpu0" -v hz="$(getconf CLK_TCK)" '{printf "%.1f\n", ($14 + $15 - c0) / hz}' "/proc/$wk_pid/stat" >"$dir/worker.cpu"
    kill "$wk_pid" "$ts_pid" 2>/dev/null || true
    wait "$wk_pid" "$ts_pid" 2>/dev/null || true
  fi
  read -r hb1 ht1 < <(host_ticks); pg1=$(pg_ticks "$pm")
  # CPU used by anything but this benchmark (other sessions, builds) during the run, % of the machine
  local other_cpu
  other_cpu=$(awk -v hb="$((hb1 - hb0))" -v ht="$((ht1 - ht0))" -v pg="$((pg1 - pg0))" \
      -v pb="$(awk '{print ($1 + $2) * 100}' "$dir/pgbench.cpu" 2>/dev/null || echo 0)" \
      -v jv="$(awk 'NR==1{print ($1 + $2) * 100}' "$dir/java.cpu" 2>/dev/null || echo 0)" \
      -v wk="$(awk '{print $1 * 100}' "$dir/worker.cpu" 2>/dev/null || echo 0)" \
      'BEGIN{ o = hb - pg - pb - jv - wk; if (o < 0) o = 0; printf "%.0f", (ht > 0 ? 100 * o / ht : 0) }')
  local maint_s; maint_s=$(elapsed "$m0" "$m1")
  [ "$maint_rc" = 0 ] || log "[$variant #$rep] maintenance FAILED rc=$maint_rc: $(tail -3 "$dir"/maint.* | tr '\n' ' ')"

  # server log of this run: DDL statements (log_statement=ddl) and lock waits (log_lock_waits)
  tail -c +"$((log_off + 1))" "$BASE/server.log" >"$dir/server.log"
  # t (s since t0) of each DDL statement on the managed table, for the timeline
  # (simple protocol logs "statement: ", JDBC's extended protocol "execute <unnamed>: ")
  awk '/ LOG:  (statement|execute [^:]*): / && /transactions/ && !/"partition_keeper"\./ && !/ reader LOG/ {
         m = $0; sub(/.* LOG:  (statement|execute [^:]*): /, "", m); print $1 "T" $2 "\t" m }' "$dir/server.log" |
    while IFS=$'\t' read -r ts stmt; do
      printf '%s\t%s\n' "$(elapsed "$t0" "$(date -u -d "${ts/T/ } UTC" +%s.%N)")" "$stmt"
    done >"$dir/ddl_timeline.tsv"
  local ddl0 ddl1 ddl_s
  if [ "$variant" = partman ]; then
    # the CALL runs its DDL inside (not logged); it starts at once and ends with the CALL
    ddl0=$(elapsed "$t0" "$m0"); ddl1=$(elapsed "$t0" "$m1")
  else
    ddl0=$(head -1 "$dir/ddl_timeline.tsv" | cut -f1)
    ddl1=$(tail -1 "$dir/ddl_timeline.tsv" | cut -f1)
    [ -n "$ddl0" ] || { ddl0=$(elapsed "$t0" "$m1"); ddl1=$ddl0; }
  fi
  ddl_s=$(awk -v a="$ddl0" -v e="$ddl1" 'BEGIN{printf "%.3f", e-a}')
  # the reader's lock hold, from the server log: its SELECT (first lock) .. its COMMIT
  local rd0 rd1
  rd0=$(awk '/ reader LOG:  statement: SELECT count/ {print $1 " " $2; exit}' "$dir/server.log")
  rd1=$(awk '/ reader LOG:  statement: COMMIT/ {print $1 " " $2; exit}' "$dir/server.log")
  rd0=$( [ -n "$rd0" ] && elapsed "$t0" "$(date -u -d "$rd0 UTC" +%s.%N)" || elapsed "$t0" "$r0")
  rd1=$( [ -n "$rd1" ] && elapsed "$t0" "$(date -u -d "$rd1 UTC" +%s.%N)" || elapsed "$t0" "$r1")
  # was the first DDL issued while the reader held its transaction?
  local inwin
  inwin=$(awk -v d="$ddl0" -v a="$rd0" -v b="$rd1" 'BEGIN{print (d >= a && d < b) ? "yes" : "NO"}')
  [ "$variant" = none ] && inwin=-
  local lt_errors
  lt_errors=$(grep -c 'canceling statement due to lock timeout' "$dir/server.log" || true)
  # lock waits longer than DEADLOCK_TIMEOUT, by waiting statement
  awk '/still waiting for/ { w = $0; getline d; getline s; sub(/.*STATEMENT:  /, "", s); print w " | " d " | " s }' \
    "$dir/server.log" >"$dir/lock_waits.txt"
  local lw_writer
  lw_writer=$(grep -c '| INSERT INTO transactions' "$dir/lock_waits.txt" || true)

  # per-transaction log: client tx latency_us script epoch_s epoch_us lag_us ; latency includes the
  # schedule lag under -R (what a client submitting at a fixed rate sees)
  cat "$BASE"/pgbench_log.* >"$dir/pgbench_tx.log"
  rm -f "$BASE"/pgbench_log.*
  local stats p99idx max p99 gt1 failed ntx tmax aborted
  stats=$(awk -v t0="$t0" '
      $3 == "failed" || $3 == "skipped" { failed++; next }
      { n++; lat = $3 / 1000
        if (lat > 1000) gt1++
        if (lat > max) { max = lat; tmax = ($5 + $6 / 1e6) - t0 - $3 / 1e6 } }
      END { printf "%.1f %d %d %d %.1f\n", max, gt1, failed, n, tmax }' "$dir/pgbench_tx.log")
  read -r max gt1 failed ntx tmax <<<"$stats"
  p99idx=$(awk -v n="$ntx" 'BEGIN{i = int(0.99 * n); if (i < 0.99 * n) i++; if (i < 1) i = 1; print i}')
  p99=$(awk '$3 != "failed" && $3 != "skipped" {printf "%.1f\n", $3 / 1000}' "$dir/pgbench_tx.log" | sort -g | sed -n "${p99idx}p")
  [ -n "$p99" ] || p99=0
  # diagnostic: p99 without the inserts that started while the JVM was starting (process start ->
  # first DDL), to tell CPU contention from the worker's start-up apart from lock waits
  local p99x
  p99x=$(awk -v t0="$t0" -v a="$(elapsed "$t0" "$m0")" -v b="$ddl0" -v pk="${variant#pk_}" '
      $3 == "failed" || $3 == "skipped" { next }
      { s = ($5 + $6 / 1e6) - t0 - $3 / 1e6; if (pk != "partman" && s >= a && s < b) next; printf "%.1f\n", $3 / 1000 }' \
      "$dir/pgbench_tx.log" | sort -g | awk '{v[NR] = $1} END{i = int(0.99 * NR); if (i < 0.99 * NR) i++; if (i < 1) i = 1; print (NR ? v[i] : 0)}')
  # where the slow inserts were: max latency by phase of the run (insert start time)
  local phases
  phases=$(awk -v t0="$t0" -v r0="$rd0" -v d0="$ddl0" -v m1="$ddl1" '
      $3 == "failed" || $3 == "skipped" { next }
      { lat = $3 / 1000; s = ($5 + $6 / 1e6) - t0 - $3 / 1e6
        ph = (s < r0) ? 1 : (s < d0) ? 2 : (s < m1) ? 3 : 4
        if (lat > mx[ph]) mx[ph] = lat; if (lat > 5) slow[ph]++ }
      END { printf "before-reader max %.1f; reader..first DDL max %.1f (%d > 5 ms); first..last DDL max %.1f (%d > 5 ms); after max %.1f",
                   mx[1], mx[2], slow[2], mx[3], slow[3], mx[4] }' "$dir/pgbench_tx.log")
  aborted=$(grep -c "aborted" "$dir/pgbench.out" || true)
  local expected=$((RATE * DURATION))
  if [ "$aborted" -gt 0 ] || [ "$pgb_rc" != 0 ]; then
    failed=$((failed + (expected > ntx ? expected - ntx : 0)))
    log "[$variant #$rep] pgbench rc=$pgb_rc, aborted clients=$aborted: $(grep -m2 -i "error\|abort" "$dir/pgbench.out" | tr '\n' ' ')"
  fi
  local attempts=1 java_cpu=-
  [ "$variant" = none ] && attempts=0
  if [ "$variant" != partman ] && [ -s "$dir/maint.json" ]; then
    attempts=$(jq '[.tables[].actions[].attempts] | add // 0' "$dir/maint.json" 2>/dev/null || echo '?')
  fi
  [ -s "$dir/java.cpu" ] && java_cpu=$(awk 'NR==1{printf "%.1f", $1 + $2}' "$dir/java.cpu")
  [ -s "$dir/worker.cpu" ] && java_cpu="$java_cpu (+ worker during the run $(cat "$dir/worker.cpu"))"
  local verify="n/a (no maintenance)"
  [ "$variant" = none ] || verify=$(verify_layout "$db")
  local line="[$variant #$rep] maint=${maint_s}s (started t=$(elapsed "$t0" "$m0"), first DDL t=${ddl0}s, last DDL t=${ddl1}s, ended t=$(elapsed "$t0" "$m1")) reader holds [${rd0},${rd1}]s DDL-in-reader-window=$inwin ddl_tx=$attempts lock-timeouts=$lt_errors jvm-cpu=${java_cpu}s other-cpu=${other_cpu}% (busy before ${busy_before}%) max=${max}ms (insert started t=${tmax}s) p99=${p99}ms (without inserts started during the JVM start: ${p99x}ms) >1s=$gt1 failed=$failed tx=$ntx writer-lock-waits>${DEADLOCK_TIMEOUT}=$lw_writer | $phases | layout: $verify"
  log "$line"
  echo "$line" >"$dir/summary.txt"
  LAST_DIR=$dir
  R_VARIANT+=("$variant"); R_MAINT+=("$maint_s"); R_DDL+=("$ddl_s"); R_MAX+=("$max"); R_P99+=("$p99"); R_P99X+=("$p99x")
  R_GT1+=("$gt1"); R_FAIL+=("$failed"); R_NTX+=("$ntx"); R_ATT+=("$attempts"); R_LT+=("$lt_errors"); R_OTHER+=("$other_cpu"); R_VERIFY+=("${verify%% *}")
  R_INWIN+=("$inwin"); R_LW+=("$lw_writer"); R_KEEP+=(1)
  gzip -f "$dir/pgbench_tx.log"
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $db"
}

# ------------------------------------------------------------------ main
PER_RUN_BUDGET=$((DURATION + 25))
SKIPPED=0
for ((rep = 1; rep <= REPS; rep++)); do
  for v in "${VARIANTS[@]}"; do
    try=0 ntry=0 wtry=0
    while :; do
      busy=$(wait_quiet "$QUIET_WAIT" "$QUIET_BELOW")
      [ "$busy" -lt "$QUIET_BELOW" ] || log "machine still ${busy}% busy after waiting ${QUIET_WAIT}s; running anyway"
      if awk -v a="$SCRIPT_T0" -v b="$EPOCHREALTIME" -v cap="$MAX_SECONDS" -v need="$PER_RUN_BUDGET" \
        'BEGIN{exit !(b-a+need+15 > cap)}'; then
        log "skipping $v #$rep: would exceed the ${MAX_SECONDS}s cap"
        SKIPPED=$((SKIPPED + 1))
        break
      fi
      run_one "$v" "$rep" "$busy" "$( [ "$try" = 0 ] || echo "$try")"
      last=$((${#R_VARIANT[@]} - 1))
      try=$((try + 1))
      if [ "${R_OTHER[$last]}" -gt "$NOISY_ABOVE" ] && [ "$ntry" -lt "$NOISY_RETRIES" ]; then
        R_KEEP[$last]=0
        ntry=$((ntry + 1))
        echo "DISCARDED: other processes used ${R_OTHER[$last]}% of the machine" >>"$LAST_DIR/summary.txt"
        log "discarding $v #$rep: other processes used ${R_OTHER[$last]}% of the machine during the run (> $NOISY_ABOVE%); re-running"
        continue
      fi
      # the scenario needs the DDL to start while the reader holds its transaction (a slow JVM start can
      # miss it): such a run does not count and is re-run, at most WINDOW_RETRIES times
      if [ "${R_INWIN[$last]}" = NO ] && [ "$wtry" -lt "$WINDOW_RETRIES" ]; then
        R_KEEP[$last]=0
        wtry=$((wtry + 1))
        echo "DISCARDED: first DDL after the reader's transaction had ended" >>"$LAST_DIR/summary.txt"
        log "discarding $v #$rep: its first DDL came after the reader's transaction had ended; re-running"
        continue
      fi
      break
    done
  done
done

{
  echo
  echo "== writer stall: pgbench -c $CLIENTS -R $RATE -T $DURATION, reader t=${READER_AT}s..+${READER_SLEEP}s, pg_partman at t=${MAINT_AT}s, partition-keeper JVM at t=${PK_START_AT}s =="
  echo "   $(date -u +%F), $(nproc) cores, PostgreSQL $(pg_version), pg_partman $(partman_version), lock_timeout=$LOCK_TIMEOUT,"
  echo "   synchronous_commit=$SYNC_COMMIT, nice=${BENCH_NICE:-0}, worker JVM nice +$PK_NICE, deadlock_timeout=$DEADLOCK_TIMEOUT; median of n runs; x = ratio to partman's median"
  printf '%-13s %2s %4s %8s %7s %9s %8s %10s %6s %7s %7s %9s %6s %7s %8s %6s %6s %6s\n' variant n disc maint_s ddl_s max_ms p99_ms 'inserts>1s' failed max_x p99_x p99_exjvm ddl_tx lock_to wr_waits other% in_win layout
  declare -A MED
  for v in "${VARIANTS[@]}"; do
    idx=()
    disc=0
    for i in "${!R_VARIANT[@]}"; do
      [ "${R_VARIANT[$i]}" = "$v" ] || continue
      if [ "${R_KEEP[$i]}" = 1 ]; then idx+=("$i"); else disc=$((disc + 1)); fi
    done
    [ ${#idx[@]} -gt 0 ] || { printf '%-13s %2s  (not run)\n' "$v" 0; continue; }
    col() { local -n arr=$1; local out=() i; for i in "${idx[@]}"; do out+=("${arr[$i]}"); done; median "${out[@]}"; }
    for c in R_MAINT R_DDL R_MAX R_P99 R_P99X R_GT1 R_FAIL R_ATT R_LT R_LW R_OTHER; do MED[$v.$c]=$(col $c); done
    vv=ok; for i in "${idx[@]}"; do [ "${R_VERIFY[$i]}" = ok ] || vv=FAIL; done; [ "$v" = none ] && vv=n/a
    ww=yes; for i in "${idx[@]}"; do [ "${R_INWIN[$i]}" = yes ] || ww=NO; done; [ "$v" = none ] && ww=-
    printf '%-13s %2d %4d %8.2f %7.2f %9.1f %8.1f %10.0f %6.0f %7s %7s %9.1f %6s %7s %8s %6s %6s %6s\n' "$v" ${#idx[@]} "$disc" \
      "${MED[$v.R_MAINT]}" "${MED[$v.R_DDL]}" "${MED[$v.R_MAX]}" "${MED[$v.R_P99]}" "${MED[$v.R_GT1]}" "${MED[$v.R_FAIL]}" \
      "$(ratio "${MED[$v.R_MAX]}" "${MED[partman.R_MAX]:--}")" "$(ratio "${MED[$v.R_P99]}" "${MED[partman.R_P99]:--}")" "${MED[$v.R_P99X]}" \
      "${MED[$v.R_ATT]}" "${MED[$v.R_LT]}" "${MED[$v.R_LW]}" "${MED[$v.R_OTHER]}" "$ww" "$vv"
  done
  echo "maint_s = wall time of the maintenance command (partition-keeper: the whole 'once' process incl. JVM and"
  echo "  embedded Temporal start and stop); ddl_s = first -> last DDL statement on the table (pg_partman: the CALL);"
  echo "  max/p99 = pgbench latency incl. schedule lag (what a fixed-rate client sees); p99_exjvm = p99 without the"
  echo "  inserts started while partition-keeper's JVM was starting (diagnostic); ddl_tx = DDL transactions"
  echo "  incl. retries (pg_partman: 1 CALL); lock_to = statements cancelled by lock_timeout; wr_waits = inserts that"
  echo "  waited > $DEADLOCK_TIMEOUT for a lock (log_lock_waits); other% = CPU used by other processes on the machine"
  echo "  during the run; disc = runs discarded and re-run (first DDL after the reader's transaction: at most"
  echo "  $WINDOW_RETRIES re-run per run$( [ "$NOISY_RETRIES" = 0 ] || echo "; other% > $NOISY_ABOVE: at most $NOISY_RETRIES")); in_win = first DDL issued while the reader"
  echo "  held its transaction (every counted run);"
  echo "  layout = pg_inherits check (old month detached and kept, 2 new months attached, nothing pending)."
  echo "  Per-run lines: $OUT/run_*/summary.txt (DDL timeline: ddl_timeline.tsv, lock waits: lock_waits.txt)"
  [ "$SKIPPED" = 0 ] || echo "WARNING: $SKIPPED run(s) skipped to stay under the ${MAX_SECONDS}s cap"
} | tee "$OUT/table.txt"
cat "$OUT"/run_*/summary.txt >"$OUT/runs.txt" 2>/dev/null || true

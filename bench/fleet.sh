#!/usr/bin/env bash
# Benchmark (issue 15): a fleet pass, pg_partman's way of running a fleet vs partition-keeper's.
#
# DBS databases (default 100) on one PostgreSQL 15 cluster, each with TABLES tables (default 10) daily
# range-partitioned by `at` with ~PARTS partitions (default 30: PARTS/2 days back .. PARTS/2 ahead, built by
# pg_partman 4.7 create_parent as bench/scale.sh builds them) and a default partition, no rows. The layout is
# built once in a template database, then copied (CREATE DATABASE ... TEMPLATE) to fleet_pm_NNN (pg_partman
# kept) and fleet_pk_NNN (pg_partman dropped): both tools start from the very same tables.
#   a) a pass with nothing to do: median of REPS passes (after one settling pass)
#   b) a pass that creates 1 and detaches 1 partition per table: REPS passes, each with premake +1 and
#      retention -1 day over the previous one (median)
# pg_partman: what its users run for a fleet today, a loop over the databases calling
#   CALL partman.run_maintenance_proc() in each (one psql per database, one after the other), timed as a whole.
# partition-keeper: a Temporal server and WORKERS worker processes (default 2) on one task queue, started and
#   warmed up (one settling pass) before the passes; the policy is one `databases:` pattern entry
#   ('fleet\_pk\_%') and one table pattern entry ("public.ev*"), so a pass lists the databases and matches the
#   tables itself. Each pass is the Schedule's workflow (PartitionMaintenance) asked for with
#   `partition-keeper maintain --wait`; timed as the run (first -> last history event) and the maintain process.
#   bench/FleetPassStats.java counts the history events and activities of the run, its database children and
#   their table children. pg_stat_activity is sampled every 50 ms during each partition-keeper pass (the fleet's
#   databases, application partition-keeper): the peak is printed next to postgres.max_connections_total. Peak RSS
#   (VmHWM) of each worker process. Afterwards every table's layout is checked from pg_inherits (attached
#   partitions ahead of today = premake, in every database).
#
# Usage:  bash bench/fleet.sh          Env: DBS (100), TABLES (10), PARTS (30), REPS (3), PORT (55463),
#         SERVER ("dev" when the Temporal CLI is installed, else "test"), TEMPORAL_PORT (57234), WORKERS (2),
#         PK_CAP (postgres.max_connections_total, 24), PK_PER_SERVER (postgres.max_databases_per_server, 8),
#         PK_POOL (postgres.pool_size, 3), PK_DB_PARALLELISM (temporal.database_parallelism, 8),
#         PK_PARALLELISM (temporal.table_parallelism, 4), WORKER_JAVA_OPTS ("-Xmx128m -XX:+UseSerialGC"; with
#         -XX:NativeMemoryTracking=summary each worker's memory by area goes to $OUT/worker-<pid>-memory.txt),
#         MAX_SECONDS (3600, hard cap), OUT (bench/out/fleet), PK_JAR, BUILD=1, QUIET_WAIT/QUIET_BELOW,
#         BENCH_NICE (see lib.sh).
# Throwaway cluster on 127.0.0.1:$PORT under /tmp/pk-bench-fleet; removed on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAX_SECONDS=${MAX_SECONDS:-3600}
run_capped "$MAX_SECONDS" "$0" "$@"
apply_nice

PORT=${PORT:-55463}
DBS=${DBS:-100}
TABLES=${TABLES:-10}
PARTS=${PARTS:-30}
REPS=${REPS:-3}
WORKERS=${WORKERS:-2}
BASE=/tmp/pk-bench-fleet
TEMPORAL_PORT=${TEMPORAL_PORT:-57234}
PK_CAP=${PK_CAP:-24}
PK_PER_SERVER=${PK_PER_SERVER:-8}
PK_POOL=${PK_POOL:-3}
PK_DB_PARALLELISM=${PK_DB_PARALLELISM:-8}
PK_PARALLELISM=${PK_PARALLELISM:-4}
# a worker's live heap after a collection is ~25 MB (50 tables); at -Xmx256m the JVM lets it grow to 256 MB first,
# and G1 (the default here) adds ~40 MB of its own structures: the serial collector has none (docs/benchmarks.md)
WORKER_JAVA_OPTS=${WORKER_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}
if [ -z "${SERVER:-}" ]; then
  if [ -x "$TEMPORAL_CLI" ]; then SERVER=dev; else SERVER=test; fi
fi
OUT=${OUT:-$BENCH_DIR/out/fleet}

require_root
ensure_partman
command -v java >/dev/null || { echo "java (JDK 17) missing"; exit 2; }
bench_session   # PSQL, BG_PIDS, and a trap that stops and removes the cluster (lib.sh)

rm -rf "$OUT"
mkdir -p "$OUT"
log "starting throwaway cluster on 127.0.0.1:$PORT in $BASE"
# connections: DBS psql sessions one after the other for pg_partman; the workers' pools stay under PK_CAP
start_cluster "$BASE" "$PORT" "max_locks_per_transaction = 1024" "max_connections = $((PK_CAP + 50))"
JAR=$BASE/partition-keeper.jar
ensure_jar "$JAR"
mkdir -p "$BASE/classes"
javac -nowarn -d "$BASE/classes" -cp "$JAR" "$BENCH_DIR/FleetPassStats.java"

db() { printf '%s_%03d' "$1" "$2"; } # db fleet_pm 7 -> fleet_pm_007
premake=$((PARTS / 2)); back=$((PARTS - premake))
# ------------------------------------------------------------------ the databases, once
log "creating the template: $TABLES tables x ~$PARTS daily partitions with pg_partman"
partman_tables fleet_tpl "$TABLES" "$premake" "$back"
copy_without_partman fleet_tpl fleet_tpl_pk
log "copying the template to $DBS pg_partman and $DBS partition-keeper databases"
for n in $(seq 1 "$DBS"); do
  "${PSQL[@]}" -c "CREATE DATABASE $(db fleet_pm "$n") TEMPLATE fleet_tpl" \
    -c "CREATE DATABASE $(db fleet_pk "$n") TEMPLATE fleet_tpl_pk"
done

counts() { layout_counts "$1"; }
# the three counts summed over the databases of a prefix
fleet_counts() { # $1 prefix (fleet_pm or fleet_pk)
  local n a=0 b=0 c=0 x y z
  for n in $(seq 1 "$DBS"); do
    read -r x y z <<<"$(counts "$(db "$1" "$n")")"
    a=$((a + x)); b=$((b + y)); c=$((c + z))
  done
  echo "$a $b $c"
}
# tables of the partition-keeper databases whose runway (partitions starting after today) is not $1
short_runway() { # $1 premake
  local n bad=0 k
  for n in $(seq 1 "$DBS"); do
    k=$("${PSQL[@]}" -d "$(db fleet_pk "$n")" -Atc "
      SELECT count(*) FROM (
        SELECT i.inhparent, count(*) FILTER (WHERE
                 (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz
                   >= date_trunc('day', now()) + interval '1 day') AS ahead
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
         GROUP BY i.inhparent) t WHERE ahead <> $1")
    bad=$((bad + k))
  done
  echo "$bad"
}

CFG=$BASE/pk.yaml
pk_config() { # $1 premake, $2 retention days
  cat >"$CFG.tmp" <<YAML
postgres:
  url: jdbc:postgresql://127.0.0.1:$PORT/postgres?user=postgres
  pool_size: $PK_POOL
  max_connections_total: $PK_CAP
  max_databases_per_server: $PK_PER_SERVER
temporal:
  table_parallelism: $PK_PARALLELISM
  database_parallelism: $PK_DB_PARALLELISM
maintenance:
  lock_timeout: 100ms
databases:
  - pattern: 'fleet\_pk\_%'
tables:
  - table: "public.ev*"
    interval: daily
    premake: $1
    retention: $2 days
    timezone: UTC
    default_partition: keep
YAML
  mv "$CFG.tmp" "$CFG"
}

# starts Temporal and $WORKERS workers; sets TS_PID, WK_PIDS
start_deployment() {
  local w
  start_temporal "$SERVER" "$TEMPORAL_PORT" "$OUT/temporal.log"
  WK_PIDS=()
  for w in $(seq 1 "$WORKERS"); do
    # shellcheck disable=SC2086 # WORKER_JAVA_OPTS is a list of JVM options
    TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT PK_METRICS_ENABLED=false \
      java $WORKER_JAVA_OPTS -jar "$JAR" worker --config "$CFG" >"$OUT/worker_$w.log" 2>&1 &
    WK_PIDS+=("$!"); BG_PIDS+=("$!")
  done
  for w in $(seq 1 "$WORKERS"); do await_worker "${WK_PIDS[$((w - 1))]}" "$OUT/worker_$w.log"; done
}
stop_deployment() {
  local p
  for p in "${WK_PIDS[@]}" "$TS_PID"; do kill_tree "$p" || true; done
  wait "${WK_PIDS[@]}" "$TS_PID" 2>/dev/null || true
}

# samples the fleet's connections into $1 every 50 ms until $1.stop exists
sample_connections() { # $1 file
  rm -f "$1" "$1.stop"
  while [ ! -e "$1.stop" ]; do
    "${PSQL[@]}" -Atc "SELECT count(*) FROM pg_stat_activity
                        WHERE datname LIKE 'fleet\_pk\_%' AND application_name = 'partition-keeper'" >>"$1" || true
    sleep 0.05
  done
}

# one partition-keeper pass asked for with `maintain --wait`; sets PK_WALL, PK_RUN, PK_EVENTS, PK_ACTS, PK_DBS,
# PK_TABLES, PK_CONN (peak connections sampled during the pass)
pk_pass() { # $1 label
  local label=$1 s e rc=0 pid spid stats
  sample_connections "$OUT/conn_$label" & spid=$!; BG_PIDS+=("$spid")
  s=$(now)
  java -jar "$JAR" maintain --wait --json --reason "bench $label" --config "$CFG" --address "127.0.0.1:$TEMPORAL_PORT" \
    >"$OUT/pk_$label.json" 2>"$OUT/pk_$label.log" &
  pid=$!; BG_PIDS+=("$pid")
  wait "$pid" || rc=$?
  e=$(now)
  touch "$OUT/conn_$label.stop"; wait "$spid" 2>/dev/null || true
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || { log "partition-keeper pass $label failed rc=$rc: $(tail -3 "$OUT/pk_$label.log")"; exit 1; }
  PK_WALL=$(elapsed "$s" "$e")
  PK_CONN=$(sort -g "$OUT/conn_$label" | tail -1)
  stats=$(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$JAR:$BASE/classes" FleetPassStats "127.0.0.1:$TEMPORAL_PORT" 2>>"$OUT/pk_$label.log")
  echo "$stats" >"$OUT/pk_$label.stats"
  read -r _ PK_EVENTS _ PK_ACTS _ PK_DBS _ PK_TABLES _ PK_RUN <<<"$stats"
}
# pg_partman's fleet loop: run_maintenance_proc in each database, one after the other; prints seconds
partman_pass() {
  local s=$EPOCHREALTIME n
  for n in $(seq 1 "$DBS"); do
    "${PSQL[@]}" -d "$(db fleet_pm "$n")" -c "CALL partman.run_maintenance_proc()"
  done
  elapsed "$s" "$EPOCHREALTIME"
}
partman_config() { # $1 premake, $2 retention days
  local n
  for n in $(seq 1 "$DBS"); do
    "${PSQL[@]}" -d "$(db fleet_pm "$n")" -c "UPDATE partman.part_config SET premake = $1, retention = '$2 days'"
  done
}

before_pm=$(fleet_counts fleet_pm); before_pk=$(fleet_counts fleet_pk)
ahead=$("${PSQL[@]}" -d "$(db fleet_pk 1)" -Atc "
  SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'public.ev1'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
     AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz
         >= date_trunc('day', now()) + interval '1 day'")
log "layout: pg_partman ${before_pm%% *} attached partitions in $DBS databases, partition-keeper ${before_pk%% *}; $ahead per table after today"

# ------------------------------------------------------------------ a) nothing to do
quiet=$(wait_quiet "$QUIET_WAIT" "$QUIET_BELOW"); log "machine ${quiet}% busy before the no-op passes"
partman_pass >/dev/null # settle
PM_NOOP=(); for r in $(seq 1 "$REPS"); do PM_NOOP+=("$(partman_pass)"); done
[ "$(fleet_counts fleet_pm)" = "$before_pm" ] || log "WARNING: pg_partman no-op loop changed the layout: $(fleet_counts fleet_pm)"
log "pg_partman no-op loop: ${PM_NOOP[*]}"

step=0
pk_config "$ahead" "$back"
start_deployment
pk_pass settle
sleep 2
before=$(fleet_counts fleet_pk)
NW=(); NR=(); NE=(); NA=(); ND=(); NT=(); CONN=()
for r in $(seq 1 "$REPS"); do
  pk_pass "noop$r"
  NW+=("$PK_WALL"); NR+=("$PK_RUN"); NE+=("$PK_EVENTS"); NA+=("$PK_ACTS"); ND+=("$PK_DBS"); NT+=("$PK_TABLES"); CONN+=("$PK_CONN")
  log "no-op pass $r: run ${PK_RUN}s, maintain --wait ${PK_WALL}s; $PK_EVENTS history events, $PK_ACTS activities, $PK_DBS database / $PK_TABLES table children; peak $PK_CONN connections"
done
[ "$(fleet_counts fleet_pk)" = "$before" ] || log "WARNING: partition-keeper no-op pass changed the layout: $(fleet_counts fleet_pk)"

# ------------------------------------------------------------------ b) 1 create + 1 detach per table
PM_ACT=(); PM_WORK=(); AW=(); AR=(); AE=(); AA=(); AD=(); AT=(); WORK=()
for r in $(seq 1 "$REPS"); do
  step=$((step + 1))
  quiet=$(wait_quiet "$QUIET_WAIT" "$QUIET_BELOW")
  partman_config "$((premake + step))" "$((back - step))"
  b=$(fleet_counts fleet_pm)
  PM_ACT+=("$(partman_pass)")
  a=$(fleet_counts fleet_pm)
  read -r b_att _ b_loose <<<"$b"; read -r a_att _ a_loose <<<"$a"
  PM_WORK+=("+$((a_att - b_att + a_loose - b_loose))/-$((a_loose - b_loose))")
  b=$(fleet_counts fleet_pk)
  pk_config "$((ahead + step))" "$((back - step))"
  pk_pass "act$r"
  a=$(fleet_counts fleet_pk)
  read -r b_att b_arch _ <<<"$b"; read -r a_att a_arch _ <<<"$a"
  WORK+=("+$((a_att - b_att + a_arch - b_arch))/-$((a_arch - b_arch))")
  AW+=("$PK_WALL"); AR+=("$PK_RUN"); AE+=("$PK_EVENTS"); AA+=("$PK_ACTS"); AD+=("$PK_DBS"); AT+=("$PK_TABLES"); CONN+=("$PK_CONN")
  log "pass $r with work (busy before ${quiet}%): pg_partman loop ${PM_ACT[-1]}s (${PM_WORK[-1]}), partition-keeper run ${PK_RUN}s, maintain --wait ${PK_WALL}s (${WORK[-1]}); $PK_EVENTS events, $PK_ACTS activities; peak $PK_CONN connections"
done
RSS=()
for p in "${WK_PIDS[@]}"; do
  RSS+=("$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$p/status")")
  # where a worker's memory is, when its JVM tracks it (WORKER_JAVA_OPTS with -XX:NativeMemoryTracking=summary)
  if [[ "$WORKER_JAVA_OPTS" == *NativeMemoryTracking* ]]; then
    { grep -E 'VmHWM|VmRSS|Threads' "/proc/$p/status"; jcmd "$p" VM.native_memory summary; } >"$OUT/worker-$p-memory.txt" 2>&1 || true
  fi
done
stop_deployment
short=$(short_runway "$((ahead + step))")
after_pm=$(fleet_counts fleet_pm); after_pk=$(fleet_counts fleet_pk)

max_of() { printf '%s\n' "$@" | sort -g | tail -1; }
m_pm0=$(median "${PM_NOOP[@]}"); m_pm1=$(median "${PM_ACT[@]}")
m_nr=$(median "${NR[@]}"); m_ar=$(median "${AR[@]}")
tables_all=$((DBS * TABLES))
{
  echo
  echo "== fleet: $DBS databases x $TABLES tables, ${before_pm%% *} daily partitions in all (+ a default partition per table), no rows =="
  echo "   $(date -u +%F), $(nproc) cores, PostgreSQL $(pg_version), pg_partman $(partman_version); nice=${BENCH_NICE:-0}; median of $REPS passes; x = ratio to pg_partman"
  echo "   pg_partman: a loop over the databases, CALL partman.run_maintenance_proc() in each"
  echo "   partition-keeper: $WORKERS workers ($WORKER_JAVA_OPTS) on the $( [ "$SERVER" = dev ] && echo "Temporal dev server" || echo "Temporal SDK test server"), pool_size $PK_POOL, max_connections_total $PK_CAP, max_databases_per_server $PK_PER_SERVER, database_parallelism $PK_DB_PARALLELISM, table_parallelism $PK_PARALLELISM; each pass asked for with 'maintain --wait'"
  printf '%-44s %12s %9s %7s %11s %8s %8s %9s %8s\n' 'pass' 'pg_partman' 'pk run' 'run x' 'maintain' 'events' 'activ.' 'db child' 'tbl child'
  printf '%-44s %12.2f %9.2f %7s %11.2f %8s %8s %9s %8s\n' 'nothing to do' "$m_pm0" "$m_nr" "$(ratio "$m_nr" "$m_pm0")" "$(median "${NW[@]}")" "$(median "${NE[@]}")" "$(median "${NA[@]}")" "$(median "${ND[@]}")" "$(median "${NT[@]}")"
  printf '%-44s %12.2f %9.2f %7s %11.2f %8s %8s %9s %8s\n' "1 create + 1 detach per table ($tables_all + $tables_all)" "$m_pm1" "$m_ar" "$(ratio "$m_ar" "$m_pm1")" "$(median "${AW[@]}")" "$(median "${AE[@]}")" "$(median "${AA[@]}")" "$(median "${AD[@]}")" "$(median "${AT[@]}")"
  echo "per database, nothing to do: $(awk -v e="$(median "${NE[@]}")" -v d="$DBS" 'BEGIN{printf "%.1f", e/d}') history events, $(awk -v a="$(median "${NA[@]}")" -v d="$DBS" 'BEGIN{printf "%.2f", a/d}') activities; with work: $(awk -v e="$(median "${AE[@]}")" -v t="$tables_all" 'BEGIN{printf "%.1f", e/t}') events, $(awk -v a="$(median "${AA[@]}")" -v t="$tables_all" 'BEGIN{printf "%.1f", a/t}') activities per table"
  echo "peak connections of the fleet's databases (pg_stat_activity every 50 ms): $(max_of "${CONN[@]}") (cap $PK_CAP for the $WORKERS workers together; per pass: ${CONN[*]})"
  echo "worker peak RSS (MB): ${RSS[*]}"
  echo "tables whose runway is not premake after the last pass: $short of $tables_all"
  echo "work per pass (created/detached, from pg_inherits): pg_partman ${PM_WORK[*]}; partition-keeper ${WORK[*]}"
  echo "runs (s): pg_partman no-op ${PM_NOOP[*]}, with work ${PM_ACT[*]}; partition-keeper no-op ${NR[*]}, with work ${AR[*]}"
  echo "attached partitions before -> after: pg_partman ${before_pm%% *} -> ${after_pm%% *}, partition-keeper ${before_pk%% *} -> ${after_pk%% *}"
  echo "pk run = the pass's workflow run, first -> last history event; maintain = the 'maintain --wait' process, its JVM"
  echo "  start included; events / activ. = the run, its database children and their table children together."
} | tee "$OUT/table.txt"

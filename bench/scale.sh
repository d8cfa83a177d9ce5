#!/usr/bin/env bash
# Benchmark 2 (issue 6): maintenance time over many tables, pg_partman vs partition-keeper.
#
# TABLES tables (default 50), each daily range-partitioned by `at` with ~PARTS partitions (default 120:
# PARTS/2 days back .. PARTS/2 days ahead, built by pg_partman 4.7 create_parent exactly as
# /work/shared/anchors/scale.sh does) and a default partition, no rows. The layout is built once in
# database `scale_partman`, then copied (CREATE DATABASE ... TEMPLATE) to `scale_pk`, where pg_partman
# is dropped again: both tools start from the very same tables.
#   a) a pass with nothing to do: median of REPS passes (after one settling pass)
#   b) a pass that creates 1 and detaches 1 partition per table: REPS passes, each with premake +1 and
#      retention -1 day over the previous one, so every pass has exactly that work (median)
# pg_partman: CALL partman.run_maintenance_proc() (retention_keep_table = true), timed around psql.
# partition-keeper, in the deployment shape: a Temporal server and `partition-keeper worker` are started
# and warmed up (one settling pass) before the passes; each pass is asked for with
# `partition-keeper maintain --wait` (detached partitions move to partition_archive). Once per server in
# SERVERS: the real Temporal dev server (the Temporal CLI's `server start-dev`, in memory) where the CLI is
# installed, and the SDK's standalone test server. Each pass is timed three ways: the run (its first to last
# history event: what the pass costs the deployment), the SQL (first -> last statement the worker sent, from
# the server log with log_statement=all on scale_pk only) and the `maintain --wait` process (its JVM start
# included); bench/PassStats.java counts the history events and activities of the run and its children.
# Peak RSS of the worker process (VmHWM). The work done is checked from pg_inherits after every pass
# (creates/detaches counted, not assumed).
#
# Usage:  bash bench/scale.sh          Env: TABLES (50), PARTS (120), REPS (3), PORT (55462),
#         SERVERS ("dev test" when the Temporal CLI is installed, else "test"), TEMPORAL_PORT (57233),
#         PK_PARALLELISM (4: temporal.table_parallelism, tables with work maintained at once),
#         PK_POOL (8: postgres.pool_size; the worker runs pool_size - 1 steps at once),
#         WORKER_JAVA_OPTS (none: JVM options of the worker, e.g. a flight recording),
#         MAX_SECONDS (900, hard cap), OUT (bench/out/scale), PK_JAR, BUILD=1, QUIET_WAIT/QUIET_BELOW,
#         BENCH_NICE (see lib.sh).
# Throwaway cluster on 127.0.0.1:$PORT under /tmp/pk-bench-scale; removed on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAX_SECONDS=${MAX_SECONDS:-900}
run_capped "$MAX_SECONDS" "$0" "$@"
apply_nice

PORT=${PORT:-55462}
TABLES=${TABLES:-50}
PARTS=${PARTS:-120}
REPS=${REPS:-3}
BASE=/tmp/pk-bench-scale
TEMPORAL_PORT=${TEMPORAL_PORT:-57233}
PK_PARALLELISM=${PK_PARALLELISM:-4}
PK_POOL=${PK_POOL:-8}
WORKER_JAVA_OPTS=${WORKER_JAVA_OPTS:-}
if [ -z "${SERVERS:-}" ]; then
  if [ -x "$TEMPORAL_CLI" ]; then SERVERS="dev test"; else SERVERS="test"; fi
fi
OUT=${OUT:-$BENCH_DIR/out/scale}

require_root
ensure_partman
command -v java >/dev/null || { echo "java (JDK 17) missing"; exit 2; }
bench_session   # PSQL, BG_PIDS, and a trap that stops and removes the cluster (lib.sh)

rm -rf "$OUT"
mkdir -p "$OUT"
log "starting throwaway cluster on 127.0.0.1:$PORT in $BASE"
start_cluster "$BASE" "$PORT" "max_locks_per_transaction = 1024" "log_line_prefix = '%m [%p] %d %a '"
JAR=$BASE/partition-keeper.jar
ensure_jar "$JAR"
mkdir -p "$BASE/classes"
javac -nowarn -d "$BASE/classes" -cp "$JAR" "$BENCH_DIR/PassStats.java"

premake=$((PARTS / 2)); back=$((PARTS - premake))
# ------------------------------------------------------------------ the tables, once
log "creating $TABLES tables x ~$PARTS daily partitions with pg_partman"
partman_tables scale_partman "$TABLES" "$premake" "$back"
copy_without_partman scale_partman scale_pk
"${PSQL[@]}" -c "ALTER DATABASE scale_pk SET log_statement = 'all'"

counts() { layout_counts "$1"; }

CFG=$BASE/pk.yaml
# writes the policy to $CFG, which the running worker reads again for every pass
pk_config() { # $1 premake, $2 retention days
  local i
  {
    echo "postgres:"
    echo "  url: jdbc:postgresql://127.0.0.1:$PORT/scale_pk?user=postgres"
    echo "  pool_size: $PK_POOL"
    echo "temporal:"
    echo "  table_parallelism: $PK_PARALLELISM"
    echo "maintenance:"
    echo "  lock_timeout: 100ms"
    echo "tables:"
    for i in $(seq 1 "$TABLES"); do
      printf '  - table: public.ev%d\n    interval: daily\n    premake: %d\n    retention: %d days\n    timezone: UTC\n    default_partition: keep\n' \
        "$i" "$1" "$2"
    done
  } >"$CFG.tmp"
  mv "$CFG.tmp" "$CFG"
}

# starts Temporal ($1: dev or test) and the worker; sets TS_PID, WK_PID
start_deployment() {
  local server=$1
  start_temporal "$server" "$TEMPORAL_PORT" "$OUT/temporal_$server.log"
  # shellcheck disable=SC2086 # WORKER_JAVA_OPTS is a list of JVM options
  TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT PK_METRICS_ENABLED=false \
    java $WORKER_JAVA_OPTS -jar "$JAR" worker --config "$CFG" >"$OUT/worker_$server.log" 2>&1 &
  WK_PID=$!; BG_PIDS+=("$WK_PID")
  await_worker "$WK_PID" "$OUT/worker_$server.log"
}
stop_deployment() {
  kill_tree "$WK_PID" || true
  kill_tree "$TS_PID" || true
  wait "$WK_PID" "$TS_PID" 2>/dev/null || true
}

# one partition-keeper pass asked for with `maintain --wait`; sets PK_WALL (the maintain process),
# PK_RUN (the run, from its history), PK_PASS (first -> last SQL), PK_EVENTS, PK_ACTS, PK_CHILDREN, PK_RSS_MB
pk_pass() { # $1 label
  local label=$1 off s e rc=0 pid stats
  off=$(stat -c %s "$BASE/server.log")
  s=$(now)
  java -jar "$JAR" maintain --wait --json --reason "bench $label" --config "$CFG" --address "127.0.0.1:$TEMPORAL_PORT" \
    >"$OUT/pk_$label.json" 2>"$OUT/pk_$label.log" &
  pid=$!; BG_PIDS+=("$pid")
  wait "$pid" || rc=$?
  e=$(now)
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || { log "partition-keeper pass $label failed rc=$rc: $(tail -3 "$OUT/pk_$label.log")"; exit 1; }
  PK_WALL=$(elapsed "$s" "$e")
  # the worker's statements during the pass (not psql's)
  tail -c +"$((off + 1))" "$BASE/server.log" |
    awk '$5 == "scale_pk" && $6 != "psql" && / LOG:  (statement|execute [^:]*): / {
           if (!go && $0 !~ /(statement|execute [^:]*): *($|SET application_name|SHOW TRANSACTION)/) go = 1
           if (go) print }' >"$OUT/pk_$label.sql.log" || true
  local f l
  f=$(head -1 "$OUT/pk_$label.sql.log" | awk '{print $1 " " $2}')
  l=$(tail -1 "$OUT/pk_$label.sql.log" | awk '{print $1 " " $2}')
  PK_PASS=$(elapsed "$(date -u -d "$f UTC" +%s.%N)" "$(date -u -d "$l UTC" +%s.%N)")
  gzip -f "$OUT/pk_$label.sql.log"
  stats=$(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$JAR:$BASE/classes" PassStats "127.0.0.1:$TEMPORAL_PORT" 2>>"$OUT/pk_$label.log")
  echo "$stats" >"$OUT/pk_$label.stats"
  read -r _ PK_EVENTS _ PK_ACTS _ PK_CHILDREN _ PK_RUN <<<"$stats"
  PK_RSS_MB=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$WK_PID/status")
}
partman_pass() { # prints seconds
  local s=$EPOCHREALTIME
  "${PSQL[@]}" -d scale_partman -c "CALL partman.run_maintenance_proc()"
  elapsed "$s" "$EPOCHREALTIME"
}

before_pm=$(counts scale_partman); before_pk=$(counts scale_pk)
# partition-keeper's policy for this layout: premake = partitions after today's (per table),
# retention = $back days (the oldest partition, $back days back, is not wholly expired yet)
ahead=$("${PSQL[@]}" -d scale_pk -Atc "
  SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'public.ev1'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
     AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz
         >= date_trunc('day', now()) + interval '1 day'")
log "layout: scale_partman ${before_pm%% *} attached partitions, scale_pk ${before_pk%% *}; $ahead per table after today"

# ------------------------------------------------------------------ a) pg_partman, nothing to do
quiet=$(wait_quiet "$QUIET_WAIT" "$QUIET_BELOW"); log "machine ${quiet}% busy before the no-op passes"
partman_pass >/dev/null # settle
PM_NOOP=(); for r in $(seq 1 "$REPS"); do PM_NOOP+=("$(partman_pass)"); done
[ "$(counts scale_partman)" = "$before_pm" ] || log "WARNING: pg_partman no-op pass changed the layout: $(counts scale_partman)"
log "pg_partman no-op: ${PM_NOOP[*]}"

# ------------------------------------------------------------------ partition-keeper, per server
PM_ACT=(); PM_WORK=(); PK_RSS=(); ROWS=(); step=0
for server in $SERVERS; do
  pk_config "$((ahead + step))" "$((back - step))"
  start_deployment "$server"
  pk_pass "${server}_settle" # settles: the bookkeeping schema, the worker's JIT and connection pool
  sleep 2
  # a) nothing to do
  before=$(counts scale_pk)
  NW=(); NR=(); NP=(); NE=(); NA=(); NC=()
  for r in $(seq 1 "$REPS"); do
    pk_pass "${server}_noop$r"
    NW+=("$PK_WALL"); NR+=("$PK_RUN"); NP+=("$PK_PASS"); NE+=("$PK_EVENTS"); NA+=("$PK_ACTS"); NC+=("$PK_CHILDREN")
    log "[$server] no-op pass $r: run ${PK_RUN}s, SQL ${PK_PASS}s, maintain --wait ${PK_WALL}s; $PK_EVENTS history events, $PK_ACTS activities, $PK_CHILDREN children"
  done
  [ "$(counts scale_pk)" = "$before" ] || log "WARNING: partition-keeper no-op pass changed the layout: $(counts scale_pk)"
  # b) 1 create + 1 detach per table, pg_partman and partition-keeper interleaved
  AW=(); AR=(); AP=(); AE=(); AA=(); AC=(); WORK=()
  for r in $(seq 1 "$REPS"); do
    step=$((step + 1))
    quiet=$(wait_quiet "$QUIET_WAIT" "$QUIET_BELOW")
    "${PSQL[@]}" -d scale_partman -c "UPDATE partman.part_config SET premake = $((premake + step)), retention = '$((back - step)) days'"
    b=$(counts scale_partman)
    PM_ACT+=("$(partman_pass)")
    a=$(counts scale_partman)
    # created = attached after - before + detached; detached = tables left outside the parent
    read -r b_att _ b_loose <<<"$b"; read -r a_att _ a_loose <<<"$a"
    PM_WORK+=("+$((a_att - b_att + a_loose - b_loose))/-$((a_loose - b_loose))")
    b=$(counts scale_pk)
    pk_config "$((ahead + step))" "$((back - step))"
    pk_pass "${server}_act$r"
    a=$(counts scale_pk)
    read -r b_att b_arch _ <<<"$b"; read -r a_att a_arch _ <<<"$a"
    WORK+=("+$((a_att - b_att + a_arch - b_arch))/-$((a_arch - b_arch))")
    AW+=("$PK_WALL"); AR+=("$PK_RUN"); AP+=("$PK_PASS"); AE+=("$PK_EVENTS"); AA+=("$PK_ACTS"); AC+=("$PK_CHILDREN")
    log "[$server] pass $r with work (busy before ${quiet}%): pg_partman ${PM_ACT[-1]}s (${PM_WORK[-1]}), partition-keeper run ${PK_RUN}s, SQL ${PK_PASS}s, maintain --wait ${PK_WALL}s (${WORK[-1]}); $PK_EVENTS events, $PK_ACTS activities, $PK_CHILDREN children"
  done
  PK_RSS+=("$PK_RSS_MB")
  stop_deployment
  ROWS+=("$server|$(median "${NR[@]}")|$(median "${NP[@]}")|$(median "${NW[@]}")|$(median "${NE[@]}")|$(median "${NA[@]}")|$(median "${NC[@]}")|$(median "${AR[@]}")|$(median "${AP[@]}")|$(median "${AW[@]}")|$(median "${AE[@]}")|$(median "${AA[@]}")|$(median "${AC[@]}")|${WORK[*]}|${NR[*]}|${AR[*]}")
done
after_pm=$(counts scale_partman); after_pk=$(counts scale_pk)

max_of() { printf '%s\n' "$@" | sort -g | tail -1; }
m_pm0=$(median "${PM_NOOP[@]}"); m_pm1=$(median "${PM_ACT[@]}")
server_name() { [ "$1" = dev ] && echo "Temporal dev server (temporal server start-dev)" || echo "Temporal SDK test server"; }
{
  echo
  echo "== scale: $TABLES tables, ${before_pm%% *} daily partitions in all ($((${before_pm%% *} / TABLES)) per table, + a default partition each), no rows =="
  echo "   $(date -u +%F), $(nproc) cores, PostgreSQL $(pg_version), pg_partman $(partman_version); nice=${BENCH_NICE:-0}; median of $REPS passes; x = ratio to pg_partman"
  echo "   partition-keeper: worker already running (table_parallelism $PK_PARALLELISM), each pass asked for with 'maintain --wait'"
  printf '%-48s %-10s %10s %9s %7s %9s %11s %7s %7s %9s\n' 'pass' 'server' pg_partman 'pk run' 'run x' 'pk SQL' 'maintain' 'events' 'activ.' 'children'
  for row in "${ROWS[@]}"; do
    IFS='|' read -r sv nr np nw ne na nc ar ap aw ae aa ac work nrs ars <<<"$row"
    printf '%-48s %-10s %10.2f %9.2f %7s %9.2f %11.2f %7s %7s %9s\n' 'nothing to do' "$sv" "$m_pm0" "$nr" "$(ratio "$nr" "$m_pm0")" "$np" "$nw" "$ne" "$na" "$nc"
    printf '%-48s %-10s %10.2f %9.2f %7s %9.2f %11.2f %7s %7s %9s\n' "1 create + 1 detach per table ($TABLES + $TABLES)" "$sv" "$m_pm1" "$ar" "$(ratio "$ar" "$m_pm1")" "$ap" "$aw" "$ae" "$aa" "$ac"
  done
  for row in "${ROWS[@]}"; do
    IFS='|' read -r sv nr np nw ne na nc ar ap aw ae aa ac work nrs ars <<<"$row"
    echo "$(server_name "$sv"): a pass with nothing to do: $ne history events, $na activities, $nc children for $TABLES tables ($(awk -v e="$ne" -v t="$TABLES" 'BEGIN{printf "%.2f", e/t}') events, $(awk -v a="$na" -v t="$TABLES" 'BEGIN{printf "%.2f", a/t}') activities per table)"
    echo "   with work: $ae events, $aa activities, $ac children ($(awk -v e="$ae" -v t="$TABLES" 'BEGIN{printf "%.1f", e/t}') events, $(awk -v a="$aa" -v t="$TABLES" 'BEGIN{printf "%.1f", a/t}') activities per table)"
    echo "   work per pass (created/detached, from pg_inherits): $work; runs (s): no-op $nrs; with work $ars"
  done
  echo "partition-keeper worker peak RSS: $(max_of "${PK_RSS[@]}") MB (per server: ${PK_RSS[*]})"
  echo "pg_partman work per pass: ${PM_WORK[*]}; runs (s): no-op ${PM_NOOP[*]}; with work ${PM_ACT[*]}"
  echo "attached partitions before -> after: pg_partman ${before_pm%% *} -> ${after_pm%% *}, partition-keeper ${before_pk%% *} -> ${after_pk%% *}"
  echo "pk run = the pass's workflow run, first -> last history event (policy load, survey, children); pk SQL = first ->"
  echo "  last SQL statement of the worker (server log); maintain = the 'maintain --wait' process, its JVM start included;"
  echo "  events / activ. / children = history events and activities of the run and its children; pg_partman = the CALL via psql."
} | tee "$OUT/table.txt"

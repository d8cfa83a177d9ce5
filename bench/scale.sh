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
# partition-keeper: `java -jar partition-keeper.jar once --config` (detached partitions move to
# partition_archive), timed two ways: the whole process (JVM + embedded Temporal start/stop included)
# and the pass itself (first -> last SQL statement the worker sent, from the server log with
# log_statement=all on scale_pk only); peak RSS of the worker process from /usr/bin/time -v.
# The work done is checked from pg_inherits after every pass (creates/detaches counted, not assumed).
#
# Usage:  bash bench/scale.sh          Env: TABLES (50), PARTS (120), REPS (3), PORT (55462),
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
QUIET_WAIT=${QUIET_WAIT:-30}
QUIET_BELOW=${QUIET_BELOW:-25}
BASE=/tmp/pk-bench-scale
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

premake=$((PARTS / 2)); back=$((PARTS - premake))
# ------------------------------------------------------------------ the tables, once
log "creating $TABLES tables x ~$PARTS daily partitions with pg_partman"
"${PSQL[@]}" -c "CREATE DATABASE scale_partman"
"${PSQL[@]}" -d scale_partman -c "CREATE SCHEMA partman" -c "CREATE EXTENSION pg_partman SCHEMA partman"
for i in $(seq 1 "$TABLES"); do
  "${PSQL[@]}" -d scale_partman \
    -c "CREATE TABLE ev$i (id bigint, at timestamptz NOT NULL, v text) PARTITION BY RANGE (at)" \
    -c "SELECT partman.create_parent('public.ev$i', 'at', 'native', 'daily', p_premake := $premake,
          p_start_partition := to_char(now() - interval '$back days', 'YYYY-MM-DD'))" >/dev/null
done
# retention = $back days: nothing expired yet (pg_partman 4.7, like partition-keeper, detaches a partition
# once its upper bound is older than now - retention). infinite_time_partitions: create premake
# partitions ahead of now even though the tables hold no rows (4.7's default would create none).
"${PSQL[@]}" -d scale_partman -c "UPDATE partman.part_config SET retention = '$back days', retention_keep_table = true,
                                  infinite_time_partitions = true"
# one settling pass before the copy (4.7 then adds a couple of partitions ahead), so that both
# databases start from the same layout and every later pg_partman pass without changes is a no-op
"${PSQL[@]}" -d scale_partman -c "CALL partman.run_maintenance_proc()"
"${PSQL[@]}" -c "CREATE DATABASE scale_pk TEMPLATE scale_partman"
"${PSQL[@]}" -d scale_pk -c "DROP EXTENSION pg_partman" -c "DROP SCHEMA partman CASCADE"
"${PSQL[@]}" -c "ALTER DATABASE scale_pk SET log_statement = 'all'"

# attached ranged partitions / tables in partition_archive / default partitions, over all tables
counts() { # $1 db
  "${PSQL[@]}" -d "$1" -Atc "
    SELECT (SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE c.relkind = 'r' AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT') || ' ' ||
           (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'partition_archive' AND c.relkind = 'r') || ' ' ||
           (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relispartition AND c.relname ~ '^ev[0-9]+_p')"
}

pk_config() { # $1 premake, $2 retention days -> config file path
  local f=$BASE/pk_${1}_$2.yaml i
  {
    echo "postgres:"
    echo "  url: jdbc:postgresql://127.0.0.1:$PORT/scale_pk?user=postgres"
    echo "maintenance:"
    echo "  lock_timeout: 100ms"
    echo "tables:"
    for i in $(seq 1 "$TABLES"); do
      printf '  - table: public.ev%d\n    interval: daily\n    premake: %d\n    retention: %d days\n    timezone: UTC\n    default_partition: keep\n' \
        "$i" "$1" "$2"
    done
  } >"$f"
  echo "$f"
}

# one partition-keeper pass; sets PK_WALL, PK_PASS, PK_RSS_MB; logs go to $OUT/pk_$label.*
pk_pass() { # $1 label, $2 config
  local label=$1 cfg=$2 off s e rc=0 pid
  off=$(stat -c %s "$BASE/server.log")
  s=$(now)
  /usr/bin/time -v -o "$OUT/pk_$label.time" java -jar "$JAR" once --json --config "$cfg" \
    >"$OUT/pk_$label.json" 2>"$OUT/pk_$label.log" &
  pid=$!; BG_PIDS+=("$pid")
  wait "$pid" || rc=$?
  e=$(now)
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || { log "partition-keeper pass $label failed rc=$rc: $(tail -3 "$OUT/pk_$label.log")"; exit 1; }
  PK_WALL=$(elapsed "$s" "$e")
  # the pass itself: first .. last statement the worker's connections sent (not psql), leaving out the
  # connection pool's session setup at JVM start (SET application_name/TimeZone/DateStyle, SHOW, empty)
  tail -c +"$((off + 1))" "$BASE/server.log" |
    awk '$5 == "scale_pk" && $6 != "psql" && / LOG:  (statement|execute [^:]*): / {
           if (!go && $0 !~ /(statement|execute [^:]*): *($|SET application_name|SHOW TRANSACTION|SET TimeZone| *SET DateStyle)/) go = 1
           if (go) print }' >"$OUT/pk_$label.sql.log" || true
  local f l
  f=$(head -1 "$OUT/pk_$label.sql.log" | awk '{print $1 " " $2}')
  l=$(tail -1 "$OUT/pk_$label.sql.log" | awk '{print $1 " " $2}')
  PK_PASS=$(elapsed "$(date -u -d "$f UTC" +%s.%N)" "$(date -u -d "$l UTC" +%s.%N)")
  PK_RSS_MB=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$OUT/pk_$label.time")
  gzip -f "$OUT/pk_$label.sql.log"
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

# ------------------------------------------------------------------ a) nothing to do
quiet=$(wait_quiet "$QUIET_WAIT" "$QUIET_BELOW"); log "machine ${quiet}% busy before the no-op passes"
partman_pass >/dev/null # settle
PM_NOOP=(); for r in $(seq 1 "$REPS"); do PM_NOOP+=("$(partman_pass)"); done
[ "$(counts scale_partman)" = "$before_pm" ] || log "WARNING: pg_partman no-op pass changed the layout: $(counts scale_partman)"
cfg0=$(pk_config "$ahead" "$back")
pk_pass noop0 "$cfg0" # settle (creates the bookkeeping schema)
PK_NOOP_WALL=(); PK_NOOP_PASS=(); PK_RSS=()
for r in $(seq 1 "$REPS"); do
  pk_pass "noop$r" "$cfg0"
  PK_NOOP_WALL+=("$PK_WALL"); PK_NOOP_PASS+=("$PK_PASS"); PK_RSS+=("$PK_RSS_MB")
  log "partition-keeper no-op pass $r: process ${PK_WALL}s, pass ${PK_PASS}s, peak RSS ${PK_RSS_MB} MB"
done
[ "$(counts scale_pk)" = "$before_pk" ] || log "WARNING: partition-keeper no-op pass changed the layout: $(counts scale_pk)"
log "pg_partman no-op: ${PM_NOOP[*]}"

# ------------------------------------------------------------------ b) 1 create + 1 detach per table
PM_ACT=(); PK_ACT_WALL=(); PK_ACT_PASS=(); PM_WORK=(); PK_WORK=()
for r in $(seq 1 "$REPS"); do
  quiet=$(wait_quiet "$QUIET_WAIT" "$QUIET_BELOW")
  "${PSQL[@]}" -d scale_partman -c "UPDATE partman.part_config SET premake = $((premake + r)), retention = '$((back - r)) days'"
  b=$(counts scale_partman)
  PM_ACT+=("$(partman_pass)")
  a=$(counts scale_partman)
  # created = attached after - before + detached; detached = tables left outside the parent
  read -r b_att _ b_loose <<<"$b"; read -r a_att _ a_loose <<<"$a"
  PM_WORK+=("+$((a_att - b_att + a_loose - b_loose))/-$((a_loose - b_loose))")
  b=$(counts scale_pk)
  pk_pass "act$r" "$(pk_config $((ahead + r)) $((back - r)))"
  a=$(counts scale_pk)
  read -r b_att b_arch _ <<<"$b"; read -r a_att a_arch _ <<<"$a"
  PK_WORK+=("+$((a_att - b_att + a_arch - b_arch))/-$((a_arch - b_arch))")
  PK_ACT_WALL+=("$PK_WALL"); PK_ACT_PASS+=("$PK_PASS"); PK_RSS+=("$PK_RSS_MB")
  log "pass $r with work (busy before ${quiet}%): pg_partman ${PM_ACT[-1]}s (${PM_WORK[-1]} partitions), partition-keeper process ${PK_WALL}s, pass ${PK_PASS}s (${PK_WORK[-1]}), peak RSS ${PK_RSS_MB} MB"
done
after_pm=$(counts scale_partman); after_pk=$(counts scale_pk)

max_of() { printf '%s\n' "$@" | sort -g | tail -1; }
m_pm0=$(median "${PM_NOOP[@]}"); m_pk0=$(median "${PK_NOOP_PASS[@]}"); m_pkw0=$(median "${PK_NOOP_WALL[@]}")
m_pm1=$(median "${PM_ACT[@]}"); m_pk1=$(median "${PK_ACT_PASS[@]}"); m_pkw1=$(median "${PK_ACT_WALL[@]}")
{
  echo
  echo "== scale: $TABLES tables, ${before_pm%% *} daily partitions in all ($((${before_pm%% *} / TABLES)) per table, + a default partition each), no rows =="
  echo "   $(date -u +%F), $(nproc) cores, PostgreSQL $(pg_version), pg_partman $(partman_version); nice=${BENCH_NICE:-0}; median of $REPS passes; x = ratio to pg_partman"
  printf '%-44s %10s %12s %8s %12s %8s\n' 'pass' pg_partman 'pk pass' 'pass x' 'pk process' 'proc x'
  printf '%-44s %10.2f %12.2f %8s %12.2f %8s\n' 'nothing to do' "$m_pm0" "$m_pk0" "$(ratio "$m_pk0" "$m_pm0")" "$m_pkw0" "$(ratio "$m_pkw0" "$m_pm0")"
  printf '%-44s %10.2f %12.2f %8s %12.2f %8s\n' "1 create + 1 detach per table ($TABLES + $TABLES)" "$m_pm1" "$m_pk1" "$(ratio "$m_pk1" "$m_pm1")" "$m_pkw1" "$(ratio "$m_pkw1" "$m_pm1")"
  echo "partition-keeper worker peak RSS: $(max_of "${PK_RSS[@]}") MB (max over all passes; median $(median "${PK_RSS[@]}") MB)"
  echo "work done per pass with work (created/detached, from pg_inherits): pg_partman ${PM_WORK[*]}; partition-keeper ${PK_WORK[*]}"
  echo "attached partitions before -> after: pg_partman ${before_pm%% *} -> ${after_pm%% *}, partition-keeper ${before_pk%% *} -> ${after_pk%% *}"
  echo "runs (s): pg_partman no-op ${PM_NOOP[*]}; with work ${PM_ACT[*]}"
  echo "          partition-keeper pass no-op ${PK_NOOP_PASS[*]}; with work ${PK_ACT_PASS[*]}"
  echo "          partition-keeper process no-op ${PK_NOOP_WALL[*]}; with work ${PK_ACT_WALL[*]}"
  echo "pk pass = first -> last SQL statement of the worker (server log); pk process = the whole 'once' command"
  echo "  (JVM start, embedded Temporal test server, worker start/stop); pg_partman = the CALL via psql."
} | tee "$OUT/table.txt"

# Shared helpers for the bench/ scripts (sourced, not run).
# Throwaway PostgreSQL 15 clusters under /tmp on a non-standard port, 127.0.0.1 only, trust auth.

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
sleep_until() { sleep "$(awk -v t="$1" -v n="$EPOCHREALTIME" 'BEGIN{d=t-n; if (d<0) d=0; printf "%.3f", d}')"; }
# median of numbers (lower median for an even count); "-" when given nothing
median() {
  [ $# -gt 0 ] || { echo -; return; }
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}
# ratio a/b (2 decimals; 2 significant digits below 0.1), "-" when b is missing or 0
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN{ if (b == "-" || a == "-" || b + 0 == 0) { print "-"; exit }
                                  r = a / b; if (r < 0.1) printf "%.2g", r; else printf "%.2f", r }'
}

require_root() { [ "$(id -u)" = 0 ] || { echo "run as root (uses runuser -u postgres)" >&2; exit 2; }; }

# pg_partman 4.7 from Debian, installed when missing
ensure_partman() {
  [ -f /usr/share/postgresql/15/extension/pg_partman.control ] && return 0
  log "installing postgresql-15-partman"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-partman >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-partman >/dev/null
  }
  [ -f /usr/share/postgresql/15/extension/pg_partman.control ] || { echo "could not install pg_partman" >&2; exit 2; }
}
partman_version() { dpkg-query -W -f='${Version}' postgresql-15-partman 2>/dev/null || echo '?'; }
pg_version() { "$PGBIN/postgres" -V | awk '{print $3}'; }

# ensure_jar DEST: copies the runnable jar to DEST (a private copy, so a rebuild in the working tree
# during the benchmark cannot swap classes under a running JVM). PK_JAR=path uses that jar;
# BUILD=1 forces `mvn -B -q install -DskipTests` first; a missing or incomplete jar is built.
jar_ok() { [ -f "$1" ] && [ "$(unzip -l "$1" 2>/dev/null | grep -c "dev/partitionkeeper/worker/cli/Main.class")" -gt 0 ]; }
ensure_jar() {
  local dest=$1 src=${PK_JAR:-$REPO_DIR/worker/target/partition-keeper.jar}
  if [ "${BUILD:-0}" = 1 ] || ! jar_ok "$src"; then
    [ -z "${PK_JAR:-}" ] || { echo "PK_JAR=$PK_JAR is not a runnable partition-keeper jar" >&2; exit 2; }
    log "building partition-keeper (mvn -B -q install -DskipTests)"
    (cd "$REPO_DIR" && mvn -B -q install -DskipTests) >&2
  fi
  jar_ok "$src" || { echo "no runnable jar at $src" >&2; exit 2; }
  cp "$src" "$dest"
  jar_ok "$dest" || { echo "jar changed while copying (concurrent build?); re-run" >&2; exit 2; }
}

# start_cluster BASE PORT [extra postgresql.conf lines...]: fresh cluster in BASE/data
start_cluster() {
  local base=$1 port=$2; shift 2
  stop_cluster "$base"
  rm -rf "$base"
  mkdir -p "$base"
  chown postgres:postgres "$base"
  runuser -u postgres -- "$PGBIN/initdb" -D "$base/data" -A trust -U postgres -E UTF8 --no-locale >/dev/null
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = ''"
    echo "timezone = 'UTC'"
    echo "log_timezone = 'UTC'"
    local l
    for l in "$@"; do echo "$l"; done
  } >>"$base/data/postgresql.conf"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 start >/dev/null
}
stop_cluster() {
  local base=$1
  if [ -f "$base/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$base/data" -m fast -t 30 stop >/dev/null 2>&1 ||
      runuser -u postgres -- "$PGBIN/pg_ctl" -D "$base/data" -m immediate stop >/dev/null 2>&1 || true
  fi
}

# run_capped MAX_SECONDS "$0" "$@": re-exec the script under a hard time cap (once)
run_capped() {
  local cap=$1; shift
  if [ -z "${_BENCH_CAPPED:-}" ]; then
    export _BENCH_CAPPED=1
    exec timeout -k 20 "$cap" bash "$@"
  fi
}

# ------------------------------------------------------------------ noise accounting (2-core machine)
# host CPU ticks: "busy total" from /proc/stat (USER_HZ ticks, all cores)
host_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
# CPU ticks used by a postmaster and its children: own + reaped children (cutime/cstime) + live children
pg_ticks() { # $1 postmaster pid
  awk -v pm="$1" '{ pid = $1; l = $0; sub(/^.*\) /, "", l); split(l, a, " ")
                    if (pid == pm) s += a[12] + a[13] + a[14] + a[15]; else if (a[2] == pm) s += a[12] + a[13] }
                  END { print s + 0 }' /proc/[0-9]*/stat 2>/dev/null || echo 0
}
# percent of the machine busy over ~1 s
host_busy_pct() {
  local b0 t0 b1 t1
  read -r b0 t0 < <(host_ticks); sleep 1; read -r b1 t1 < <(host_ticks)
  awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN{ printf "%.0f", (t > 0 ? 100 * b / t : 0) }'
}
# QUIET_WAIT / QUIET_BELOW: how long the benchmarks wait for a quiet machine before a measurement, and below
# what busy percentage it counts as quiet (every script's default)
QUIET_WAIT=${QUIET_WAIT:-30}
QUIET_BELOW=${QUIET_BELOW:-25}
# wait_quiet MAX_SECONDS THRESHOLD_PCT: wait (up to MAX) until the machine is below THRESHOLD busy;
# prints the last busy percentage. Other work on a 2-core box shows up directly in insert latency.
wait_quiet() {
  local max=$1 thr=$2 t0=$EPOCHREALTIME busy
  while :; do
    busy=$(host_busy_pct)
    [ "$busy" -lt "$thr" ] && break
    awk -v a="$t0" -v b="$EPOCHREALTIME" -v m="$max" 'BEGIN{exit !(b-a >= m)}' && break
  done
  echo "$busy"
}
# kill_tree PID: a process we started and its direct children (e.g. /usr/bin/time -> java), by id
kill_tree() {
  local p=$1 c
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do kill "$c" 2>/dev/null || true; done
  kill "$p" 2>/dev/null || true
}

# BENCH_NICE=-10: run this script and everything it starts (the cluster, pgbench, the reader, the
# worker JVM) at that nice value. All of the benchmark's processes share it, so they compete with each
# other exactly as on a dedicated machine, while unrelated work on a shared box (builds, tests) gets
# pushed back. Default 0 (unchanged). Needs root for negative values.
apply_nice() {
  local n=${BENCH_NICE:-0}
  [ "$n" = 0 ] && return 0
  renice -n "$n" -p $$ >/dev/null
  log "running at nice $n (BENCH_NICE)"
}

# The common session of a benchmark script: PSQL for the cluster on $PORT, BG_PIDS for background jobs,
# and traps that kill those jobs, stop the cluster in $BASE and remove it on exit or interrupt.
bench_session() {
  export PGOPTIONS="-c client_min_messages=warning"
  PSQL=("$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1)
  BG_PIDS=()
  trap bench_cleanup EXIT
  trap 'log "interrupted (time cap ${MAX_SECONDS}s?)"; exit 130' INT TERM
}

bench_cleanup() {
  trap - EXIT INT TERM
  local p
  for p in "${BG_PIDS[@]}"; do kill_tree "$p"; done
  stop_cluster "$BASE"
  rm -rf "$BASE"
}

# The pass benchmarks (scale.sh, fleet.sh) --------------------------------------------------------------
# The Temporal CLI that .ci/temporal-cli.sh installs; the pass benchmarks run the dev server from it.
TEMPORAL_CLI=${TEMPORAL_CLI:-$HOME/.cache/partition-keeper/temporal/bin/temporal}

# partman_tables DB TABLES PREMAKE BACK: TABLES tables public.ev1.. in the new database DB, each made daily by
# pg_partman from BACK days ago to PREMAKE days ahead, with a retention that expires nothing yet, settled by one
# run_maintenance_proc so that every later pass without changes is a no-op.
partman_tables() {
  local db=$1 tables=$2 premake=$3 back=$4 i
  "${PSQL[@]}" -c "CREATE DATABASE $db"
  "${PSQL[@]}" -d "$db" -c "CREATE SCHEMA partman" -c "CREATE EXTENSION pg_partman SCHEMA partman"
  for i in $(seq 1 "$tables"); do
    "${PSQL[@]}" -d "$db" \
      -c "CREATE TABLE ev$i (id bigint, at timestamptz NOT NULL, v text) PARTITION BY RANGE (at)" \
      -c "SELECT partman.create_parent('public.ev$i', 'at', 'native', 'daily', p_premake := $premake,
            p_start_partition := to_char(now() - interval '$back days', 'YYYY-MM-DD'))" >/dev/null
  done
  # retention = BACK days: nothing expired yet (pg_partman 4.7, like partition-keeper, detaches a partition
  # once its upper bound is older than now - retention). infinite_time_partitions: create premake
  # partitions ahead of now even though the tables hold no rows (4.7's default would create none).
  "${PSQL[@]}" -d "$db" -c "UPDATE partman.part_config SET retention = '$back days', retention_keep_table = true,
                             infinite_time_partitions = true"
  # one settling pass before any copy (4.7 then adds a couple of partitions ahead), so that copies start from
  # the same layout
  "${PSQL[@]}" -d "$db" -c "CALL partman.run_maintenance_proc()"
}

# copy_without_partman FROM TO: a copy of database FROM with pg_partman's extension and schema gone
copy_without_partman() {
  "${PSQL[@]}" -c "CREATE DATABASE $2 TEMPLATE $1"
  "${PSQL[@]}" -d "$2" -c "DROP EXTENSION pg_partman" -c "DROP SCHEMA partman CASCADE"
}

# layout_counts DB: attached ranged partitions, tables in partition_archive, and detached ev tables left in public
layout_counts() {
  "${PSQL[@]}" -d "$1" -Atc "
    SELECT (SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE c.relkind = 'r' AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT') || ' ' ||
           (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'partition_archive' AND c.relkind = 'r') || ' ' ||
           (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relispartition AND c.relname ~ '^ev[0-9]+_p')"
}

# start_temporal dev|test PORT LOG: the Temporal dev server (TEMPORAL_CLI) or the SDK's test server from $JAR on
# 127.0.0.1:PORT in the background; sets TS_PID (also in BG_PIDS)
start_temporal() {
  if [ "$1" = dev ]; then
    "$TEMPORAL_CLI" server start-dev --ip 127.0.0.1 --port "$2" --headless --log-level warn \
      --dynamic-config-value frontend.enableServerVersionCheck=false >"$3" 2>&1 &
  else
    java -cp "$JAR" io.temporal.testserver.TestServer "$2" >"$3" 2>&1 &
  fi
  TS_PID=$!; BG_PIDS+=("$TS_PID")
}

# await_worker PID LOG: wait (up to 180 s) until the worker PID logs that it polls its task queue
await_worker() {
  local deadline=$((SECONDS + 180))
  until grep -q "worker started on task queue" "$2"; do
    [ $SECONDS -lt $deadline ] && kill -0 "$1" 2>/dev/null || { log "worker did not start: $(tail -3 "$2")"; exit 1; }
    sleep 0.2
  done
}

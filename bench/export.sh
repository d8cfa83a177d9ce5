#!/usr/bin/env bash
# Export + verify throughput of partition-keeper's archive step, side by side with what a user would
# run instead, on one generated `transactions`-shaped partition (issue 3, "Benchmark"). See bench/EXPORT.md.
#
#   a   COPY (SELECT * FROM t) TO STDOUT (FORMAT binary) | psql > /dev/null     -- the read limit
#   a2  COPY t TO STDOUT | zstd -3 -T0 > file                                   -- context (issue's anchor)
#   b   pg_dump -Fc -t t                                                        -- the usual archive
#   c   pg_restore of (b) into a fresh database (table + data + PK + index)     -- its restore test
#   d   partition-keeper export alone        (ParquetExporter -> filesystem store, ZSTD Parquet + manifest)
#   d2  the same, second export in one JVM   (JIT warm, as in a long-running worker; not used for the ratios)
#   e   partition-keeper verify alone        (ArchiveVerifier: read the archive back + re-read the table)
#   f   partition-keeper export + verify     (one JVM, what the worker does for one partition)
#   g   archive.format iceberg: export + Iceberg commit alone (IcebergArchiveFormat, JDBC catalog in this
#       database, warehouse on the filesystem)
#   h   archive.format iceberg: export + commit + verify (read back through Iceberg), one JVM: against (f),
#       the issue 17 target is <= 1.2x
#   j   diagnostic: the exporter's COPY read through pgjdbc in the JVM, discarded (no decoding)
#   k_* optional what-if variants of (d) with other options or JVM flags (EXPORT_VARIANTS, see below)
#   p   PAIRS times (default 5): (a) then at once (d), and the median of the pairs' ratios (drift-free)
# d/e/f/j run bench/ExportBench.java (pre-compiled once) with -Xmx256m against a private copy of the
# shaded worker jar. Each method runs RUNS times (default 3); medians are reported.
#
# Usage:  bash bench/export.sh [N_ROWS]                  (default 2000000)
#         RUNS=1 PORT=55470 MAX_SECONDS=1200 bash bench/export.sh
#         PROFILE=1 ...   one more export under JFR after the measurements; hot methods -> OUT/profile.txt
#         EXPORT_VARIANTS="zstd1:-Dbench.zstdLevel=1 ..."   extra rows: export alone with those JVM args
#         PK_JAR=path     use that jar; BUILD=1 rebuilds it first (mvn -B -q install -DskipTests)
# Needs: root (runuser -u postgres), PostgreSQL 15 in /usr/lib/postgresql/15/bin, JDK 17, zstd and
# /usr/bin/time (both installed with apt-get when missing).
# Throwaway cluster in $BASE (default /tmp/pk-bench-export), 127.0.0.1:$PORT, trust auth, removed at exit.
# Before each run it waits while a pgbench process or bench/writer_stall.sh exists (someone else's latency
# benchmark), polling every 5 s, at most PGBENCH_WAIT_MAX seconds in total (default 600), then carries on
# and says so; and up to QUIET_MAX s (default 30) for the host to be < QUIET_PCT % busy (default 25).
# Runs at nice BENCH_NICE (default -10) so that unrelated builds on the shared machine are pushed back.
# Results: $OUT (default bench/out/export/): table.txt, runs.tsv, env.txt, logs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${1:-2000000}
RUNS=${RUNS:-3}
PORT=${PORT:-55470}
MAX_SECONDS=${MAX_SECONDS:-1200}
PGBENCH_WAIT_MAX=${PGBENCH_WAIT_MAX:-600}
BASE=${BASE:-/tmp/pk-bench-export}
OUT=${OUT:-$BENCH_DIR/out/export}
HEAP=${HEAP:-256m}
T=transactions_y2025m01

run_capped "$MAX_SECONDS" "$0" "$@"
# The machine is shared (builds, tests, the other benchmarks): by default this script and everything it
# starts (cluster, psql, pg_dump, the JVM) run at nice -10, so they compete with each other as on an idle
# machine while unrelated work is pushed back. BENCH_NICE=0 turns that off.
BENCH_NICE=${BENCH_NICE:--10}

require_root
apply_nice
case $PORT in 5544[0-9]|55450) echo "PORT $PORT is reserved for the other benchmarks; use e.g. 55470" >&2; exit 2 ;; esac
command -v java >/dev/null && command -v javac >/dev/null || { echo "JDK 17 (java, javac) missing" >&2; exit 2; }
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  }
}
command -v zstd >/dev/null || { log "installing zstd"; apt_install zstd; }
[ -x /usr/bin/time ] || { log "installing time"; apt_install time; }

PG=$BASE/pg
ARCH=$BASE/archive
WORK=$BASE/work
cleanup() {
  trap - EXIT INT TERM
  stop_cluster "$PG"
  rm -rf "$BASE"
}
trap cleanup EXIT
set -E
trap 'log "failed (status $?) at line $LINENO: $BASH_COMMAND"' ERR
trap 'log "interrupted (time cap MAX_SECONDS=$MAX_SECONDS or a signal)"; exit 130' INT TERM

rm -rf "$BASE" "$OUT"
mkdir -p "$BASE" "$WORK" "$OUT/logs"
log "starting throwaway cluster on 127.0.0.1:$PORT in $PG"
start_cluster "$PG" "$PORT" "shared_buffers = 512MB" "maintenance_work_mem = 512MB" "max_wal_size = 8GB" \
  "checkpoint_timeout = 30min"
PM_PID=$(head -1 "$PG/data/postmaster.pid")

JAR=$BASE/partition-keeper.jar
ensure_jar "$JAR"
GIT_REV=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
if [ -n "$(git -C "$REPO_DIR" status --porcelain --untracked-files=no 2>/dev/null || true)" ]; then
  GIT_REV="$GIT_REV + uncommitted changes"
fi
log "compiling bench/ExportBench.java against the jar"
mkdir -p "$BASE/classes"
javac -nowarn -d "$BASE/classes" -cp "$JAR" "$BENCH_DIR/ExportBench.java"
JAVA=(java "-Xmx$HEAP" "-Djava.io.tmpdir=$WORK" -cp "$JAR:$BASE/classes" ExportBench)
JDBC="jdbc:postgresql://127.0.0.1:$PORT/postgres"

export PGOPTIONS="-c client_min_messages=warning"
PSQL=("$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1)

# ---------------------------------------------------------------- pgbench etiquette
# Someone else's latency benchmark must not be disturbed (nor disturb us): before each run, wait while a
# pgbench process exists, or while bench/writer_stall.sh is running (it starts a pgbench every ~50 s, so
# waiting for pgbench alone interleaves our runs with its windows). Polls every 5 s; gives up after
# PGBENCH_WAIT_MAX seconds of waiting in total, then carries on and says so in the report.
WAITED=0          # seconds spent waiting, in total
WAIT_NOTE=""
other_bench() { pgrep -x pgbench >/dev/null || pgrep -f 'bench/writer_stall\.sh' >/dev/null; }
wait_no_pgbench() {
  local t0
  other_bench || return 0
  if [ "$WAITED" -ge "$PGBENCH_WAIT_MAX" ]; then
    WAIT_NOTE="another latency benchmark (pgbench / writer_stall.sh) ran during some runs: gave up waiting after ${PGBENCH_WAIT_MAX}s"
    return 0
  fi
  log "pgbench / writer_stall.sh is running (someone else's benchmark); waiting"
  t0=$EPOCHREALTIME
  while other_bench && [ "$WAITED" -lt "$PGBENCH_WAIT_MAX" ]; do
    sleep 5
    WAITED=$(awk -v w="$WAITED" -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%d", w + (b - a)}')
    t0=$EPOCHREALTIME
  done
  if other_bench; then
    WAIT_NOTE="another latency benchmark (pgbench / writer_stall.sh) ran during some runs: gave up waiting after ${PGBENCH_WAIT_MAX}s"
    log "$WAIT_NOTE"
  else
    log "the other benchmark is gone; ${WAITED}s of waiting in total"
    WAIT_NOTE="waited ${WAITED}s in total for another latency benchmark (pgbench / writer_stall.sh) to finish"
  fi
}

# Other work on a 2-core machine shows up directly in these timings: before each run, wait (at most
# QUIET_MAX s per run, QUIET_BUDGET s in total) until the host is below QUIET_PCT % busy; the busy
# percentage seen just before each run is reported.
QUIET_PCT=${QUIET_PCT:-25}
QUIET_MAX=${QUIET_MAX:-30}
QUIET_BUDGET=${QUIET_BUDGET:-240}
QUIET_WAITED=0
DISTURBED=()
BUSY_NOW=0
wait_for_quiet() { # sets BUSY_NOW (not echoed: QUIET_WAITED must be updated in this shell)
  local t0=$EPOCHREALTIME max=$QUIET_MAX left
  left=$((QUIET_BUDGET - QUIET_WAITED))
  if [ "$left" -lt "$max" ]; then max=$left; fi
  if [ "$max" -lt 1 ]; then max=1; fi
  BUSY_NOW=$(wait_quiet "$max" "$QUIET_PCT")
  QUIET_WAITED=$(awk -v w="$QUIET_WAITED" -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{w += (b - a) - 1; printf "%d", (w < 0 ? 0 : w)}')
}

# ---------------------------------------------------------------- data (the anchor's generator)
wait_no_pgbench
log "generating $N rows in $T"
t0=$(now)
"${PSQL[@]}" <<SQL
DROP TABLE IF EXISTS $T;
CREATE TABLE $T (
  id          bigint        NOT NULL,
  account_id  bigint        NOT NULL,
  amount      numeric(18,2) NOT NULL,
  currency    char(3)       NOT NULL,
  status      text          NOT NULL,
  memo        text,
  created_at  timestamptz   NOT NULL,
  metadata    jsonb
);
INSERT INTO $T
SELECT g,
       1 + floor(random() * 200000)::bigint,
       round((random() * 5000)::numeric, 2),
       (ARRAY['USD','EUR','GBP','CHF','JPY'])[1 + floor(random() * 5)::int],
       (ARRAY['pending','authorized','settled','declined','refunded'])[1 + floor(random() * 5)::int],
       substr(translate(encode(decode(md5(random()::text) || md5(random()::text), 'hex'), 'base64'), '+/=', 'xyz'), 1, 30),
       -- inside January, as a monthly partition's rows are (the Iceberg variant refuses rows of two months)
       timestamptz '2025-01-01 00:00:00+00' + (g::float8 / $N) * (interval '31 days' - interval '1 second') + random() * interval '1 second',
       jsonb_build_object('channel', (ARRAY['web','pos','atm','api'])[1 + floor(random() * 4)::int],
                          'mcc', 5000 + floor(random() * 1000)::int,
                          'risk', round(random()::numeric, 3),
                          'ip', '10.' || floor(random() * 256)::int || '.' || floor(random() * 256)::int || '.' || floor(random() * 256)::int)
FROM generate_series(1, $N) AS g;
ALTER TABLE $T ADD PRIMARY KEY (id, created_at);
CREATE INDEX ${T}_account_idx ON $T (account_id, created_at);
VACUUM (FREEZE, ANALYZE) $T;
CHECKPOINT;
SQL
log "data ready in $(elapsed "$t0" "$(now)")s"
SIZE=$("${PSQL[@]}" -Atc "SELECT pg_total_relation_size('$T')")
HEAPSZ=$("${PSQL[@]}" -Atc "SELECT pg_table_size('$T')")
ROWS=$("${PSQL[@]}" -Atc "SELECT count(*) FROM $T")
log "rows=$ROWS pg_total_relation_size=$SIZE bytes, pg_table_size (heap+toast)=$HEAPSZ bytes"
# warm the cache the same way for everyone
"${PSQL[@]}" -c "COPY $T TO '/dev/null'"

# ---------------------------------------------------------------- measurement
# measure NAME PRE_HOOK CMD...: runs CMD RUNS times under /usr/bin/time -v; CMD's stdout goes to
# OUT/logs/NAME.N.out, stderr to .err. Records per run: wall s, in-process s (ExportBench's total_s, or
# the wall time for other tools), peak RSS KiB, client CPU s (user+sys), server CPU s (postmaster and
# its children, from /proc), host busy % just before.
declare -A MED_WALL MED_S MED_RSS MED_CCPU MED_SCPU BUSY OUTB NOTE
printf 'method\trun\twall_s\ts\tpeak_rss_kib\tclient_cpu_s\tserver_cpu_s\thost_busy_pct_before\n' >"$OUT/runs.tsv"
HZ=$(getconf CLK_TCK)
# CPU ticks of a postmaster and its children: own + reaped children (cutime/cstime) + live children.
# (cat, not awk over the glob: a backend exiting between glob and open must not abort the sum)
srv_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } |
    awk -v pm="$1" '{ pid = $1; l = $0; sub(/^.*\) /, "", l); split(l, a, " ")
                      if (pid == pm) s += a[12] + a[13] + a[14] + a[15]; else if (a[2] == pm) s += a[12] + a[13] }
                    END { print s + 0 }'
}
measure() {
  local name=$1 pre=$2; shift 2
  local i walls=() ss=() rsss=() ccpus=() scpus=() busys=() t0 t1 p0 p1 tf so se wall s rss ccpu scpu busy
  for ((i = 1; i <= RUNS; i++)); do
    wait_no_pgbench
    [ "$pre" = - ] || "$pre" || { log "$name run $i: preparation $pre failed"; exit 1; }
    wait_for_quiet; busy=$BUSY_NOW
    tf=$OUT/logs/$name.$i.time so=$OUT/logs/$name.$i.out se=$OUT/logs/$name.$i.err
    p0=$(srv_ticks "$PM_PID"); t0=$(now)
    /usr/bin/time -v -o "$tf" "$@" >"$so" 2>"$se" || { log "$name run $i failed; see $se"; tail -5 "$se" >&2; exit 1; }
    t1=$(now); p1=$(srv_ticks "$PM_PID")
    if other_bench; then
      DISTURBED+=("$name#$i")
      log "$name run $i: another latency benchmark started during the run (both may be disturbed)"
    fi
    wall=$(elapsed "$t0" "$t1")
    s=$(sed -n 's/^RESULT .* total_s=\([0-9.]*\).*/\1/p' "$so")
    [ -n "$s" ] || s=$wall
    rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$tf")
    ccpu=$(awk -F': ' '/User time|System time/{s += $2} END{printf "%.2f", s}' "$tf")
    scpu=$(awk -v d="$((p1 - p0))" -v hz="$HZ" 'BEGIN{printf "%.2f", d / hz}')
    walls+=("$wall") ss+=("$s") rsss+=("$rss") ccpus+=("$ccpu") scpus+=("$scpu") busys+=("$busy")
    printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$i" "$wall" "$s" "$rss" "$ccpu" "$scpu" "$busy" >>"$OUT/runs.tsv"
  done
  MED_WALL[$name]=$(median "${walls[@]}") MED_S[$name]=$(median "${ss[@]}") MED_RSS[$name]=$(median "${rsss[@]}")
  MED_CCPU[$name]=$(median "${ccpus[@]}") MED_SCPU[$name]=$(median "${scpus[@]}")
  BUSY[$name]=$(printf '%s\n' "${busys[@]}" | sort -n | tail -1)
  log "$name: s=${ss[*]} (wall ${walls[*]}) median=${MED_S[$name]}s rss_kib=${MED_RSS[$name]} host_busy_before<=${BUSY[$name]}%"
}
result_field() { sed -n "s/^RESULT .* $2=\\([^ ]*\\).*/\\1/p" "$OUT/logs/$1.$RUNS.out"; }

# a. the read limit
measure a_copy_binary - "${PSQL[@]}" -o /dev/null -c "COPY (SELECT * FROM $T) TO STDOUT (FORMAT binary)"
OUTB[a_copy_binary]=$("${PSQL[@]}" -c "COPY (SELECT * FROM $T) TO STDOUT (FORMAT binary)" | wc -c)
NOTE[a_copy_binary]="bytes = binary COPY stream to /dev/null; RSS = psql"

copy_zstd() { "${PSQL[@]}" -c "COPY $T TO STDOUT" | zstd -q -3 -T0 >"$WORK/a2.tsv.zst"; }
measure a2_copy_text_zstd3 - bash -c "$(declare -p PSQL T WORK); $(declare -f copy_zstd); copy_zstd"
OUTB[a2_copy_text_zstd3]=$(stat -c %s "$WORK/a2.tsv.zst")
NOTE[a2_copy_text_zstd3]="context; RSS = largest of psql/zstd"
rm -f "$WORK/a2.tsv.zst"

# b. pg_dump -Fc
measure b_pg_dump_Fc - "$PGBIN/pg_dump" -h 127.0.0.1 -p "$PORT" -U postgres -Fc -t "$T" -f "$WORK/b.dump" postgres
OUTB[b_pg_dump_Fc]=$(stat -c %s "$WORK/b.dump")
NOTE[b_pg_dump_Fc]="zlib default level; RSS = pg_dump"

# c. pg_restore of (b)
# WITH (FORCE): the previous pg_restore's backend may still be exiting
fresh_restore_db() { "${PSQL[@]}" -c 'DROP DATABASE IF EXISTS restore_b WITH (FORCE)' -c 'CREATE DATABASE restore_b'; }
measure c_pg_restore fresh_restore_db "$PGBIN/pg_restore" -h 127.0.0.1 -p "$PORT" -U postgres --no-owner \
  -d restore_b "$WORK/b.dump"
got=$("${PSQL[@]}" -d restore_b -Atc "SELECT count(*) FROM $T")
[ "$got" = "$ROWS" ] || { log "pg_restore row count mismatch: $got vs $ROWS"; exit 1; }
"${PSQL[@]}" -c 'DROP DATABASE IF EXISTS restore_b WITH (FORCE)'
OUTB[c_pg_restore]=${OUTB[b_pg_dump_Fc]}
NOTE[c_pg_restore]="bytes = input; incl. PK + index build; RSS = pg_restore"
rm -f "$WORK/b.dump"

# d/e/f. partition-keeper
fresh_archive() { rm -rf "$ARCH"; mkdir -p "$ARCH"; }
measure d_pk_export fresh_archive "${JAVA[@]}" "$JDBC" "public.$T" "$ARCH" export
OUTB[d_pk_export]=$(result_field d_pk_export bytes)
MANIFEST_BYTES=$(find "$ARCH" -name manifest.json -printf '%s\n' | head -1)
NOTE[d_pk_export]="bytes = Parquet files (+ manifest ${MANIFEST_BYTES} B); RSS = JVM, -Xmx$HEAP"

# verify the archive the last export run left
measure e_pk_verify - "${JAVA[@]}" "$JDBC" "public.$T" "$ARCH" verify
OUTB[e_pk_verify]=${OUTB[d_pk_export]}
NOTE[e_pk_verify]="bytes = archive read back; also re-reads the table"

measure f_pk_export_verify fresh_archive "${JAVA[@]}" "$JDBC" "public.$T" "$ARCH" both
OUTB[f_pk_export_verify]=$(result_field f_pk_export_verify bytes)
NOTE[f_pk_export_verify]="one JVM; export $(result_field f_pk_export_verify export_s)s + verify $(result_field f_pk_export_verify verify_s)s (last run)"

# g/h. archive.format iceberg (issue 17): the same partition into an Iceberg table
measure g_iceberg_export fresh_archive "${JAVA[@]}" "$JDBC" "public.$T" "$ARCH" iceberg
OUTB[g_iceberg_export]=$(result_field g_iceberg_export bytes)
NOTE[g_iceberg_export]="Iceberg: data files + commit (JDBC catalog); bytes = data files"
measure h_iceberg_export_verify fresh_archive "${JAVA[@]}" "$JDBC" "public.$T" "$ARCH" iceberg-both
OUTB[h_iceberg_export_verify]=$(result_field h_iceberg_export_verify bytes)
NOTE[h_iceberg_export_verify]="Iceberg, one JVM; export+commit $(result_field h_iceberg_export_verify export_s)s + verify $(result_field h_iceberg_export_verify verify_s)s (last run)"

# d2. export in a warm JVM (the second export of one JVM, as in a long-running worker)
measure d2_pk_export_warm fresh_archive "${JAVA[@]}" "$JDBC" "public.$T" "$ARCH" warm
OUTB[d2_pk_export_warm]=$(result_field d2_pk_export_warm bytes)
NOTE[d2_pk_export_warm]="2nd export in one JVM (1st: JIT warm-up, $(result_field d2_pk_export_warm warmup_s)s in the last run); RSS and CPU over both"

# j. diagnostic: the JVM's COPY read limit
measure j_jvm_copy_read - "${JAVA[@]}" "$JDBC" "public.$T" "$ARCH" copyread
OUTB[j_jvm_copy_read]=$(result_field j_jvm_copy_read copy_bytes)
NOTE[j_jvm_copy_read]="diagnostic: pgjdbc CopyManager, discarded, no decoding"

# k. optional what-if variants of the export alone: EXPORT_VARIANTS="name:jvm-args ..." (args separated by
# commas), e.g. "zstd1:-Dbench.zstdLevel=1 rg16:-Dbench.rowGroupMiB=16 pargc:-XX:+UseParallelGC"
VARIANT_NAMES=()
for v in ${EXPORT_VARIANTS:-}; do
  vname=k_export_${v%%:*}
  IFS=, read -r -a vargs <<<"${v#*:}"
  measure "$vname" fresh_archive java "-Xmx$HEAP" "-Djava.io.tmpdir=$WORK" "${vargs[@]}" -cp "$JAR:$BASE/classes" \
    ExportBench "$JDBC" "public.$T" "$ARCH" export
  OUTB[$vname]=$(result_field "$vname" bytes)
  NOTE[$vname]="what-if: export with ${v#*:}"
  VARIANT_NAMES+=("$vname")
done

# ---------------------------------------------------------------- p. paired: COPY read, then export
# The rows above measure each method RUNS times in a row, minutes apart; this VM's speed drifts by 20-30 %
# over minutes (the same COPY read took 3.2 s in one run and 4.7 s in the next), which moves the
# export / COPY ratio by as much. So PAIRS times (default 5): the binary COPY read, then at once the export
# (same JVM command as d), and the ratio of each pair. Their median is the drift-free figure.
PAIRS=${PAIRS:-5}
PAIR_RATIOS=()
PAIR_LINES=()
for ((i = 1; i <= PAIRS; i++)); do
  wait_no_pgbench
  wait_for_quiet
  t0=$(now)
  "${PSQL[@]}" -o /dev/null -c "COPY (SELECT * FROM $T) TO STDOUT (FORMAT binary)"
  t1=$(now)
  pc=$(elapsed "$t0" "$t1")
  fresh_archive
  "${JAVA[@]}" "$JDBC" "public.$T" "$ARCH" export >"$OUT/logs/p_export.$i.out" 2>"$OUT/logs/p_export.$i.err" ||
    { log "paired export $i failed; see $OUT/logs/p_export.$i.err"; exit 1; }
  pe=$(sed -n 's/^RESULT .* total_s=\([0-9.]*\).*/\1/p' "$OUT/logs/p_export.$i.out")
  pr=$(awk -v e="$pe" -v c="$pc" 'BEGIN{printf "%.2f", e / c}')
  PAIR_RATIOS+=("$pr")
  PAIR_LINES+=("${pc}/${pe}")
  printf 'p_pair\t%d\t%s\t%s\t\t\t\t%s\n' "$i" "$pc" "$pe" "$BUSY_NOW" >>"$OUT/runs.tsv"
  log "pair $i: binary COPY read ${pc}s, export ${pe}s: ${pr}x (host busy before <= ${BUSY_NOW}%)"
done

# ---------------------------------------------------------------- optional profile
# jfr_breakdown FILE SECONDS: JFR samples of all Java threads, each put in the category of the first frame
# from the top that names a known component (java.* frames never decide, except class loading and file
# or socket I/O). Java samples weigh 10 ms (ExecutionSample period in settings=profile), samples of
# threads in native code (zstd-jni, socket reads) 20 ms (NativeMethodSample period).
jfr_breakdown() {
  local f=$1 secs=$2
  echo "# where one export's time goes: JFR, settings=profile; export took ${secs}s inside the JVM"
  echo "# est_ms = Java samples x 10 ms + native samples x 20 ms (all Java threads; JIT compiler and GC"
  echo "# threads are not sampled: see the GC line and cli_cpu - s in the table for them)"
  jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample --stack-depth 64 "$f" | awk '
    function cat(fr) {
      if (fr ~ /ClassLoader|jdk\.internal\.loader|ServiceLoader|java\.util\.zip/) return "startup: class loading"
      if (fr ~ /luben\.zstd|ZstdCodecFactory/) return "ZSTD compression (zstd-jni)"
      if (fr ~ /ContentChecksum/) return "content checksum (SHA-256 per row)"
      if (fr ~ /KeyRange|RowSummary/) return "partition key min/max"
      if (fr ~ /activities\.archive\.(store|parquet)\.(Sha256|FileSystemArchiveStore|HashedOutputFile)/) return "file SHA-256 + store (rename or copy)"
      if (fr ~ /NioSocketImpl|SocketInputStream|SocketDispatcher|sun\.nio\.ch\.Net\./) return "socket read (waiting for PostgreSQL)"
      if (fr ~ /PgCopyBinaryReader|CopyOutStream|PgText/) return "COPY decode (PgCopyBinaryReader)"
      if (fr ~ /org\.postgresql/) return "COPY protocol (pgjdbc)"
      if (fr ~ /RowWriteSupport/) return "Parquet record write (RowWriteSupport)"
      if (fr ~ /FileChannelImpl|FileDispatcher|FileOutputStream|RandomAccessFile/) return "file write/read"
      if (fr ~ /org\.apache\.parquet|shaded\.parquet/) return "Parquet encode (dictionary, stats, pages)"
      if (fr ~ /CatalogColumns|ArchiveManifest|jackson|hikari|logback|slf4j|ExportBench/) return "setup: catalog, manifest, pool, logging"
      return ""
    }
    /^jdk\.ExecutionSample/ { w = 10; inst = 0; done = 0; top = ""; next }
    /^jdk\.NativeMethodSample/ { w = 20; inst = 0; done = 0; top = ""; next }
    /stackTrace = \[/ { inst = 1; next }
    inst && /^[ \t]*\]/ { inst = 0; if (!done) { c = "other (top frame " top ")"; ms[c] += w; tot += w } next }
    inst && !done { fr = $0; sub(/^[ \t]+/, "", fr); sub(/\(.*$/, "", fr); if (top == "") top = fr
                    c = cat(fr); if (c != "") { ms[c] += w; tot += w; done = 1 } }
    END { for (c in ms) printf "%8d ms %5.1f%%  %s\n", ms[c], 100 * ms[c] / tot, c; }' | sort -rn | head -30
  echo
  echo "# GC: $(jfr print --events jdk.GarbageCollection "$f" | awk '/sumOfPauses/{n++; v=$3; u=$4; if (u ~ /^s/) v*=1000; else if (u ~ /^us/) v/=1000; s+=v} END{printf "%d collections, %.0f ms of pauses in total", n, s}')"
  echo
  echo "# hottest top frames (Java samples)"
  jfr print --events jdk.ExecutionSample --stack-depth 1 "$f" |
    awk '/stackTrace = \[/{getline; sub(/^[ \t]+/, ""); sub(/line:.*/, ""); print}' | sort | uniq -c | sort -rn | head -25
}

if [ "${PROFILE:-0}" = 1 ]; then
  wait_no_pgbench
  fresh_archive
  log "profiling one export with JFR"
  java "-Xmx$HEAP" "-Djava.io.tmpdir=$WORK" -XX:StartFlightRecording="filename=$OUT/export.jfr,settings=profile" \
    -cp "$JAR:$BASE/classes" ExportBench "$JDBC" "public.$T" "$ARCH" export >"$OUT/logs/profile.out" 2>"$OUT/logs/profile.err"
  jfr_breakdown "$OUT/export.jfr" "$(sed -n 's/^RESULT .* total_s=\([0-9.]*\).*/\1/p' "$OUT/logs/profile.out")" \
    >"$OUT/profile.txt"
  log "profile written to $OUT/profile.txt and $OUT/export.jfr"
fi

# ---------------------------------------------------------------- report
{
  echo "date: $(date -u '+%F %T UTC')"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
  echo "PostgreSQL: $(pg_version); java: $(java -version 2>&1 | head -1); zstd: $(zstd -V | grep -o 'v[0-9][0-9.]*' | head -1)"
  echo "run at nice $BENCH_NICE; host busy before runs: waited up to ${QUIET_MAX}s per run for < ${QUIET_PCT}% (${QUIET_WAITED}s spent of a ${QUIET_BUDGET}s budget)"
  echo "jar: sha256 $(sha256sum "$JAR" | cut -c1-16); git (when the jar was copied): $GIT_REV"
} >"$OUT/env.txt"

cpu() { awk -v a="${MED_CCPU[$1]}" -v b="${MED_SCPU[$1]}" 'BEGIN{printf "%.2f", a + b}'; }
report() {
  echo "== export benchmark: $T, rows=$ROWS, pg_total_relation_size=$SIZE B ($(awk -v s="$SIZE" 'BEGIN{printf "%.1f", s/1048576}') MiB), heap+toast=$HEAPSZ B, runs=$RUNS, medians =="
  sed 's/^/   /' "$OUT/env.txt"
  [ -z "$WAIT_NOTE" ] || echo "   note: $WAIT_NOTE"
  [ "${#DISTURBED[@]}" = 0 ] || echo "   note: another latency benchmark started during runs ${DISTURBED[*]}"
  [ "$RUNS" -ge 3 ] || echo "   note: RUNS=$RUNS (fewer than 3 runs per method)"
  printf '%-20s %7s %7s %10s %7s %12s %8s %7s %7s %5s  %s\n' method s wall_s rows/s MB/s out_bytes rss_MiB cli_cpu srv_cpu busy% note
  local m
  for m in a_copy_binary a2_copy_text_zstd3 b_pg_dump_Fc c_pg_restore d_pk_export d2_pk_export_warm e_pk_verify \
    f_pk_export_verify g_iceberg_export h_iceberg_export_verify j_jvm_copy_read "${VARIANT_NAMES[@]}"; do
    awk -v m="$m" -v s="${MED_S[$m]}" -v w="${MED_WALL[$m]}" -v size="$SIZE" -v rows="$ROWS" -v b="${OUTB[$m]}" \
      -v rss="${MED_RSS[$m]}" -v cc="${MED_CCPU[$m]}" -v sc="${MED_SCPU[$m]}" -v busy="${BUSY[$m]}" -v note="${NOTE[$m]:-}" 'BEGIN{
      printf "%-20s %7.2f %7.2f %10.0f %7.1f %12d %8.1f %7.2f %7.2f %5d  %s\n", m, s, w, rows/s, size/1e6/s, b, rss/1024, cc, sc, busy, note }'
  done
  echo "s = median seconds of the operation: for d/e/f/j measured inside the JVM around the library call"
  echo "    (JVM start and class loading excluded; wall_s includes them). MB/s = pg_total_relation_size"
  echo "    (heap + toast + indexes, as in the anchors) / s, 1 MB = 10^6 B. rss = peak RSS of the client"
  echo "    process (/usr/bin/time -v). cli_cpu / srv_cpu = CPU seconds of the client / of PostgreSQL."
  echo "    busy% = highest host CPU use in the second before a run (other work on this 2-core machine)."
  echo
  local e=${MED_S[d_pk_export]} ev=${MED_S[f_pk_export_verify]} pd=${MED_S[b_pg_dump_Fc]} pr=${MED_S[c_pg_restore]}
  local cb=${MED_S[a_copy_binary]} dr
  dr=$(awk -v a="$pd" -v b="$pr" 'BEGIN{printf "%.3f", a + b}')
  verdict() { awk -v r="$1" -v t="$2" 'BEGIN{ print (r + 0 <= t + 0 ? "meets target" : "MISSES target") }'; }
  printf '%-46s %6s  %-14s %s\n' ratio value target verdict
  printf '%-46s %6s  %-14s %s\n' "export / pg_dump -Fc" "$(ratio "$e" "$pd")" "< 1 (faster)" "$(verdict "$(ratio "$e" "$pd")" 0.9999)"
  printf '%-46s %6s  %-14s %s\n' "export / binary COPY read" "$(ratio "$e" "$cb")" "<= 2" "$(verdict "$(ratio "$e" "$cb")" 2)"
  printf '%-46s %6s  %-14s %s\n' "(export+verify) / (pg_dump -Fc + pg_restore)" "$(ratio "$ev" "$dr")" "< 1 (faster)" "$(verdict "$(ratio "$ev" "$dr")" 0.9999)"
  local ie=${MED_S[h_iceberg_export_verify]}
  printf '%-46s %6s  %-14s %s\n' "iceberg (export+commit+verify) / parquet (export+verify)" "$(ratio "$ie" "$ev")" "<= 1.2" "$(verdict "$(ratio "$ie" "$ev")" 1.2)"
  printf '%-46s %6s  %-14s %s\n' "iceberg (export+commit+verify) / pg_dump -Fc" "$(ratio "$ie" "$pd")" "" ""
  if [ "${#PAIR_RATIOS[@]}" -gt 0 ]; then
    local pm
    pm=$(median "${PAIR_RATIOS[@]}")
    printf '%-46s %6s  %-14s %s\n' "export / binary COPY read, paired (median)" "$pm" "<= 2" "$(verdict "$pm" 2)"
    printf '%-46s %s\n' "  ${#PAIR_RATIOS[@]} pairs, COPY s / export s:" "${PAIR_LINES[*]}"
    printf '%-46s %s\n' "  their ratios:" "${PAIR_RATIOS[*]}"
  fi
  printf '%-46s %6s  %-14s %s\n' "same three with wall_s (JVM start included):" "" "" ""
  printf '%-46s %6s\n' "  export / pg_dump -Fc" "$(ratio "${MED_WALL[d_pk_export]}" "${MED_WALL[b_pg_dump_Fc]}")"
  printf '%-46s %6s\n' "  export / binary COPY read" "$(ratio "${MED_WALL[d_pk_export]}" "${MED_WALL[a_copy_binary]}")"
  printf '%-46s %6s\n' "  (export+verify) / (pg_dump -Fc + pg_restore)" "$(ratio "${MED_WALL[f_pk_export_verify]}" "$(awk -v a="${MED_WALL[b_pg_dump_Fc]}" -v b="${MED_WALL[c_pg_restore]}" 'BEGIN{print a + b}')")"
  printf '%-46s %6s\n' "warm JVM: export / pg_dump -Fc" "$(ratio "${MED_S[d2_pk_export_warm]}" "$pd")"
  printf '%-46s %6s\n' "warm JVM: export / binary COPY read" "$(ratio "${MED_S[d2_pk_export_warm]}" "$cb")"
  printf '%-46s %6s\n' "export CPU / pg_dump -Fc CPU (client + server)" "$(ratio "$(cpu d_pk_export)" "$(cpu b_pg_dump_Fc)")"
  printf '%-46s %6s\n' "export CPU / binary COPY read CPU" "$(ratio "$(cpu d_pk_export)" "$(cpu a_copy_binary)")"
  printf '%-46s %6s\n' "export output / pg_dump -Fc output" "$(ratio "${OUTB[d_pk_export]}" "${OUTB[b_pg_dump_Fc]}")"
}
echo
report | tee "$OUT/table.txt"
mkdir -p "$(dirname "$OUT")/export-history"
cp "$OUT/table.txt" "$(dirname "$OUT")/export-history/table-$(date -u +%Y%m%dT%H%M%SZ).txt"

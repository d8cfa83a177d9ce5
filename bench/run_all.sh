#!/usr/bin/env bash
# Runs every benchmark in bench/ and writes bench/out/ (gitignored):
#   bench/out/env.txt             machine, versions, jar, git state
#   bench/out/writer_stall/       per-run logs + table.txt   (bench/writer_stall.sh)
#   bench/out/scale/              per-pass logs + table.txt  (bench/scale.sh)
#   bench/out/export/             per-run logs + table.txt   (bench/export.sh)
#   bench/out/summary.txt         both tables
# Builds partition-keeper once (when the jar is missing, or BUILD=1) and gives both scripts the same
# private copy of the jar. Env is passed through (REPS, MAX_SECONDS, ... see each script);
# STALL_REPS / SCALE_REPS set REPS for one of them; STALL_VARIANTS the writer-stall variants (default
# "partman pk_default pk_worker pk_nodefault none": the control run without maintenance is included);
# EXPORT_RUNS / EXPORT_ROWS for bench/export.sh (SKIP_EXPORT=1 leaves it out).
# Writes docs/benchmarks.md (WRITE_DOC=0: do not; DOC=path: elsewhere): bench/benchmarks.md.head, then the
# machine and this run's three tables. DOC_ONLY=1 runs nothing and rewrites the page from bench/out/.
# Each script has its own hard time cap: STALL_MAX_SECONDS (default 2100: 5 variants x 3 runs of ~1.5 min)
# and SCALE_MAX_SECONDS (default 900); MAX_SECONDS sets both.
# Usage: bash bench/run_all.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root
OUT_ALL=${OUT_ALL:-$BENCH_DIR/out}   # OUT_ALL=dir writes elsewhere
mkdir -p "$OUT_ALL"
if [ "${DOC_ONLY:-0}" != 1 ]; then
JARDIR=$(mktemp -d /tmp/pk-bench-jar.XXXXXX)
trap 'rm -rf "$JARDIR"' EXIT
SRC_JAR=${PK_JAR:-$REPO_DIR/worker/target/partition-keeper.jar}
ensure_jar "$JARDIR/partition-keeper.jar"
export PK_JAR=$JARDIR/partition-keeper.jar
unset BUILD

{
  echo "date: $(date -u '+%F %T UTC')"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
  echo "PostgreSQL: $(pg_version); pg_partman: $(partman_version); pgbench: $("$PGBIN/pgbench" --version | awk '{print $3}')"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "partition-keeper jar: sha256 $(sha256sum "$PK_JAR" | cut -c1-16), from $SRC_JAR built $(date -u -r "$SRC_JAR" '+%F %T UTC')"
  echo "git (working tree): $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$REPO_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ] && echo ' + uncommitted changes')$( [ "$SRC_JAR" = "$REPO_DIR/worker/target/partition-keeper.jar" ] || echo " (the jar was given by PK_JAR, not built from it)")"
} | tee "$OUT_ALL/env.txt"
fi

rc=0
if [ "${DOC_ONLY:-0}" = 1 ]; then
  # only (re)write docs/benchmarks.md from the tables already in bench/out/ (e.g. after re-running one script)
  SKIP_RUNS=1
fi
# shellcheck disable=SC2086
if [ "${SKIP_RUNS:-0}" != 1 ]; then
REPS=${STALL_REPS:-${REPS:-3}} MAX_SECONDS=${STALL_MAX_SECONDS:-${MAX_SECONDS:-2100}} OUT=$OUT_ALL/writer_stall bash "$BENCH_DIR/writer_stall.sh" ${STALL_VARIANTS:-partman pk_default pk_worker pk_nodefault none} || rc=$?
REPS=${SCALE_REPS:-${REPS:-3}} MAX_SECONDS=${SCALE_MAX_SECONDS:-${MAX_SECONDS:-900}} OUT=$OUT_ALL/scale bash "$BENCH_DIR/scale.sh" || rc=$?
if [ "${SKIP_EXPORT:-0}" != 1 ]; then
  RUNS=${EXPORT_RUNS:-3} MAX_SECONDS=${EXPORT_MAX_SECONDS:-${MAX_SECONDS:-1800}} OUT=$OUT_ALL/export \
    bash "$BENCH_DIR/export.sh" ${EXPORT_ROWS:-} || rc=$?
fi
fi

{
  cat "$OUT_ALL/env.txt"
  [ -f "$OUT_ALL/writer_stall/table.txt" ] && cat "$OUT_ALL/writer_stall/table.txt"
  [ -f "$OUT_ALL/scale/table.txt" ] && cat "$OUT_ALL/scale/table.txt"
  [ -f "$OUT_ALL/export/table.txt" ] && cat "$OUT_ALL/export/table.txt"
} >"$OUT_ALL/summary.txt"

# docs/benchmarks.md: the explanation (bench/benchmarks.md.head) and this run's tables, verbatim
DOC=${DOC:-$REPO_DIR/docs/benchmarks.md}
if [ "${WRITE_DOC:-1}" = 1 ]; then
  {
    cat "$BENCH_DIR/benchmarks.md.head"
    echo
    echo "## Figures of the last full run"
    echo
    echo "Written by \`bash bench/run_all.sh\` on $(date -u '+%F %H:%M UTC'); the machine and versions:"
    echo
    echo '```'
    cat "$OUT_ALL/env.txt"
    echo '```'
    for part in "writer_stall:Writer stall (bench/writer_stall.sh)" "scale:Scale (bench/scale.sh)" \
                "export:Export (bench/export.sh)"; do
      if [ -f "$OUT_ALL/${part%%:*}/table.txt" ]; then
        echo
        echo "### ${part#*:}"
        echo
        echo '```'
        cat "$OUT_ALL/${part%%:*}/table.txt"
        echo '```'
      fi
    done
  } >"$DOC"
  echo "wrote $DOC"
fi
echo
echo "== summary (bench/out/summary.txt) =="
cat "$OUT_ALL/summary.txt"
exit "$rc"

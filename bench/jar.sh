#!/usr/bin/env bash
# The production jar's size and start-up cost: what the Docker image ships and what every CLI start pays.
#
#   bash bench/jar.sh                      # worker/target/partition-keeper.jar (the current build)
#   bash bench/jar.sh /tmp/old.jar         # ... and a second jar, e.g. one built before a change
#   RUNS=9 bash bench/jar.sh
#
# Prints one row per jar: file size, zip entries, and the median wall time (_s) and CPU time (_cpu, user + sys)
# of RUNS (default 5) runs of `--version` and of `validate -c examples/partition-keeper.yaml` (no database, no
# Temporal: JVM start, class loading, picocli and the YAML parser). The two jars' runs alternate, so load on a shared machine hits both alike.
# Needs java and unzip; no root, no database.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_DIR/lib.sh"

RUNS=${RUNS:-5}
CONFIG=${CONFIG:-$REPO_DIR/examples/partition-keeper.yaml}
jars=("${PK_JAR:-$REPO_DIR/worker/target/partition-keeper.jar}")
[ $# -lt 1 ] || jars+=("$1")
for j in "${jars[@]}"; do
  jar_ok "$j" || { echo "not a runnable partition-keeper jar: $j (build: mvn -B -ntp package -DskipTests)" >&2; exit 2; }
done

# private copies: a rebuild in the working tree during the run cannot change what is measured
work=$(mktemp -d /tmp/pk-bench-jar.XXXXXX)
trap 'rm -rf "$work"' EXIT
copies=()
for i in "${!jars[@]}"; do cp "${jars[$i]}" "$work/$i.jar"; copies+=("$work/$i.jar"); done

# "WALL CPU" seconds of one command (CPU = user + sys of the JVM and its threads: less sensitive than the wall
# time to other load on a shared machine); the command must succeed (validate exits 0 on the example)
timed() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 ) || { echo "failed: $*" >&2; exit 1; }
  awk '{printf "%s %.2f\n", $1, $2 + $3}' <<<"$t"
}
col() { awk -v c="$1" '{print $c}'; }

declare -A version validate version_cpu validate_cpu
for i in "${!copies[@]}"; do java -jar "${copies[$i]}" --version >/dev/null 2>&1; done  # warm the page cache
for ((r = 1; r <= RUNS; r++)); do
  for i in "${!copies[@]}"; do
    t=$(timed java -jar "${copies[$i]}" --version)
    version[$i]+=" $(col 1 <<<"$t")"; version_cpu[$i]+=" $(col 2 <<<"$t")"
    t=$(timed java -jar "${copies[$i]}" validate -c "$CONFIG")
    validate[$i]+=" $(col 1 <<<"$t")"; validate_cpu[$i]+=" $(col 2 <<<"$t")"
  done
done

printf '%-8s %8s %8s %10s %10s %11s %11s  %s\n' jar size_MB entries version_s version_cpu validate_s \
  validate_cpu path
for i in "${!copies[@]}"; do
  label=current; [ "$i" = 0 ] || label=other
  size=$(stat -c %s "${copies[$i]}")
  entries=$(unzip -Z1 "${copies[$i]}" | wc -l)
  # shellcheck disable=SC2086 # word splitting of the collected times is intended
  printf '%-8s %8.1f %8d %10s %10s %11s %11s  %s\n' "$label" "$(awk -v s="$size" 'BEGIN{print s/1e6}')" "$entries" \
    "$(median ${version[$i]})" "$(median ${version_cpu[$i]})" "$(median ${validate[$i]})" \
    "$(median ${validate_cpu[$i]})" "${jars[$i]}"
done
echo "(median of $RUNS runs each; java $(java -version 2>&1 | awk -F'"' 'NR==1{print $2}'), $(nproc) cores)"

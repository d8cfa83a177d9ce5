#!/usr/bin/env bash
# Runs the production jar itself, not the module class path, through the commands whose code paths the jar diet
# (issue 14) cut into: a shaded jar with classes left out builds fine and breaks at run time, so only running it
# proves it. Against a throwaway PostgreSQL 15 cluster with the demo table:
#   --version; validate (the example and the check's config); plan; once (create, detach, export to a filesystem
#   archive as ZSTD Parquet, verify by reading it back, drop); restore of an exported partition (reads the Parquet
#   file, COPYs the rows, verifies the checksum); status; convert --embedded of an ordinary table; `dev`, which
#   must name the dev jar in one line; once with archive.format iceberg; and, with the Temporal CLI installed,
#   worker, /metrics, maintain --wait and a call over TLS.
# Every JVM logs its class loading and its exceptions; the check fails if a class came from anywhere but the jar
# or if a class the build left out of the jar (JarSlimmer) was asked for by name, and prints the
# Hadoop classes that were loaded (they must be among the ones worker/pom.xml keeps, or the run fails first).
#
#   bash bench/jar-check.sh                  # worker/target/partition-keeper.jar
#   PK_JAR=/path/to.jar bash bench/jar-check.sh
# Needs root (initdb/pg_ctl through runuser -u postgres), PostgreSQL 15 in /usr/lib/postgresql/15/bin, java, unzip.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH_DIR/lib.sh"
require_root

JAR=${PK_JAR:-$REPO_DIR/worker/target/partition-keeper.jar}
jar_ok "$JAR" || { echo "not a runnable partition-keeper jar: $JAR (build: mvn -B -ntp package -DskipTests)" >&2; exit 2; }
BASE=/tmp/pk-bench-jarcheck
PORT=${PORT:-55463}
work=$(mktemp -d /tmp/pk-jar-check.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  stop_cluster "$BASE"; rm -rf "$BASE" "$work"
}
trap cleanup EXIT
cp "$JAR" "$work/partition-keeper.jar"

log "starting PostgreSQL $(pg_version) on 127.0.0.1:$PORT"
start_cluster "$BASE" "$PORT"
psql_() { "$PGBIN/../../../../bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }
command -v psql >/dev/null && psql_() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }
psql_ -f "$REPO_DIR/deploy/app-db/initdb/demo-transactions.psql" -c "SET pk_demo.rows_per_month = '500'" \
  -f "$REPO_DIR/deploy/app-db/initdb/demo-transactions-rows.psql"

mkdir -p "$work/archive"
cat >"$work/pk.yaml" <<EOF
postgres:
  url: 'jdbc:postgresql://127.0.0.1:$PORT/postgres'
  user: postgres
archive:
  location: '$work/archive'
tables:
  - table: public.transactions
    interval: monthly
    premake: 3
    retention: 12 months
    timezone: UTC
    default_partition: keep
    retention_action: archive_and_drop
    drop_grace: 0d
EOF

free_port() { local p=$1; while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done; echo "$p"; }
# A class the build's JarSlimmer left out (worker/target/jar-slimmer-report.txt) that a run asked for by name: the
# library builds class names at run time, so the slimmer must keep it whole (a --keep in worker/pom.xml). Said
# here by name; otherwise the step only hangs in Temporal's retries or fails with "Could not initialize class".
SLIM_REPORT=${SLIM_REPORT:-$(dirname "$JAR")/jar-slimmer-report.txt}
left_out_but_loaded() { # $1 run number
  [ -f "$SLIM_REPORT" ] || return 0
  local missing
  missing=$(grep -oE "ClassNotFoundException[^:]*: [A-Za-z0-9_.\$]+" "$work/exceptions-$1.log" | awk '{print $NF}' |
    sort -u | tr . / | sed 's/$/.class/' | grep -Fxf - "$SLIM_REPORT" || true)
  if [ -n "$missing" ]; then
    echo "FAILED: classes left out of the jar by JarSlimmer were loaded by name (keep their package, worker/pom.xml):" >&2
    echo "$missing" | sed 's/^/  /' >&2
    exit 1
  fi
}
n=0
# pk EXPECTED_EXITS ARGS...: runs the jar, logging class loading; EXPECTED_EXITS is a list such as "0 3"
pk() {
  local expect=$1 rc=0; shift
  n=$((n + 1))
  # a step that dies of a missing class is retried by Temporal, so a broken jar hangs rather than fails
  timeout "${STEP_SECONDS:-300}" java "-Xlog:class+load=info:file=$work/classes-$n.log" \
    "-Xlog:exceptions=info:file=$work/exceptions-$n.log" -jar "$work/partition-keeper.jar" "$@" \
    >"$work/out-$n.txt" 2>&1 || rc=$?
  left_out_but_loaded "$n"
  if [[ " $expect " != *" $rc "* ]]; then
    cat "$work/out-$n.txt" >&2
    echo "FAILED: partition-keeper $* exited $rc, expected one of: $expect" >&2
    exit 1
  fi
  printf '  ok  exit %s  partition-keeper %s\n' "$rc" "$*"
}

echo "checking $JAR ($(stat -c %s "$JAR") bytes)"
pk 0 --version
pk 0 validate -c "$REPO_DIR/examples/partition-keeper.yaml"
pk 0 validate -c "$work/pk.yaml"
pk "0 3" plan -c "$work/pk.yaml"
pk "0 3" once -c "$work/pk.yaml"
sed -n '1,200p' "$work/out-$n.txt" | grep -iE "export|verif|drop" | head -5 | sed 's/^/        /'
manifest=$(find "$work/archive" -name 'manifest.json' | sort | head -1)
[ -n "$manifest" ] || { echo "FAILED: once wrote no archive under $work/archive" >&2; exit 1; }
parquet=$(find "$work/archive" -name '*.parquet' | wc -l)
echo "        archive: $(find "$work/archive" -name manifest.json | wc -l) manifests, $parquet Parquet files"
pk 0 restore "$(dirname "$manifest")" --into public.restored_check -c "$work/pk.yaml"
restored=$(psql_ -At -c "SELECT count(*) FROM public.restored_check")
[ "$restored" -gt 0 ] || { echo "FAILED: restore loaded no rows" >&2; exit 1; }
echo "        restored $restored rows into public.restored_check"
pk "0 3" status -c "$work/pk.yaml"
psql_ -c "CREATE TABLE public.plain_check (id bigserial, created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at))" \
  -c "INSERT INTO public.plain_check (created_at) SELECT now() - g * interval '1 hour' FROM generate_series(1, 3000) g"
pk 0 convert public.plain_check --column created_at --interval monthly --embedded -c "$work/pk.yaml"
grep -q "after swap: .*: equal" "$work/out-$n.txt" || { cat "$work/out-$n.txt" >&2; echo "FAILED: convert did not verify the swap" >&2; exit 1; }
echo "        converted public.plain_check online, checksums equal before and after the swap"
pk 2 dev --once
grep -q "partition-keeper-dev.jar" "$work/out-$n.txt" || { cat "$work/out-$n.txt" >&2; echo "FAILED: dev does not name the dev jar" >&2; exit 1; }
echo "        dev says: $(head -1 "$work/out-$n.txt")"

# archive.format iceberg (issue 17): once into an Iceberg table (the JDBC catalog in the bookkeeping schema,
# the warehouse on the filesystem), verified through Iceberg, then restored from it, on a third copy of the demo
# table
psql_ -c "CREATE DATABASE icecheck"
psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d icecheck \
  -f "$REPO_DIR/deploy/app-db/initdb/demo-transactions.psql" -c "SET pk_demo.rows_per_month = '500'" \
  -f "$REPO_DIR/deploy/app-db/initdb/demo-transactions-rows.psql"
sed -e "s|:$PORT/postgres'|:$PORT/icecheck'|" -e "s|^  location: .*|  location: '$work/iceberg'\n  format: iceberg|" \
  "$work/pk.yaml" >"$work/pk-iceberg.yaml"
pk "0 3" once -c "$work/pk-iceberg.yaml"
grep -q "verified: [0-9]* rows" "$work/out-$n.txt" || { cat "$work/out-$n.txt" >&2; echo "FAILED: nothing verified in Iceberg" >&2; exit 1; }
[ -n "$(find "$work/iceberg" -name '*.metadata.json' | head -1)" ] || { echo "FAILED: no Iceberg metadata under $work/iceberg" >&2; exit 1; }
icepart=$(psql -X -At -h 127.0.0.1 -p "$PORT" -U postgres -d icecheck -c "SELECT partition_name FROM partition_keeper.partition_lifecycle WHERE verified_at IS NOT NULL ORDER BY partition_name LIMIT 1")
[ -n "$icepart" ] || { echo "FAILED: no partition verified in Iceberg" >&2; exit 1; }
pk 0 restore "iceberg:public.transactions/$icepart" --into public.restored_iceberg -c "$work/pk-iceberg.yaml"
echo "        Iceberg: $(find "$work/iceberg" -name '*.parquet' | wc -l) data files, $(psql -X -At -h 127.0.0.1 -p "$PORT" -U postgres -d icecheck -c "SELECT count(*) FROM partition_keeper.iceberg_tables") table(s) in the JDBC catalog"

# S3, where S3PROXY_CP names a class path with S3Proxy (the activities' test class path: mvn -B -ntp -q -pl
# activities -am -DskipTests package dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=FILE,
# then S3PROXY_CP=$(cat FILE)): once and restore against an S3 archive, on a second copy of the demo table.
if [ -n "${S3PROXY_CP:-}" ]; then
  s3port=$(free_port 58081)
  mkdir -p "$work/s3/pk-archive"
  printf '%s\n' "s3proxy.endpoint=http://127.0.0.1:$s3port" s3proxy.authorization=aws-v2-or-v4 \
    s3proxy.identity=AKIDCHECK s3proxy.credential=SECRETCHECK jclouds.provider=filesystem \
    "jclouds.filesystem.basedir=$work/s3" >"$work/s3proxy.conf"
  java -cp "$S3PROXY_CP" org.gaul.s3proxy.Main --properties "$work/s3proxy.conf" >"$work/s3proxy.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 60); do (echo >"/dev/tcp/127.0.0.1/$s3port") 2>/dev/null && break; sleep 1; done
  psql_ -c "CREATE DATABASE s3check"
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d s3check \
    -f "$REPO_DIR/deploy/app-db/initdb/demo-transactions.psql" -c "SET pk_demo.rows_per_month = '500'" \
    -f "$REPO_DIR/deploy/app-db/initdb/demo-transactions-rows.psql"
  sed -e "s|:$PORT/postgres'|:$PORT/s3check'|" -e "s|^  location: .*|  location: s3://pk-archive/check\n  s3_endpoint: http://127.0.0.1:$s3port\n  s3_region: us-east-1\n  s3_path_style: true|" \
    "$work/pk.yaml" >"$work/pk-s3.yaml"
  export AWS_ACCESS_KEY_ID=AKIDCHECK AWS_SECRET_ACCESS_KEY=SECRETCHECK
  pk "0 3" once -c "$work/pk-s3.yaml"
  grep -q "verified: [0-9]* rows" "$work/out-$n.txt" || { cat "$work/out-$n.txt" >&2; echo "FAILED: nothing verified on S3" >&2; exit 1; }
  key=$(cd "$work/s3/pk-archive" && dirname "$(find . -name manifest.json | sort | head -1)")
  pk 0 restore "s3://pk-archive/${key#./}/" --into public.restored_s3 -c "$work/pk-s3.yaml"
  echo "        S3: exported, verified and restored s3://pk-archive/${key#./}/"
else
  echo "  --  S3 skipped: set S3PROXY_CP (see the comment above this step)"
fi

# The production shape, where the Temporal CLI is installed (bash .ci/temporal-cli.sh): `worker` against a real
# Temporal server, /health and /metrics (the text format, also when a scraper asks for protobuf, which the
# jar no longer carries), and a pass through it with `maintain --wait`.
cli=${TEMPORAL_CLI:-$HOME/.cache/partition-keeper/temporal/bin/temporal}
[ -x "$cli" ] || cli=$(command -v temporal || true)
if [ -n "$cli" ]; then
  tport=$(free_port 57233); mport=$(free_port 59464)
  "$cli" server start-dev --headless --ip 127.0.0.1 --port "$tport" --log-level error >"$work/temporal.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 60); do (echo >"/dev/tcp/127.0.0.1/$tport") 2>/dev/null && break; sleep 1; done
  { cat "$work/pk.yaml"; printf 'metrics:\n  port: %s\n' "$mport"; } >"$work/pk-worker.yaml"
  TEMPORAL_ADDRESS=127.0.0.1:$tport java "-Xlog:class+load=info:file=$work/classes-worker.log" \
    "-Xlog:exceptions=info:file=$work/exceptions-worker.log" -jar "$work/partition-keeper.jar" worker -c "$work/pk-worker.yaml" >"$work/worker.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 90); do curl -fs "http://127.0.0.1:$mport/health" >/dev/null && break; sleep 1; done
  curl -fs "http://127.0.0.1:$mport/health" >/dev/null \
    || { tail -30 "$work/worker.log" >&2; echo "FAILED: worker not healthy on :$mport" >&2; exit 1; }
  echo "  ok  worker against Temporal 127.0.0.1:$tport: /health 200"
  metrics=$(curl -fs "http://127.0.0.1:$mport/metrics" | grep -c '^partition_keeper_' || true)
  proto=$(curl -fs -D - -o /dev/null -H 'Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited' \
    "http://127.0.0.1:$mport/metrics" | tr -d '\r' | grep -i '^content-type:' || true)
  [ "$metrics" -gt 0 ] || { echo "FAILED: /metrics has no partition_keeper_ samples" >&2; exit 1; }
  [[ "$proto" == *text/plain* ]] || { echo "FAILED: /metrics asked for protobuf answered: $proto" >&2; exit 1; }
  echo "  ok  /metrics: $metrics partition_keeper_ samples; asked for protobuf, answers ${proto#*: }"
  TEMPORAL_ADDRESS=127.0.0.1:$tport pk "0 3" maintain -c "$work/pk-worker.yaml" --wait
  left_out_but_loaded worker
  # TLS (TEMPORAL_TLS, as Temporal Cloud is reached): the jar carries no netty-tcnative, so this is the JDK's TLS
  # and ALPN under gRPC, through bench/tls_proxy.py in front of the same server; the answer (no such schedule)
  # comes from the server, so the handshake, h2 and a call went through
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" -days 1 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null
  tlsport=$(free_port 57933)
  python3 "$BENCH_DIR/tls_proxy.py" "$tlsport" "$tport" "$work/tls.crt" "$work/tls.key" >"$work/tls.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 30); do (echo >"/dev/tcp/127.0.0.1/$tlsport") 2>/dev/null && break; sleep 1; done
  TEMPORAL_ADDRESS=127.0.0.1:$tlsport TEMPORAL_TLS=true TEMPORAL_TLS_SERVER_CA_CERT_PATH=$work/tls.crt \
    pk 1 schedule describe -c "$work/pk.yaml"
  grep -q "there is no schedule" "$work/out-$n.txt" && grep -q "tls handshake: TLSv1.3 h2" "$work/tls.log" \
    || { cat "$work/out-$n.txt" "$work/tls.log" >&2; echo "FAILED: no answer from Temporal over TLS" >&2; exit 1; }
  echo "        over TLS: $(head -1 "$work/tls.log"), and Temporal answered"
else
  echo "  --  worker, /metrics and maintain skipped: no Temporal CLI (bash .ci/temporal-cli.sh installs it)"
fi

# every class from the jar or the JDK; nothing else on the class path to mask a missing one
# (lambdas and other generated classes name their host class as the source, the JDK jrt:/ or the CDS archive)
foreign=$(cat "$work"/classes-*.log | grep -o 'source: \(jar:\)\?file:[^ ]*' \
  | grep -v -e "file:$work/partition-keeper.jar" | sort -u || true)
[ -z "$foreign" ] || { echo "FAILED: classes from outside the jar: $foreign" >&2; exit 1; }
echo "Hadoop classes loaded by these runs:"
cat "$work"/classes-*.log | grep -o ' org\.apache\.hadoop\.[A-Za-z0-9_.$]* ' | sort -u | sed 's/^ */  /'
echo "all checks passed"

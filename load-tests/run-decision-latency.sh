#!/usr/bin/env bash
# The decision API's latency benchmark (load-tests/README.md, "Decision API round trip"), from the
# repository root or anywhere: builds, runs the open-loop table (HTTP and gRPC Check, answered when
# decided and when committed, beside a pass-through topology in the same run), then cross-checks
# one rate with wrk against the HTTP endpoint. Settings by environment:
#   RATES=500,1000,2000 RUN_SECONDS=20 WARMUP=10 PATHS=http,grpc MODES=decided,committed
#   WRK_RATE=1000 WRK_SECONDS=30 WRK_CONNECTIONS=64 JAVA_OPTS=... (e.g. a JFR recording)
#   SKIP_TABLE=1 or SKIP_WRK=1 to run one part only.
set -euo pipefail
cd "$(dirname "$0")/.."

RATES=${RATES:-500,1000,2000}
RUN_SECONDS=${RUN_SECONDS:-20}
WARMUP=${WARMUP:-10}
PATHS=${PATHS:-http,grpc}
MODES=${MODES:-decided,committed}
WRK_RATE=${WRK_RATE:-1000}
WRK_SECONDS=${WRK_SECONDS:-30}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
JAVA_OPTS=${JAVA_OPTS:-}

if ! command -v wrk >/dev/null && [ -z "${SKIP_WRK:-}" ]; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
fi

./mvnw -B -o -q -pl streams-app,load-tests -am package -Dmaven.test.skip=true
# A copy of the class path, so a build during the run (the jars rewritten) can't disturb it.
lib=$(mktemp -d)
cp load-tests/target/agent-auditor-load-tests-0.1.0-SNAPSHOT.jar load-tests/target/lib/*.jar "$lib"
cp="$lib/*"
run() {
  # shellcheck disable=SC2086
  java $JAVA_OPTS -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.agentauditor.schema \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" io.agentauditor.load.DecisionLatency "$@"
}

trap 'rm -rf "$lib"' EXIT
echo "commit $(git rev-parse --short HEAD), $(date -u +%FT%TZ), $(nproc) cores"
echo "before: $(uptime)"
if [ -z "${SKIP_TABLE:-}" ]; then
  run rates="$RATES" seconds="$RUN_SECONDS" warmup="$WARMUP" paths="$PATHS" modes="$MODES"
  echo "after the table: $(uptime)"
fi

if [ -z "${SKIP_WRK:-}" ]; then
  dir=$(mktemp -d)
  run serve="$dir" rate="$WRK_RATE" seconds="$WRK_SECONDS" warmup="$WARMUP" &
  server=$!
  trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir" "$lib"' EXIT
  while [ ! -s "$dir/url" ]; do
    kill -0 "$server" || { echo "the auditor for wrk did not start" >&2; exit 1; }
    sleep 1
  done
  # Each connection pauses after an answer so that the connections together ask about WRK_RATE/s.
  pause=$(( WRK_CONNECTIONS * 1000 / WRK_RATE - 2 ))
  echo "wrk at about $WRK_RATE/s ($WRK_CONNECTIONS connections, $pause ms between a connection's requests); load: $(uptime)"
  TIMEFORMAT="wrk CPU: user %U s, system %S s"
  time wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" --timeout 5s \
    -s load-tests/wrk/decisions.lua "$(cat "$dir/url")" -- "$dir/events.jsonl" 2 "$pause"
  echo "wrk done" > "$dir/done"
  wait "$server"
  echo "after wrk: $(uptime)"
fi

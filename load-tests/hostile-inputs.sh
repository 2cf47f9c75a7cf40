#!/usr/bin/env bash
# The hostile inputs of load-tests/README.md ("Hostile input") at the largest size the limits allow,
# each against a benign twin of as many events (one session of plain reads) and a size-matched twin
# (as many events and bytes, nothing firing): ./auditor replay of each of the three RUNS times, in
# a rotating order, medians of wall time; the 1 MiB lines, each
# replayed RUNS times; then the engine alone on the same inputs (HostileInputs engine: per-file
# medians, and the worst single event at each largest state).
#
# Usage: load-tests/hostile-inputs.sh [RUNS (default 3)] [DIR (default /tmp/hostile-inputs)]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
dir="${2:-/tmp/hostile-inputs}"
cd "$root"

./mvnw -B -q -o -pl load-tests -am -DskipTests package
cp="load-tests/target/classes:load-tests/target/lib/*"
java -cp "$cp" io.agentauditor.load.HostileInputs write "$dir"
./auditor --help >/dev/null # builds the application jar first, outside the timings

# Wall time of one replay in ms; decisions go to a file, dead letters (there should be none) to stderr.
replay_ms() {
  local start end
  start=$(date +%s%N)
  ./auditor replay --policies policies --input "$1" --output "$dir/decisions.jsonl" 2>"$dir/replay.err"
  end=$(date +%s%N)
  if [ -s "$dir/replay.err" ] && grep -q "line " "$dir/replay.err"; then
    echo "dead letters in $1:" >&2
    head -3 "$dir/replay.err" >&2
  fi
  echo $(((end - start) / 1000000))
}

median() {
  sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

echo "load before: $(uptime)"
echo "./auditor replay, $runs runs each, alternating (ms of wall time, JVM start included)"
for name in delegation-scopes delegation-covered deep-chain deep-chain-redelegated approvals credential-scopes; do
  hostile=()
  benign=()
  matched=()
  for r in $(seq 1 "$runs"); do
    # Each round in another order, so none of the three always runs first.
    case $((r % 3)) in
      1) order="$name $name-benign $name-matched" ;;
      2) order="$name-benign $name-matched $name" ;;
      0) order="$name-matched $name $name-benign" ;;
    esac
    for file in $order; do
      t="$(replay_ms "$dir/$file.jsonl")"
      case "$file" in
        *-benign) benign+=("$t") ;;
        *-matched) matched+=("$t") ;;
        *) hostile+=("$t") ;;
      esac
    done
  done
  h=$(printf '%s\n' "${hostile[@]}" | median)
  b=$(printf '%s\n' "${benign[@]}" | median)
  m=$(printf '%s\n' "${matched[@]}" | median)
  printf '%-18s hostile %8s ms (%s)  benign %6s ms (%s)  ratio %s  size-matched %8s ms (%s)  ratio %s\n' \
    "$name" "$h" "${hostile[*]}" "$b" "${benign[*]}" "$(awk -v h="$h" -v b="$b" 'BEGIN { printf "%.2f", h / b }')" \
    "$m" "${matched[*]}" "$(awk -v h="$h" -v m="$m" 'BEGIN { printf "%.2f", h / m }')"
done
for file in "$dir"/line-*.jsonl; do
  times=()
  for r in $(seq 1 "$runs"); do
    times+=("$(replay_ms "$file")")
  done
  printf '%-28s %7s ms (%s)\n' "$(basename "$file" .jsonl)" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
done
echo "load after replays: $(uptime)"
java -cp "$cp" io.agentauditor.load.HostileInputs engine policies "$runs"
echo "load after: $(uptime)"

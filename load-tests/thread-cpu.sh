#!/usr/bin/env bash
# CPU time of a command's threads, summed by thread name (the kernel's 15-character name; a
# trailing "#N" is dropped, so GC Thread#0 and #1 count together), read from /proc five times a
# second while it runs: each thread counts with its last reading, so threads that end early (a JVM
# stops idle compiler threads) still count. For a JVM this splits a run's CPU between its own
# threads, the JIT compilers, the collector and native threads such as RocksDB's.
# A JVM's main thread is named after the process ("java").
#
# Usage: load-tests/thread-cpu.sh OUT command [args...]
#   the command's stdout and stderr go to OUT.log; the table to stdout and OUT.txt
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 OUT command [args...]" >&2
  exit 2
fi
out="$1"
shift
ticks=$(getconf CLK_TCK)

"$@" >"$out.log" 2>&1 &
pid=$!
: >"$out.readings"
while kill -0 "$pid" 2>/dev/null; do
  # utime + stime of every thread, in clock ticks; a thread may end while it is read.
  for t in /proc/"$pid"/task/*; do
    name=$(cat "$t/comm" 2>/dev/null) || continue
    # comm may hold spaces, so the times are counted from the end of stat's parenthesised name.
    cpu=$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
    [ -n "$cpu" ] && printf '%s|%s|%s\n' "${t##*/}" "$name" "$cpu"
  done >>"$out.readings" 2>/dev/null || true
  sleep 0.2
done
status=0
wait "$pid" || status=$?
awk -F'|' -v hz="$ticks" '
  { name[$1] = $2; if ($3 > cpu[$1]) cpu[$1] = $3 }
  END {
    for (t in cpu) { n = name[t]; sub(/#[0-9]+$/, "", n); sum[n] += cpu[t]; all += cpu[t] }
    for (n in sum) if (sum[n] > 0) printf "%8.2f s  %s\n", sum[n] / hz, n
    printf "%8.2f s  (all threads)\n", all / hz
  }' "$out.readings" | sort -rn | tee "$out.txt"
rm -f "$out.readings"
exit "$status"

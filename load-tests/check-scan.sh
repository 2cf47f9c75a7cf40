#!/usr/bin/env bash
# The pre-merge gate's cost against the bytes it reads: `./auditor check` on an empty directory
# (the baseline: JVM start and bundle load), on this repository, and on generated trees of 10, 50
# and 100 MB, RUNS times each in turn; prints each wall and CPU time (user + system, all threads),
# the medians and the throughput of the scan (MB/s, the baseline's median subtracted). On a shared
# machine the CPU time is the steadier figure. Usage: load-tests/check-scan.sh [DIR [RUNS]]; DIR (default
# /tmp/auditor-check-scan) holds the generated trees, made once and reused.
#
# A generated file is 100 KB of Java-like text in which one line in five holds a 40-character
# base64 string (decoded by the scan) and one in ten a keyword of a pattern that does not match
# (AKIA, ghp_, xoxb-, expires_at, eyJ: the regexes run on them), and one file in a hundred a planted
# fake key; every file is distinct, so nothing is read twice.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
dir="${1:-/tmp/auditor-check-scan}"
runs="${2:-3}"

generate() { # NAME FILES: a tree of FILES files of 100 KB
  local tree="$dir/$1" files="$2"
  [ -f "$tree/.complete" ] && return
  rm -rf "$tree"
  mkdir -p "$tree"
  awk -v tree="$tree" -v files="$files" 'BEGIN {
    srand(17); b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (f = 0; f < files; f++) {
      d = sprintf("%s/pkg%02d", tree, f % 50); system("mkdir -p " d);
      out = sprintf("%s/Gen%05d.java", d, f); n = 0; line = 0;
      printf "package gen;\n\nclass Gen%05d {\n", f > out; n += 30;
      while (n < 102400) {
        line++;
        if (line % 5 == 0) {
          s = ""; for (i = 0; i < 40; i++) s = s substr(b64, int(rand() * 64) + 1, 1);
          text = sprintf("  static final String BLOB_%d = \"%s\";", line, s);
        } else if (line % 10 == 3) {
          split("AKIA-not-a-key ghp_short xoxb- expires_at: \"2027-01-01\" eyJnot.a.token", k, " ");
          text = sprintf("  // see %s in ticket %d", k[(line / 10) % 5 + 1], int(rand() * 100000));
        } else {
          text = sprintf("  int field%d = compute(%d, \"value-%d\") + offset(%d);", line, f, line, int(rand() * 1000));
        }
        if (f % 100 == 0 && line == 500) text = "  String key = \"AKIAIOSFODNN7EXAMPLE\"; // a documented fake key";
        print text > out; n += length(text) + 1;
      }
      print "}" > out; close(out);
    }
  }'
  touch "$tree/.complete"
}

mkdir -p "$dir/empty"
generate tree-10mb 100
generate tree-50mb 500
generate tree-100mb 1000
./auditor --version > /dev/null # builds the jar if needed, outside the measurement

targets=("empty:$dir/empty" "repository:$root" "10mb:$dir/tree-10mb" "50mb:$dir/tree-50mb" "100mb:$dir/tree-100mb")
declare -A times cpus chars
timing="$(mktemp -t check-scan.XXXXXX)"
trap 'rm -f "$timing"' EXIT
for ((r = 1; r <= runs; r++)); do
  for t in "${targets[@]}"; do
    name="${t%%:*}" path="${t#*:}"
    summary="$(/usr/bin/time -o "$timing" -f "%e %U %S %M" ./auditor check "$path" 2>&1 > /dev/null |
      tail -n 1)" || true
    read -r wall user sys rss < <(tail -n 1 "$timing")
    ms=$(awk -v w="$wall" 'BEGIN {printf "%d", w * 1000}')
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%d", (u + s) * 1000}')
    times[$name]="${times[$name]:-} $ms"
    cpus[$name]="${cpus[$name]:-} $cpu"
    chars[$name]="$(echo "$summary" | sed -n 's/.*(\([0-9]*\) characters).*/\1/p')"
    echo "run $r $name: wall $ms ms, cpu $cpu ms, max RSS $((rss / 1024)) MB; $summary"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
base=$(echo "${times[empty]}" | median)
cpu_base=$(echo "${cpus[empty]}" | median)
echo "load: $(uptime)"
for t in "${targets[@]}"; do
  name="${t%%:*}"
  m=$(echo "${times[$name]}" | median)
  c=$(echo "${cpus[$name]}" | median)
  awk -v n="$name" -v m="$m" -v b="$base" -v c="$c" -v cb="$cpu_base" -v ch="${chars[$name]:-0}" '
    function rate(ms) { return ms > 0 && ch > 0 ? sprintf("%5.0f MB/s", ch / 1e6 / (ms / 1000)) : "        -" }
    BEGIN {
      printf "%-10s %7.1f MB  wall median %6d ms, scan %6d ms %s  cpu median %6d ms, scan %6d ms %s\n",
        n, ch / 1e6, m, m - b, rate(m - b), c, c - cb, rate(c - cb);
    }'
done

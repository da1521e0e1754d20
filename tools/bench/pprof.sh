#!/usr/bin/env bash
# pprof.sh - CPU and peak memory of `gtanalyze pprof`, each of its four profiles, next to Go
# 1.26's `go tool trace -pprof=sync` (cmd/trace built by tools/reference/build.sh as gotrace) on
# the same trace; then checks that both sync profiles hold the same samples (pprof_canon of ours,
# `pprof -raw` of Go's, in the canonical text of tests/golden/pprof).
#
# Usage: tools/bench/pprof.sh [TRACE] [BUILD_DIR]
#   TRACE      default /var/tmp/gtanalyze-bench/go1.26-100M.trace (tools/bench/make-traces.sh)
#   BUILD_DIR  default build/release (gtanalyze and tests/report/pprof/pprof_canon)
# One run each under /usr/bin/time: wall, CPU (user+sys) and peak RSS. Go needs several GB of
# memory for a 100 MB trace.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
trace=${1:-/var/tmp/gtanalyze-bench/go1.26-100M.trace}
build=${2:-$repo/build/release}
[ -f "$trace" ] || { echo "pprof.sh: no $trace (run tools/bench/make-traces.sh)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "pprof.sh: needs GNU time at /usr/bin/time" >&2; exit 2; }
ref=$(bash "$repo/tools/reference/build.sh" | tail -n 1)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gtanalyze-bench-pprof.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# measure NAME COMMAND...: one run; prints a row of the table.
measure() {
  local name=$1
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$tmp/$name.pb.gz" 2>"$tmp/err" ||
    { echo "pprof.sh: $name failed: $(head -3 "$tmp/err")" >&2; exit 1; }
  read -r wall user sys rss_kb <"$tmp/time"
  awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" \
    'BEGIN { printf "%-22s %8.2f s %8.2f s %10.1f MB\n", n, w, u + s, r / 1024 }'
}

echo "trace: $trace ($(($(stat -c %s "$trace") >> 20)) MB)"
printf "%-22s %10s %10s %13s\n" "" wall CPU "peak RSS"
for type in net sync syscall sched; do
  measure "gtanalyze-$type" "$build/gtanalyze" pprof --type "$type" "$trace"
done
measure go-sync "$ref/gotrace" -pprof=sync "$trace"

gzip -dc "$tmp/gtanalyze-sync.pb.gz" | "$build/tests/report/pprof/pprof_canon" >"$tmp/ours.txt"
"$ref/gopprof" -raw "$tmp/go-sync.pb.gz" 2>/dev/null | python3 "$repo/tools/golden/pprof-raw-canon.py" >"$tmp/go.txt"
if cmp -s "$tmp/ours.txt" "$tmp/go.txt"; then
  echo "sync profiles equal: $(wc -l <"$tmp/ours.txt") samples"
else
  echo "sync profiles DIFFER:"
  diff "$tmp/go.txt" "$tmp/ours.txt" | head -20
  exit 1
fi

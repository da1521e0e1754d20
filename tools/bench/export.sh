#!/usr/bin/env bash
# export.sh - the cost of `gtanalyze export`: on one big trace, CPU, wall, peak RSS and output per
# event, plain and with --compress zstd, next to `gtanalyze --json` of the same trace; then on a
# thousand small traces (runs of tools/corpus/chans, each its own trace), traces per second with
# --jobs 1 and --jobs 2, and for a second export that skips them all.
#
# Usage: tools/bench/export.sh [TRACE] [BUILD_DIR]
#   TRACE      default /var/tmp/gtanalyze-bench/go1.26-100M.trace (tools/bench/make-traces.sh)
#   BUILD_DIR  default build/release
# The small traces are written once to $GTANALYZE_BENCH_DIR/small-1000 (default
# /var/tmp/gtanalyze-bench) with Go 1.26 and kept. One run of each under /usr/bin/time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
trace=${1:-/var/tmp/gtanalyze-bench/go1.26-100M.trace}
build=${2:-$repo/build/release}
bin=$build/gtanalyze
small="${GTANALYZE_BENCH_DIR:-/var/tmp/gtanalyze-bench}/small-1000"
[ -f "$trace" ] || { echo "export.sh: no $trace (run tools/bench/make-traces.sh)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/gtanalyze-bench-export.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# measure NAME COMMAND...: one run; prints wall, CPU and peak RSS.
measure() {
  local name=$1
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" ||
    { echo "export.sh: $name failed: $(head -3 "$tmp/err")" >&2; exit 1; }
  read -r wall user sys rss_kb <"$tmp/time"
  awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" \
    'BEGIN { printf "%-28s wall %6.2f s  CPU %6.2f s  peak RSS %6.1f MB\n", n, w, u + s, r / 1024 }'
}

events=$("$bin" --json --threads 1 "$trace" | grep -m1 '"events"' | tr -dc 0-9)
echo "== $trace: $events events"
measure "--json --threads 1" "$bin" --json --threads 1 "$trace"
for compress in none zstd; do
  rm -rf "$tmp/out"
  measure "export --compress $compress" "$bin" export -o "$tmp/out" --jobs 1 --compress "$compress" "$trace"
  bytes=$(du -sb "$tmp/out" | cut -f1)
  intervals=$(cat "$tmp"/out/intervals/* | { [ "$compress" = zstd ] && zstd -dc || cat; } | wc -l)
  awk -v b="$bytes" -v e="$events" -v i="$intervals" \
    'BEGIN { printf "%-28s %.2f GB, %.1f bytes per event, %d interval rows\n", "", b / 1e9, b / e, i }'
done

if [ ! -f "$small/999.trace" ]; then
  echo "== writing 1000 small traces to $small"
  mkdir -p "$small"
  (cd "$tmp" && GOTOOLCHAIN=local GOFLAGS='' CGO_ENABLED=0 GOWORK=off GOPROXY=off \
    /usr/lib/go-1.26/bin/go build -trimpath -o "$tmp/chans" "$repo/tools/corpus/chans/main.go")
  for i in $(seq 0 999); do GOMAXPROCS=2 "$tmp/chans" "$small/$i.trace"; done
fi
echo "== 1000 small traces ($(du -sm "$small" | cut -f1) MB)"
for jobs in 1 2; do
  rm -rf "$tmp/small"
  start=$(date +%s.%N)
  measure "export --jobs $jobs" "$bin" export -o "$tmp/small" --jobs "$jobs" "$small"
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%-28s %.0f traces per second\n", "", 1000 / (e - s) }'
done
start=$(date +%s.%N)
measure "again (all skipped)" "$bin" export -o "$tmp/small" --jobs 2 "$small"
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%-28s %.0f traces per second\n", "", 1000 / (e - s) }'

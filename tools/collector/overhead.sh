#!/usr/bin/env bash
# The collector's overhead: the target's slowdown with and without `collect`.
#   tools/collector/overhead.sh GTANALYZE [GO_MINOR...] [-n N] [-r RUNS]
# Builds tools/collector/bench with each Go (default: every installed one), runs it RUNS times
# alone and RUNS times under `GTANALYZE collect`, and prints the median wall time the workload
# reports (its own clock, so process start and the collector's setup are not counted), the
# ratio, the records captured and the ring-buffer drops. Needs root for the BPF part.
set -euo pipefail
gtanalyze=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
n=50000 runs=5 minors=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -r) runs=$2; shift 2 ;;
    *) minors+=("$1"); shift ;;
  esac
done
[ ${#minors[@]} -gt 0 ] || minors=(19 21 22 23 24 25 26)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN=local GOFLAGS= GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/gtanalyze-go-cache}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-6s %12s %12s %8s %10s %6s\n' go alone_ms collect_ms ratio records drops
for m in "${minors[@]}"; do
  go=/usr/lib/go-1.$m/bin/go
  [ -x "$go" ] || { echo "go1.$m: not installed, skipped" >&2; continue; }
  "$go" build -o "$work/bench$m" "$here/bench/main.go"
  alone=$(for _ in $(seq "$runs"); do "$work/bench$m" "$n"; done | median)
  : >"$work/col$m"
  for _ in $(seq "$runs"); do
    "$gtanalyze" collect -o "$work/b$m.cap" -- "$work/bench$m" "$n" 2>>"$work/log$m" >>"$work/col$m"
  done
  under=$(median <"$work/col$m")
  recs=$(grep -o '[0-9]* records' "$work/log$m" | tail -1 | cut -d' ' -f1)
  drops=$(grep -o '[0-9]* dropped' "$work/log$m" | awk '{s+=$1} END {print s+0}')
  awk -v m="$m" -v a="$alone" -v u="$under" -v r="$recs" -v d="$drops" \
    'BEGIN {printf "1.%-4s %12.1f %12.1f %7.1fx %10s %6s\n", m, a/1e6, u/1e6, u/a, r, d}'
done

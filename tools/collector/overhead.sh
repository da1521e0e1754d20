#!/usr/bin/env bash
# The collector's overhead, per Go version: what `collect` costs a churn workload per record, how
# much it slows an HTTP server, and its own start-up.
#   tools/collector/overhead.sh GTANALYZE [GO_MINOR...] [-n N] [-r RUNS] [-c CONNS] [-d SECONDS]
# For each Go (default: every installed one) it builds tools/collector/bench (churn: N goroutines
# spawned, N ping-pongs, contended mutexes), tools/collector/httpbench and an empty program, then
# runs each RUNS times alone and under `GTANALYZE collect`, alternating which goes first (A B,
# B A, ...) since the machine's load drifts. It prints medians with [min-max]:
#   churn   the workload's own wall and CPU time (user + system: the uprobe traps are system
#           time), records captured, and the cost per record: CPU under - CPU alone, over the
#           records (wall the same way in the last column)
#   http    requests/s of CONNS keep-alive clients (a separate process, not observed) for SECONDS
#           against the server alone and under collect, their ratio, and the server's CPU µs per
#           request both ways
#   startup `collect -- EMPTY` minus EMPTY alone (wall ms): loading, attaching, detaching
# Needs root for the BPF part.
set -euo pipefail
gtanalyze=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
n=50000 runs=5 conns=8 seconds=2 minors=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -r) runs=$2; shift 2 ;;
    -c) conns=$2; shift 2 ;;
    -d) seconds=$2; shift 2 ;;
    *) minors+=("$1"); shift ;;
  esac
done
[ ${#minors[@]} -gt 0 ] || minors=(19 21 22 23 24 25 26)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN=local GOFLAGS= GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/gtanalyze-go-cache}
printf 'package main\n\nfunc main() {}\n' >"$work/empty.go"

now_ns() { date +%s%N; }
# "median [min-max]" of the numbers on stdin, scaled by $1.
stats() {
  sort -g | awk -v s="${1:-1}" '{a[NR]=$1*s} END {printf "%.1f [%.1f-%.1f]", a[int((NR+1)/2)], a[1], a[NR]}'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One run of each kind; each appends a line to a file in $work.
churn_alone() { "$work/bench$1" "$n" >>"$work/churn_alone$1"; }
churn_under() {
  "$gtanalyze" collect -o "$work/c.cap" -- "$work/bench$1" "$n" 2>"$work/log" >>"$work/churn_under$1"
  grep -o '[0-9]* records' "$work/log" | cut -d' ' -f1 >>"$work/records$1"
  grep -o '[0-9]* dropped' "$work/log" | cut -d' ' -f1 >>"$work/drops$1"
}
http_run() {  # $1 minor, $2 alone|under
  local addr=127.0.0.1:$((20000 + RANDOM % 20000))
  if [ "$2" = alone ]; then
    "$work/http$1" serve "$addr" >>"$work/http_cpu_$2$1" &
  else
    "$gtanalyze" collect -o "$work/h.cap" -- "$work/http$1" serve "$addr" 2>/dev/null >>"$work/http_cpu_$2$1" &
  fi
  "$work/load$1" load "$addr" "$conns" "$seconds" >>"$work/http_rps_$2$1"
  wait
}
startup_alone() { local t=$(now_ns); "$work/empty$1"; echo $(($(now_ns) - t)) >>"$work/empty_alone$1"; }
startup_under() {
  local t=$(now_ns)
  "$gtanalyze" collect -o "$work/e.cap" -- "$work/empty$1" 2>/dev/null
  echo $(($(now_ns) - t)) >>"$work/empty_under$1"
}

for m in "${minors[@]}"; do
  go=/usr/lib/go-1.$m/bin/go
  [ -x "$go" ] || { echo "go1.$m: not installed, skipped" >&2; continue; }
  "$go" build -o "$work/bench$m" "$here/bench/main.go"
  "$go" build -o "$work/http$m" "$here/httpbench/main.go"
  # The clients run from a copy: uprobes belong to the file, and without the kernel's pid filter
  # (uprobe_multi, Linux 6.6+) every process running it takes the traps.
  cp "$work/http$m" "$work/load$m"
  "$go" build -o "$work/empty$m" "$work/empty.go"
  for i in $(seq "$runs"); do
    for kind in churn http startup; do
      if [ $((i % 2)) = 1 ]; then
        order="alone under"
      else
        order="under alone"
      fi
      for o in $order; do
        case $kind in
          http) http_run "$m" "$o" ;;
          *) "${kind}_$o" "$m" ;;
        esac
      done
    done
  done
  recs=$(median <"$work/records$m")
  drops=$(awk '{s+=$1} END {print s+0}' "$work/drops$m")
  cpu_alone=$(awk '{print $2}' "$work/churn_alone$m" | median)
  cpu_under=$(awk '{print $2}' "$work/churn_under$m" | median)
  wall_alone=$(awk '{print $1}' "$work/churn_alone$m" | median)
  wall_under=$(awk '{print $1}' "$work/churn_under$m" | median)
  rps_alone=$(median <"$work/http_rps_alone$m")
  rps_under=$(median <"$work/http_rps_under$m")
  echo "go1.$m"
  echo "  churn   alone wall $(awk '{print $1}' "$work/churn_alone$m" | stats 1e-6) ms, cpu $(awk '{print $2}' "$work/churn_alone$m" | stats 1e-6) ms"
  echo "          under wall $(awk '{print $1}' "$work/churn_under$m" | stats 1e-6) ms, cpu $(awk '{print $2}' "$work/churn_under$m" | stats 1e-6) ms"
  awk -v r="$recs" -v d="$drops" -v ca="$cpu_alone" -v cu="$cpu_under" -v wa="$wall_alone" -v wu="$wall_under" \
    'BEGIN {printf "          %d records, %d dropped; per record %.2f µs CPU, %.2f µs wall; wall %.1fx\n",
            r, d, (cu - ca) / r / 1e3, (wu - wa) / r / 1e3, wu / wa}'
  awk -v a="$rps_alone" -v u="$rps_under" -v ca="$(awk '{print $2 / $1 / 1e3}' "$work/http_cpu_alone$m" | median)" \
    -v cu="$(awk '{print $2 / $1 / 1e3}' "$work/http_cpu_under$m" | median)" \
    'BEGIN {printf "  http    %.0f req/s alone, %.0f under: throughput %.2f of alone; server CPU %.1f µs/request alone, %.1f under\n",
            a, u, u / a, ca, cu}'
  paste "$work/empty_under$m" "$work/empty_alone$m" | awk '{print $1 - $2}' >"$work/startup$m"
  echo "  startup $(stats 1e-6 <"$work/startup$m") ms (collect -- empty program, minus the program alone)"
done

#!/usr/bin/env bash
# perfetto.sh - the cost of `gtanalyze perfetto` next to `gtanalyze --json` on the same trace
# (issue 20's targets: CPU at most 3x --json's, peak RSS at most 2x).
#
# Usage: tools/bench/perfetto.sh [--runs N] [--null] [--gtanalyze PATH] [TRACE...]
#   TRACE...          default: $GTANALYZE_BENCH_DIR/go1.26-100M.trace, else
#                     /var/tmp/gtanalyze-bench/go1.26-100M.trace (tools/bench/make-traces.sh)
#   --runs N          runs of each command (default 3); the medians are reported
#   --null            write the export to /dev/null: the CPU then leaves out the kernel's copy
#                     of the output, and a 1 GB trace's ~17 GB export needs no disk
#   --gtanalyze PATH  default $GTANALYZE, else build/release/gtanalyze
#   -h                this help
#
# Both commands run with --threads 1 (one core: CPU is then comparable) under /usr/bin/time.
# Per trace it prints the median CPU (user+sys) and peak RSS of each, the export's size in bytes
# per Go event (the event count from the JSON), and the two ratios with their targets. Targets
# missed do not fail the script: the figures go into the issue's note.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs=3
null=0
gta="${GTANALYZE:-$repo/build/release/gtanalyze}"
traces=()

usage() { sed -n '2,/^[^#]/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) [ $# -ge 2 ] || { usage >&2; exit 2; }; runs=$2; shift ;;
	--null) null=1 ;;
	--gtanalyze) [ $# -ge 2 ] || { usage >&2; exit 2; }; gta=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) traces+=("$1") ;;
	esac
	shift
done
[ "${#traces[@]}" -gt 0 ] || traces=("${GTANALYZE_BENCH_DIR:-/var/tmp/gtanalyze-bench}/go1.26-100M.trace")
[ -x "$gta" ] || { echo "perfetto.sh: no $gta (build the release preset first)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/gtanalyze-perfetto-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# measure NAME CMD...: one run under /usr/bin/time; appends "cpu_seconds peak_kb" to $tmp/NAME.
measure() {
	local name=$1
	shift
	/usr/bin/time -f "%U %S %M" -o "$tmp/time" "$@" 2>"$tmp/err" >/dev/null ||
		{ echo "perfetto.sh: $name failed: $(tail -n 1 "$tmp/err")" >&2; exit 1; }
	awk '{ printf "%.2f %d\n", $1 + $2, $3 }' "$tmp/time" >>"$tmp/$name"
}
median() { sort -n -k"$2" "$tmp/$1" | awk -v k="$2" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }

for trace in "${traces[@]}"; do
	[ -r "$trace" ] || { echo "perfetto.sh: cannot read $trace" >&2; exit 2; }
	rm -f "$tmp/json" "$tmp/perfetto"
	out=$tmp/export.pftrace
	[ "$null" = 1 ] && out=/dev/null
	cat "$trace" >/dev/null # a warm page cache for every run
	for _ in $(seq "$runs"); do
		measure json "$gta" --threads 1 --json "$trace" -o "$tmp/summary.json"
		measure perfetto "$gta" perfetto --threads 1 "$trace" -o "$out"
	done
	events=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["trace"]["events"])' "$tmp/summary.json")
	bytes=$([ "$null" = 1 ] && echo 0 || stat -c %s "$out")
	json_cpu=$(median json 1) json_kb=$(median json 2)
	pf_cpu=$(median perfetto 1) pf_kb=$(median perfetto 2)
	echo "== $trace ($events events, $runs runs, medians, --threads 1)"
	printf '  %-22s %8s s CPU %8d MB peak RSS\n' "gtanalyze --json" "$json_cpu" $((json_kb / 1024))
	printf '  %-22s %8s s CPU %8d MB peak RSS' "gtanalyze perfetto" "$pf_cpu" $((pf_kb / 1024))
	if [ "$null" = 1 ]; then
		echo "   (output to /dev/null)"
	else
		awk -v b="$bytes" -v e="$events" 'BEGIN { printf "   %.2f GB, %.1f bytes per event\n", b / 1e9, b / e }'
	fi
	awk -v a="$pf_cpu" -v b="$json_cpu" -v c="$pf_kb" -v d="$json_kb" \
		'BEGIN { printf "  CPU %.1fx --json (target 3x), peak RSS %.2fx (target 2x)\n", (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
done

#!/usr/bin/env bash
# run.sh - gtanalyze side by side with Go's own trace reader, on the same traces (issues 9, 24).
#
# Usage: tools/bench/run.sh [options] [TRACE...]
#   TRACE...          traces to measure (default: every *.trace in $GTANALYZE_BENCH_DIR,
#                     else /var/tmp/gtanalyze-bench: see tools/bench/make-traces.sh)
#   --runs N          runs of every command on every trace (default 3)
#   --smoke           one run of everything on corpus/go1.26/gcheavy.trace (or on the
#                     TRACEs given): a few seconds, for CI; targets are not judged
#   --gtanalyze PATH  the binary to measure (default $GTANALYZE, else
#                     build/release/gtanalyze: cmake --preset release && cmake --build --preset release)
#   --gtaref PATH     Go's reader (default $GTAREF, else built by tools/reference/build.sh)
#   --timeout SECS    limit for one command (default 1800); past it the row says FAILED
#   --check-json      also compare the two JSON outputs on traces of 512 MiB and more
#                     (always done on smaller ones; needs python3 and ~10x the JSON in RAM)
#   -h                this help
#
# For each trace, every run executes each of these once, one after the other (so a
# noisy machine disturbs them alike), under /usr/bin/time (wall, user+sys CPU, peak RSS):
#   ours summary      gtanalyze TRACE --json          (JSON to a temporary file; default
#                                                      threads: its RSS is the one judged)
#   ours summary -t1  the same with --threads 1        (only if gtanalyze --help has --threads;
#                                                      the CPU ratio to Go uses it; it and the
#                                                      default take turns at running first)
#   ours decode       gtanalyze dump --decode-only [--threads 1] TRACE if dump (or the top
#                     level) has --decode-only, else gtanalyze dump TRACE >/dev/null
#                     (decoding plus the text formatting of every event)
#   go summary        gtaref -summary-only TRACE      (Go 1.26 internal/trace + its summariser
#                                                      alone, as `go tool trace` runs it; the
#                                                      JSON for the check is made untimed)
#   go read           gtaref -read-only TRACE         (Go's reader alone; its count is the
#                                                      trace's event count)
#   floor             tools/bench/floor.cpp: read the file and decode every byte as a uvarint
# A command that fails is reported as a FAILED row with its last error line; its other
# runs on that trace are skipped and the rest carries on. The table gives min, median and
# max wall and CPU time, median peak RSS, events/s (wall), events per CPU-second and MB/s;
# then the ratios issues 9 and 24 set targets on, from medians, each with its target where the
# issue sets one for that kind of trace (Go 1.22+ format under 512 MiB, i.e. the ~100 MB
# one; Go 1.22+ format of 512 MiB and more; old format; none under 32 MiB). Each trace is
# read once before its runs, so every run sees a warm page cache.
# Finally it checks that gtanalyze's JSON equals Go's (as data: key order and spacing may
# differ), so a fast but wrong decoder does not go unnoticed; a difference is a WARNING line.
#
# Exit status: 0 all commands ran, 1 some command failed (targets missed do not fail:
# absolute numbers move with the machine's load), 2 usage error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

runs=3
smoke=0
timeout_s=1800
check_json=0
gta="${GTANALYZE:-$repo/build/release/gtanalyze}"
gtaref="${GTAREF:-}"
traces=()

usage() { sed -n '2,/^[^#]/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
need_arg() { [ "$1" -ge 2 ] || { usage >&2; exit 2; }; }

while [ $# -gt 0 ]; do
	case "$1" in
	--runs) need_arg $#; runs="$2"; shift ;;
	--smoke) smoke=1 ;;
	--gtanalyze) need_arg $#; gta="$2"; shift ;;
	--gtaref) need_arg $#; gtaref="$2"; shift ;;
	--timeout) need_arg $#; timeout_s="$2"; shift ;;
	--check-json) check_json=1 ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) traces+=("$1") ;;
	esac
	shift
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs wants a positive number" >&2; exit 2; }
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --timeout wants seconds" >&2; exit 2; }

if [ "$smoke" -eq 1 ]; then
	runs=1
	[ ${#traces[@]} -gt 0 ] || traces=("$repo/corpus/go1.26/gcheavy.trace")
fi
if [ ${#traces[@]} -eq 0 ]; then
	bench_dir="${GTANALYZE_BENCH_DIR:-/var/tmp/gtanalyze-bench}"
	shopt -s nullglob
	traces=("$bench_dir"/*.trace)
	shopt -u nullglob
	if [ ${#traces[@]} -eq 0 ]; then
		echo "run.sh: no traces in $bench_dir; make them with tools/bench/make-traces.sh or name them" >&2
		exit 2
	fi
fi
for t in "${traces[@]}"; do
	[ -r "$t" ] || { echo "run.sh: cannot read $t" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "run.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gtanalyze-bench-run.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# ---- the programs ------------------------------------------------------------------------

# The floor is compiled here, not by CMake, so it measures the machine and not our build
# flags: plain g++ -O2, no project code.
floor="$tmp/floor"
floor_err=""
if ! g++ -O2 -std=c++20 -o "$floor" "$here/floor.cpp" 2>"$tmp/floor-build.err"; then
	floor_err="floor.cpp does not build: $(grep -m1 error "$tmp/floor-build.err" || tail -n 1 "$tmp/floor-build.err")"
fi

# Go's reader: the reference program, built (cached) in a copy of the Go 1.26 tree.
gtaref_err=""
if [ -z "$gtaref" ]; then
	if ref_bin="$(bash "$repo/tools/reference/build.sh" 2>"$tmp/ref-build.err" | tail -n 1)" && [ -x "$ref_bin/gtaref" ]; then
		gtaref="$ref_bin/gtaref"
	else
		gtaref_err="gtaref not built: $(tail -n 1 "$tmp/ref-build.err")"
	fi
elif [ ! -x "$gtaref" ]; then
	gtaref_err="gtaref not found at $gtaref"
fi

gta_err=""
threads=0
decode_cmd=(dump)
if [ ! -x "$gta" ]; then
	gta_err="$gta not found (cmake --preset release && cmake --build --preset release)"
else
	# Optional features, detected from the help text so this script works with every
	# stage of the decoders: --threads N (reading ahead on a second thread), --decode-only.
	# (Help goes to files first: grep -q in a pipe could SIGPIPE the writer under pipefail.)
	"$gta" --help >"$tmp/help.txt" 2>&1 || true
	"$gta" dump --help >"$tmp/dump-help.txt" 2>&1 || true
	grep -q -- '--threads' "$tmp/help.txt" && threads=1
	if grep -q -- '--decode-only' "$tmp/dump-help.txt"; then
		decode_cmd=(dump --decode-only)
	elif grep -q -- '--decode-only' "$tmp/help.txt"; then
		decode_cmd=(--decode-only)
	fi
	# The decoder alone: no second thread to hand events to a consumer that does nothing.
	[ "$threads" -eq 1 ] && grep -q -- '--threads' "$tmp/dump-help.txt" && decode_cmd+=(--threads 1)
fi

# ---- measuring ---------------------------------------------------------------------------

# Per row id: the display name and the measurements (space-separated lists, one entry per
# successful run); FAIL holds why a row failed, SKIP why it was not run.
declare -A NAME WALL CPU RSS FAIL SKIP
any_failed=0

# measure ID STDOUT CMD...: runs CMD once with its stdout to STDOUT and records the numbers.
measure() {
	local id="$1" out="$2"
	shift 2
	[ -z "${FAIL[$id]:-}${SKIP[$id]:-}" ] || return 0 # failed before: skip its other runs
	local tf="$tmp/$id.time" err="$tmp/$id.err" rc=0
	# timeout runs under time, so the time's numbers include everything timeout waited for.
	/usr/bin/time -f '%e %U %S %M' -o "$tf" timeout -k 10 "$timeout_s" "$@" >"$out" 2>"$err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		local why took
		took="$(tail -n 1 "$tf" | cut -d' ' -f1)"
		# timeout exits 124, or 137 if the program ignored SIGTERM and got SIGKILL; a 137
		# well before the limit is someone else's SIGKILL, most likely the OOM killer.
		if [ "$rc" -eq 124 ] || { [ "$rc" -eq 137 ] && awk -v t="$took" -v l="$timeout_s" 'BEGIN {exit !(t >= l)}'; }; then
			why="timed out after $timeout_s s"
		elif [ "$rc" -eq 137 ]; then
			why="killed by SIGKILL after $took s (out of memory?)"
		elif [ "$rc" -gt 128 ]; then
			why="exit $rc (signal $((rc - 128)))"
		else
			why="exit $rc"
		fi
		local last
		last="$({ grep -v '^[[:space:]]*$' "$err" || true; } | tail -n 1 | cut -c1-160)"
		FAIL[$id]="$why${last:+: $last}"
		any_failed=1
		return 0
	fi
	local wall user sys rss
	read -r wall user sys rss < <(tail -n 1 "$tf")
	WALL[$id]+=" $wall"
	CPU[$id]+=" $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')"
	RSS[$id]+=" $rss"
}

# stats LIST: prints "min median max" of the numbers in LIST, or "- - -" if it is empty.
stats() {
	tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g |
		awk '{a[NR] = $1} END {
			if (NR == 0) { print "- - -"; exit }
			med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			print a[1], med, a[NR]
		}'
}
med() { stats "$1" | cut -d' ' -f2; }

# ratio A B: A/B with 2 decimals, or - if either is missing or 0 (below time's 10 ms resolution).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-" || a == "" || b == "" || a + 0 == 0 || b + 0 == 0) print "-"
		else printf "%.2f", a / b
	}'
}

# json_diff OURS GO: "equal to Go's", or WARNING and the first path where the data differ.
json_diff() {
	python3 - "$1" "$2" <<'PY'
import json, sys
def first_diff(a, b, path="$"):
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'ours' if k in a else 'Go'}"
            d = first_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return f"{path}: {len(a)} vs {len(b)} items" if len(a) != len(b) else None
    return None if a == b else f"{path}: {str(a)[:60]} vs {str(b)[:60]}"
try:
    with open(sys.argv[1]) as f:
        ours = json.load(f)
    with open(sys.argv[2]) as f:
        go = json.load(f)
except ValueError as e:
    print(f"WARNING: not valid JSON: {e}")
    sys.exit(0)
d = first_diff(ours, go)
print("equal to Go's" if d is None else f"WARNING: differs from Go's (ours vs Go) at {d}")
PY
}

# ---- one trace ---------------------------------------------------------------------------

bench_trace() {
	local trace="$1"
	local size header minor fmt_kind events
	size=$(wc -c <"$trace")
	header="$(head -c 16 "$trace" | tr -c '[:print:]' ' ' | sed 's/ *$//')"
	# The format decides which targets apply: Go 1.22+ (generational) or the old format.
	minor="$(sed -n 's/^go 1\.\([0-9]*\) trace$/\1/p' <<<"$header")"
	if [ -z "$minor" ]; then
		fmt_kind=unknown
	elif [ "$minor" -ge 22 ]; then
		fmt_kind=new
	else
		fmt_kind=old
	fi
	cat "$trace" >/dev/null # warm the page cache: every run reads from memory

	NAME=() WALL=() CPU=() RSS=() FAIL=() SKIP=()
	local ids=()
	local json_ours="$tmp/ours.json" json_go="$tmp/go.json" count="$tmp/count.txt"
	ids+=(ours_sum); NAME[ours_sum]="ours summary (--json, default threads)"
	if [ "$threads" -eq 1 ]; then
		ids+=(ours_t1 ours_pair)
		NAME[ours_t1]="ours summary --threads 1"
		NAME[ours_pair]="two of --threads 1 at once"
	fi
	ids+=(ours_dec); NAME[ours_dec]="ours decode (${decode_cmd[*]})"
	ids+=(go_sum go_read floor)
	NAME[go_sum]="go read + summary"
	NAME[go_read]="go read only"
	NAME[floor]="floor (read + uvarint)"
	if [ -n "$gta_err" ]; then
		FAIL[ours_sum]="$gta_err" FAIL[ours_dec]="$gta_err"
		any_failed=1
	fi
	if [ -n "$gtaref_err" ]; then
		# Without Go (CI machines install it only with tools/install-deps.sh --go) a smoke
		# run still checks our side; a real benchmark without the reference is a failure.
		if [ "$smoke" -eq 1 ]; then
			SKIP[go_sum]="$gtaref_err" SKIP[go_read]="$gtaref_err"
		else
			FAIL[go_sum]="$gtaref_err" FAIL[go_read]="$gtaref_err"
			any_failed=1
		fi
	fi
	if [ -n "$floor_err" ]; then
		FAIL[floor]="$floor_err"
		any_failed=1
	fi

	local r
	for ((r = 1; r <= runs; r++)); do
		[ -t 2 ] && printf '\r  run %d/%d ...' "$r" "$runs" >&2 # progress, on terminals only
		# The default and --threads 1 in turn first (ABBA...): a machine's load that drifts
		# over a run then favours neither.
		if [ "$threads" -eq 1 ] && [ $((r % 2)) -eq 0 ]; then
			measure ours_t1 /dev/null "$gta" "$trace" --json --threads 1
			measure ours_sum "$json_ours" "$gta" "$trace" --json
		else
			measure ours_sum "$json_ours" "$gta" "$trace" --json
			[ "$threads" -eq 1 ] && measure ours_t1 /dev/null "$gta" "$trace" --json --threads 1
		fi
		# What a second core is worth here: two single-threaded runs side by side. On a VM whose
		# second vCPU shares a host core, each runs slower than alone, and no split of the work
		# in two can gain more than 2 / (this / one alone).
		[ "$threads" -eq 1 ] && measure ours_pair /dev/null bash -c \
			'"$1" "$2" --json --threads 1 -o /dev/null & "$1" "$2" --json --threads 1 -o /dev/null; wait $!' \
			pair "$gta" "$trace"
		if [ "${decode_cmd[0]}" = dump ]; then
			measure ours_dec /dev/null "$gta" "${decode_cmd[@]}" "$trace"
		else
			measure ours_dec /dev/null "$gta" "$trace" "${decode_cmd[@]}"
		fi
		measure go_sum /dev/null "$gtaref" -summary-only "$trace"
		measure go_read "$count" "$gtaref" -read-only "$trace"
		measure floor /dev/null "$floor" "$trace"
	done
	[ -t 2 ] && printf '\r%*s\r' 20 '' >&2

	# The event count: Go's reader's, else the one in either JSON.
	events="-"
	if [ -n "${WALL[go_read]:-}" ]; then
		events="$(head -n 1 "$count")"
	fi
	local ev_ours="" ev_go=""
	[ -n "${WALL[ours_sum]:-}" ] && ev_ours="$(grep -o -m1 '"events": *[0-9]*' "$json_ours" | head -n 1 | grep -o '[0-9]*$' || true)"
	# Go's JSON (our contract computed from Go's parser), once and untimed, for the check.
	if [ -n "${WALL[go_sum]:-}" ] && { [ "$check_json" -eq 1 ] || [ "$size" -lt $((512 << 20)) ]; }; then
		"$gtaref" "$trace" >"$json_go" 2>/dev/null &&
			ev_go="$(grep -o -m1 '"events": *[0-9]*' "$json_go" | head -n 1 | grep -o '[0-9]*$' || true)"
	fi
	[ "$events" = "-" ] && events="${ev_go:-${ev_ours:--}}"

	local mb
	mb="$(awk -v s="$size" 'BEGIN {printf "%.1f", s / 1e6}')"
	echo
	printf '== %s\n' "$trace"
	printf '   %s MB, header "%s", %s events, %d run(s) of each; gtanalyze %s\n' \
		"$mb" "$header" "$(awk -v e="$events" 'BEGIN {if (e == "-") print "?"; else printf "%.2f M", e / 1e6}')" \
		"$runs" "$([ "$threads" -eq 1 ] && echo "has --threads" || echo "has no --threads")"
	if [ -n "$ev_ours" ] && [ "$events" != "-" ] && [ "$ev_ours" != "$events" ]; then
		printf '   WARNING: gtanalyze counts %s events, Go counts %s\n' "$ev_ours" "$events"
	fi
	if [ -n "$ev_ours" ] && [ -n "$ev_go" ] && command -v python3 >/dev/null &&
		{ [ "$check_json" -eq 1 ] || [ "$size" -lt $((512 << 20)) ]; }; then
		printf '   JSON of the last runs: %s\n' "$(json_diff "$json_ours" "$json_go")"
	fi
	printf '   %-46s %9s %9s %9s %9s %9s %9s %9s %10s %12s %9s\n' "" "wall min" "wall med" "wall max" "CPU min" "CPU med" "CPU max" "peak RSS" "events/s" "ev/CPU-s" "MB/s"
	local id
	for id in "${ids[@]}"; do
		if [ -n "${FAIL[$id]:-}" ]; then
			printf '   %-46s FAILED: %s\n' "${NAME[$id]}" "${FAIL[$id]}"
			continue
		fi
		if [ -n "${SKIP[$id]:-}" ]; then
			printf '   %-46s SKIPPED: %s\n' "${NAME[$id]}" "${SKIP[$id]}"
			continue
		fi
		local wmin wmed wmax cmin cmed cmax rmed
		read -r wmin wmed wmax < <(stats "${WALL[$id]}")
		read -r cmin cmed cmax < <(stats "${CPU[$id]}")
		rmed="$(med "${RSS[$id]}")"
		awk -v name="${NAME[$id]}" -v wmin="$wmin" -v wmed="$wmed" -v wmax="$wmax" -v cmin="$cmin" -v c="$cmed" \
			-v cmax="$cmax" -v r="$rmed" -v e="$events" -v s="$size" 'BEGIN {
			# Timings of small traces need more digits than those of big ones.
			tf = (wmed < 1) ? "%8.3fs" : "%8.2fs"
			printf "   %-46s " tf " " tf " " tf " " tf " " tf " " tf " %7.0fMB", name, wmin, wmed, wmax, cmin, c, cmax, r / 1024
			w = (wmed > 0) ? wmed : 0.001; cc = (c > 0) ? c : 0.001
			if (e == "-") printf " %10s %12s", "-", "-"
			else printf " %9.2fM %11.2fM", e / w / 1e6, e / cc / 1e6
			printf " %9.0f\n", s / w / 1e6
		}'
	done

	# ---- the ratios of issues 9 and 24 (medians) ----
	local kind="$fmt_kind"
	if [ "$kind" = new ] && [ "$size" -ge $((512 << 20)) ]; then kind=new-big; fi
	# Below 32 MiB fixed costs (process start, runtime init) dominate: no targets there.
	if [ "$smoke" -eq 1 ] || [ "$size" -lt $((32 << 20)) ]; then kind=small; fi
	local go_cpu ours_cpu ours_rss go_rss dec_cpu read_cpu t1 t_default t1_cpu default_cpu dec_wall floor_wall
	go_cpu="$(med "${CPU[go_sum]:-}")"
	# CPU is judged on the single-threaded run when there is one: a second thread only adds the
	# cost of handing events over (RSS is judged on the default run, what users get).
	ours_cpu="$(med "${CPU[ours_t1]:-${CPU[ours_sum]:-}}")"
	ours_rss="$(med "${RSS[ours_sum]:-}")"
	go_rss="$(med "${RSS[go_sum]:-}")"
	dec_cpu="$(med "${CPU[ours_dec]:-}")"
	read_cpu="$(med "${CPU[go_read]:-}")"
	t1="$(med "${WALL[ours_t1]:-}")"
	t_default="$(med "${WALL[ours_sum]:-}")"
	t1_cpu="$(med "${CPU[ours_t1]:-}")"
	default_cpu="$(med "${CPU[ours_sum]:-}")"
	dec_wall="$(med "${WALL[ours_dec]:-}")"
	floor_wall="$(med "${WALL[floor]:-}")"
	local dec_cpu_floor
	dec_cpu_floor="$(ratio "$dec_cpu" "$(med "${CPU[floor]:-}")")"

	echo "   ratios (medians)                                    value   target (issues 9, 24)"
	# target_line LABEL VALUE OP LIMIT KINDS NOTE: judges VALUE against "OP LIMIT" when this
	# trace's kind is in KINDS; otherwise the ratio is shown for information.
	target_line() {
		local label="$1" value="$2" op="$3" limit="$4" kinds="$5" note="${6:-}" verdict
		if [[ " $kinds " == *" $kind "* ]]; then
			if [ "$value" = "-" ]; then
				verdict="not measured"
			elif awk -v v="$value" -v l="$limit" -v op="$op" 'BEGIN {exit !((op == ">=") ? v >= l : v <= l)}'; then
				verdict="met"
			else
				verdict="NOT MET"
			fi
			printf '   %-50s %7s   %s %-5s %s%s\n' "$label" "$value" "$op" "$limit" "$verdict" "${note:+ ($note)}"
		else
			printf '   %-50s %7s   (info)%s\n' "$label" "$value" "${note:+ ($note)}"
		fi
	}
	target_line "Go summary CPU / ours" "$(ratio "$go_cpu" "$ours_cpu")" ">=" 8 "new new-big" \
		"$([ "$threads" -eq 1 ] && echo "ours with --threads 1")"
	target_line "our summary peak RSS / Go's" "$(ratio "$ours_rss" "$go_rss")" "<=" 0.25 "new new-big" "default threads"
	target_line "our summary peak RSS / file size" "$(ratio "$ours_rss" "$(awk -v s="$size" 'BEGIN {print s / 1024}')")" "<=" 5 "old"
	# Events per CPU-second with the same event count on both sides: the CPU ratio.
	target_line "our decode events per CPU-s / Go read-only's" "$(ratio "$read_cpu" "$dec_cpu")" ">=" 5 "new" \
		"$([ "${decode_cmd[0]}" = dump ] && [ ${#decode_cmd[@]} -eq 1 ] && echo "decode includes dump's text output")"
	# Issue 24: the default threads never slower than 1, and faster on Go 1.22+ traces.
	local no_threads
	no_threads="$([ "$threads" -eq 1 ] || echo "gtanalyze has no --threads")"
	local speedup=1.0
	[ "$kind" = new ] && speedup=1.3
	[ "$kind" = new-big ] && speedup=1.6
	# Old formats: the default is one thread (gtanalyze --help, --threads), so the two runs are the
	# same command and their ratio is noise, shown but not judged.
	local same_run="${no_threads:-$([ "$kind" = old ] && echo "the default is 1 thread for old formats: the same command twice")}"
	target_line "our summary wall, 1 thread / default" "$(ratio "$t1" "$t_default")" ">=" "$speedup" "new new-big" "$same_run"
	target_line "two runs of 1 thread at once, wall / one alone" "$(ratio "$(med "${WALL[ours_pair]:-}")" "$t1")" "<=" 1.0 "" \
		"1.00: a whole second core; the 1-thread/default ratio is capped at 2 / this"
	target_line "our summary CPU, default / 1 thread" "$(ratio "$default_cpu" "$t1_cpu")" "<=" 1.15 "new new-big" "$same_run"
	target_line "our decode wall / floor wall" "$(ratio "$dec_wall" "$floor_wall")" "<=" 3 "new-big" \
		"CPU: $dec_cpu_floor"
	[ "$kind" = small ] && echo "   (targets are judged on traces of 32 MiB and more only)"
	return 0
}

echo "gtanalyze benchmark: $(nproc) CPU(s), $(awk '/MemTotal/ {printf "%.1f GB RAM", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  gtanalyze: $gta${gta_err:+ (MISSING)}"
echo "  gtaref:    ${gtaref:-none}${gtaref_err:+ ($gtaref_err)}"
for t in "${traces[@]}"; do
	bench_trace "$t"
done
if [ "$any_failed" -ne 0 ]; then
	echo
	echo "run.sh: some commands FAILED (see the rows above)" >&2
	exit 1
fi

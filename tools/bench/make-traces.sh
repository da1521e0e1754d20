#!/usr/bin/env bash
# make-traces.sh - write the large benchmark traces of issue 9 with tools/bench/stress.
#
# Usage: tools/bench/make-traces.sh [--big] [--force] [--dir DIR]
#   --big     also write the ~1 GB Go 1.26 trace (about 1.5 minutes here, 1.1 GB of disk)
#   --force   rewrite traces that already exist (default: keep them)
#   --dir DIR where the traces go (default $GTANALYZE_BENCH_DIR, else
#             /var/tmp/gtanalyze-bench); never inside the repository
#   -h        this help
#
# Writes, each with its stress log (DIR/NAME.log, with the -rounds value that redoes
# the same work):
#   DIR/go1.26-100M.trace   ~100 MB, Go 1.26 format (generational)
#   DIR/go1.21-100M.trace   ~100 MB, Go 1.21 format (old format: readers convert it)
#   DIR/go1.26-1G.trace     ~1 GB, Go 1.26 format (--big only)
# Toolchains are expected at $GOROOT_PATTERN (default /usr/lib/go-VERSION); builds are
# offline (GOTOOLCHAIN=local, GOPROXY=off) with -trimpath, from a temporary directory.
# The stress program runs with GOMAXPROCS=2 (its -procs default) so the traces have the
# same shape on any machine; their exact bytes differ between runs (timestamps and
# scheduling), their size and mix of work do not.
set -euo pipefail

GOROOT_PATTERN="${GOROOT_PATTERN:-/usr/lib/go-VERSION}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dir="${GTANALYZE_BENCH_DIR:-/var/tmp/gtanalyze-bench}"
big=0
force=0

usage() { sed -n '2,/^[^#]/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

while [ $# -gt 0 ]; do
	case "$1" in
	--big) big=1 ;;
	--force) force=1 ;;
	--dir) [ $# -ge 2 ] || { usage >&2; exit 2; }; dir="$2"; shift ;;
	--dir=*) dir="${1#--dir=}" ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

dir="$(realpath -m "$dir")"
# Traces of 100 MB and more must not end up in git by accident.
case "$dir/" in
"$repo"/*) echo "make-traces: $dir is inside the repository; pick a --dir outside it" >&2; exit 2 ;;
esac
mkdir -p "$dir"

# name, Go version, stress -size argument, disk space it needs (MiB, with margin)
jobs=("go1.26-100M 1.26 100M 130" "go1.21-100M 1.21 100M 130")
[ "$big" -eq 1 ] && jobs+=("go1.26-1G 1.26 1G 1200")

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gtanalyze-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# A hermetic, offline Go environment: local toolchain only, no modules, no cgo, no
# user GOFLAGS/go.work, no VCS stamping.
export GOTOOLCHAIN=local GOFLAGS='' CGO_ENABLED=0 GOWORK=off GOPROXY=off

# build VERSION: compiles the stress program with that toolchain (once) and prints the
# binary's path.
build() {
	local v="$1" gobin bin
	gobin="${GOROOT_PATTERN//VERSION/$v}/bin/go"
	bin="$tmp/stress-go$v"
	if [ ! -x "$bin" ]; then
		[ -x "$gobin" ] || { echo "make-traces: Go $v not found at $gobin (tools/install-deps.sh --go)" >&2; return 1; }
		# Built from inside the temp dir so no go.mod/go.work of the repo is picked up.
		(cd "$tmp" && "$gobin" build -trimpath -o "$bin" "$here/stress/main.go") >&2 || return 1
	fi
	echo "$bin"
}

failed=0
for job in "${jobs[@]}"; do
	read -r name v size need_mib <<<"$job"
	trace="$dir/$name.trace"
	if [ -f "$trace" ] && [ "$force" -eq 0 ]; then
		echo "make-traces: $name: exists ($(wc -c <"$trace") bytes), kept (--force rewrites it)"
		continue
	fi
	free_mib=$(df -Pm "$dir" | awk 'NR==2 {print $4}')
	if [ "$free_mib" -lt "$need_mib" ]; then
		echo "make-traces: $name: only $free_mib MiB free in $dir, needs $need_mib MiB; skipped" >&2
		failed=1
		continue
	fi
	if ! bin="$(build "$v")"; then
		echo "make-traces: $name: BUILD FAILED with Go $v" >&2
		failed=1
		continue
	fi
	# Write to a temporary name first so an interrupted run never leaves a truncated
	# trace that a later run would keep.
	rm -f "$trace.tmp"
	start=$(date +%s.%N)
	if ! (cd "$tmp" && "$bin" -size "$size" "$trace.tmp") 2>"$dir/$name.log"; then
		echo "make-traces: $name: RUN FAILED: $(tail -n 1 "$dir/$name.log")" >&2
		rm -f "$trace.tmp"
		failed=1
		continue
	fi
	mv -f "$trace.tmp" "$trace"
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
	printf 'make-traces: %-12s %11d bytes in %5s s (%s)\n' "$name" "$(wc -c <"$trace")" "$secs" \
		"$(tail -n 1 "$dir/$name.log" | sed 's/^stress: //; s/, [0-9.]* s (same work: / (/')"
done

if [ "$failed" -ne 0 ]; then
	echo "make-traces: FAILED (see messages above)" >&2
	exit 1
fi
echo "make-traces: traces are in $dir"

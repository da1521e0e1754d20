#!/usr/bin/env bash
# make-corpus.sh - build the tools/corpus programs with several Go toolchains
# and write their execution traces to corpus/go1.NN/NAME.trace.
#
# Usage: tools/corpus/make-corpus.sh [-v 1.21,1.26] [-p chans,leaky] [-k]
#   -v LIST  toolchain versions to use (default: all of $ALL_VERSIONS that
#            are installed; a missing one is skipped with a message)
#   -p LIST  programs to build (default: every tools/corpus/*/main.go)
#   -k       keep the temporary build directory (its path is printed)
#   -h       this help
#
# A program's folder may hold corpus.env, sourced before it is built, to set
# GO_VERSIONS (the only toolchains that build it, e.g. "1.26"), GOEXPERIMENT
# (for the build), and SECOND_OUTPUT (a file name suffix: the program is then
# run as NAME OUT.trace OUT.SUFFIX and writes a second file beside the trace,
# e.g. "goroutineleak.pb.gz" for tools/corpus/leakproof), and CAPTURE=1 (the
# run is watched by `gtanalyze collect`, which writes NAME.cap beside the
# trace: needs root, and $GTANALYZE, default build/release/gtanalyze), and
# CGO=1 (built with cgo and the system's C compiler; every other program is
# built without).
#
# Toolchains are expected at $GOROOT_PATTERN (default /usr/lib/go-VERSION).
# Each program is a single standalone main.go (package main, standard
# library only), built as a file argument from inside a temp directory, so
# no go.mod is needed and the same command works from Go 1.19 to 1.26.
# Binaries go to the temp dir, never into the repo. Programs run with
# GOMAXPROCS=2. A trace over $MAX_BYTES (1 MiB) is an error. Re-running
# overwrites the traces (idempotent; traces are not bit-identical between
# runs because they contain timestamps and scheduling decisions).
set -euo pipefail

ALL_VERSIONS="1.19 1.21 1.22 1.23 1.24 1.25 1.26"
GOROOT_PATTERN="${GOROOT_PATTERN:-/usr/lib/go-VERSION}"
MAX_BYTES=$((1024 * 1024))

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out_root="$repo/corpus"

versions="$ALL_VERSIONS"
programs=""
keep=0

usage() { sed -n '2,/^[^#]/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

while getopts "v:p:kh" opt; do
	case "$opt" in
	v) versions="${OPTARG//,/ }" ;;
	p) programs="${OPTARG//,/ }" ;;
	k) keep=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 0 ]; then
	usage >&2
	exit 2
fi

if [ -z "$programs" ]; then
	for d in "$here"/*/; do
		[ -f "$d/main.go" ] && programs="$programs $(basename "$d")"
	done
fi
for p in $programs; do
	if [ ! -f "$here/$p/main.go" ]; then
		echo "make-corpus: no such program: $here/$p/main.go" >&2
		exit 2
	fi
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gtanalyze-corpus.XXXXXX")"
if [ "$keep" -eq 1 ]; then
	echo "make-corpus: keeping build directory $tmp"
else
	trap 'rm -rf "$tmp"' EXIT
fi

# A hermetic, offline Go environment: local toolchain only, no modules,
# no cgo (but for programs that ask), no user GOFLAGS/go.work, no VCS stamping.
export GOTOOLCHAIN=local GOFLAGS='' CGO_ENABLED=0 GOWORK=off GOPROXY=off

failed=0
built=0
for v in $versions; do
	goroot="${GOROOT_PATTERN//VERSION/$v}"
	gobin="$goroot/bin/go"
	if [ ! -x "$gobin" ]; then
		echo "make-corpus: go$v: $gobin not found, skipping"
		continue
	fi
	outdir="$out_root/go$v"
	mkdir -p "$outdir" "$tmp/go$v"
	echo "make-corpus: go$v: $("$gobin" version)"
	for p in $programs; do
		bin="$tmp/go$v/$p"
		trace="$outdir/$p.trace"
		GO_VERSIONS="" GOEXPERIMENT="" SECOND_OUTPUT="" CAPTURE="" CGO=""
		# shellcheck source=/dev/null
		[ -f "$here/$p/corpus.env" ] && . "$here/$p/corpus.env"
		if [ -n "$GO_VERSIONS" ] && [[ " $GO_VERSIONS " != *" $v "* ]]; then
			continue
		fi
		# Build from inside the temp dir so no go.mod/go.work of the
		# repo (or its parents) is picked up.
		if ! (cd "$tmp" && GOEXPERIMENT="$GOEXPERIMENT" CGO_ENABLED="${CGO:-0}" "$gobin" build -trimpath -o "$bin" "$here/$p/main.go"); then
			echo "make-corpus: go$v: BUILD FAILED: $p" >&2
			failed=1
			continue
		fi
		second=()
		[ -n "$SECOND_OUTPUT" ] && second=("$outdir/$p.$SECOND_OUTPUT")
		collect=()
		[ -n "$CAPTURE" ] && collect=("${GTANALYZE:-$repo/build/release/gtanalyze}" collect -o "$outdir/$p.cap" --)
		rm -f "$trace.tmp"
		if ! (cd "$tmp" && GOMAXPROCS=2 "${collect[@]}" "$bin" "$trace.tmp" "${second[@]}"); then
			echo "make-corpus: go$v: RUN FAILED: $p" >&2
			rm -f "$trace.tmp"
			failed=1
			continue
		fi
		size=$(wc -c <"$trace.tmp")
		if [ "$size" -gt "$MAX_BYTES" ]; then
			echo "make-corpus: go$v: TRACE TOO BIG: $p: $size bytes > $MAX_BYTES" >&2
			rm -f "$trace.tmp"
			failed=1
			continue
		fi
		mv -f "$trace.tmp" "$trace"
		built=$((built + 1))
		printf 'make-corpus: go%s: %-12s %8d bytes  %s\n' "$v" "$p" "$size" \
			"$(head -c 16 "$trace" | tr -c '[:print:]' ' ' | sed 's/ *$//')"
	done
done

if [ "$failed" -ne 0 ]; then
	echo "make-corpus: FAILED (see messages above)" >&2
	exit 1
fi
echo "make-corpus: wrote $built traces under $out_root"

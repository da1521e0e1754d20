#!/usr/bin/env bash
# Regenerates the Go 1.22+ parser goldens in tests/golden/v2 with Go's own tools:
#   go-testdata/NAME.trace        Go's .test cases converted by Go's raw.TextReader + raw.Writer
#                                 (tools/reference/text2traceref, built by tools/reference/build.sh)
#   go-testdata/NAME.parsed.zst   `go tool trace -d=parsed` of those binaries (stdout only)
#   go1.NN/NAME.parsed.zst        `go tool trace -d=parsed` of corpus/go1.NN/NAME.trace
# Dumps are made with TZ=UTC (Sync events print wall-clock times) and compressed with zstd -19.
# Usage: tools/golden/make-v2-goldens.sh [GO_ROOT]   (default /usr/lib/go-1.26)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
goroot=${1:-/usr/lib/go-1.26}
go="$goroot/bin/go"
out="$repo/tests/golden/v2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC GOTOOLCHAIN=local GOFLAGS=-mod=vendor GOPROXY=off

# internal/trace/raw is internal to the Go tree: the reference converter is built inside a copy.
refbin=$(bash "$repo/tools/reference/build.sh" | tail -n 1)

dump() {  # dump TRACE OUT.zst: Go's parsed dump; failing traces keep what was printed
  "$go" tool trace -d=parsed "$1" > "$work/dump" 2> "$work/err" || true
  zstd -19 -q -f "$work/dump" -o "$2"
}

mkdir -p "$out/go-testdata"
for test in "$repo"/corpus/go-testdata/tests/*.test; do
  name=$(basename "$test" .test)
  "$refbin/text2traceref" "$test" "$out/go-testdata/$name.trace"
  dump "$out/go-testdata/$name.trace" "$out/go-testdata/$name.parsed.zst"
done

for dir in "$repo"/corpus/go1.2[2-9] "$repo"/corpus/go1.[3-9]*; do
  [[ -d $dir ]] || continue
  version=$(basename "$dir")
  mkdir -p "$out/$version"
  for trace in "$dir"/*.trace; do
    [[ -e $trace ]] || continue
    dump "$trace" "$out/$version/$(basename "$trace" .trace).parsed.zst"
  done
done
du -sh "$out"

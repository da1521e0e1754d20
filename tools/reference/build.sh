#!/usr/bin/env bash
# Builds gtanalyze's reference programs inside private copies of Go source trees, where they may
# import internal/trace. Prints the directory holding the binaries on its last line.
#   tools/reference/build.sh [OUTDIR]     (default: $XDG_CACHE_HOME or ~/.cache /gtanalyze-ref)
#
# Go 1.26 tree, patched with tools/reference/patches/*.patch (its old-format map orders made
# deterministic: Ps, then goroutines existing at the start, by id ascending; ties in time stay
# its heap's, which gtanalyze copies):
#   gtaref         Go's parser and goroutine summariser → our JSON contract (tests/golden/json)
#   v1parsed       `go tool trace -d=parsed` of old-format traces (tests/golden/v1/parsed)
#   text2traceref  Go's raw text → binary trace converter (tests/golden/v2/go-testdata)
#   gotrace        Go's own cmd/trace (`go tool trace`), for -pprof=TYPE (tests/golden/pprof)
#   gopprof        Go's own cmd/pprof (`go tool pprof`, which Go 1.26 builds on every use otherwise)
# Go 1.19 tree, patched with tools/reference/patches-1.19/*.patch (the same tie order; 1.5/1.6
# traces read without their binary):
#   gtaref19       goroutines, final states, leaks for formats 1.5-1.10 (tests/golden/go119)
#   v1dump         `go tool trace -d` of old events (tests/golden/v1/old)
# Needs golang-1.26 and golang-1.19 (tools/install-deps.sh --go). The trees are never committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/gtanalyze-ref}
mkdir -p "$out/bin"

# build_in_tree GO_VERSION PATCH_DIR PROGRAM: copies /usr/lib/go-VERSION once per patch set,
# patches it, and builds tools/reference/PROGRAM as src/cmd/PROGRAM of that tree.
build_in_tree() {
  local version=$1 patches=$2 prog=$3
  local goroot=/usr/lib/go-$version tree=$out/go-$version stamp=$out/go-$version.stamp want
  [ -x "$goroot/bin/go" ] || { echo "build.sh: Go $version not installed (tools/install-deps.sh --go)" >&2; exit 2; }
  want=$( { cat "$patches"/*.patch 2>/dev/null || true; } | sha256sum | cut -c1-16)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x "$tree/bin/go" ]; then
    rm -f "$stamp"
    rm -rf "$tree"
    cp -rL "$goroot" "$tree"
    chmod -R u+w "$tree"
    for p in "$patches"/*.patch; do
      [ -f "$p" ] || continue
      patch -d "$tree" -p1 --quiet <"$p"
    done
    echo "$want" >"$stamp"
  fi
  rm -rf "$tree/src/cmd/$prog"
  cp -r "$here/$prog" "$tree/src/cmd/$prog"
  (cd "$tree/src" && GOROOT="$tree" GOTOOLCHAIN=local GO111MODULE=on GOFLAGS=-mod=vendor GOPROXY=off \
     "$tree/bin/go" build -o "$out/bin/$prog" "./cmd/$prog")
}

for prog in gtaref v1parsed text2traceref; do build_in_tree 1.26 "$here/patches" "$prog"; done
# cmd/trace and cmd/pprof are in the tree already: built from it as they are.
for prog in trace pprof; do
  (cd "$out/go-1.26/src" && GOROOT="$out/go-1.26" GOTOOLCHAIN=local GO111MODULE=on GOFLAGS=-mod=vendor GOPROXY=off \
     "$out/go-1.26/bin/go" build -o "$out/bin/go$prog" "./cmd/$prog")
done
for prog in gtaref19 v1dump; do build_in_tree 1.19 "$here/patches-1.19" "$prog"; done
echo "$out/bin"

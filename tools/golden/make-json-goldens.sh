#!/usr/bin/env bash
# Regenerates tests/golden/json/: the gtanalyze/v1 JSON that Go's own parser and summariser
# imply (tools/reference/gtaref: goroutines with their user regions, tasks, region and task
# statistics) for every corpus trace Go 1.26 reads (formats 1.11-1.26) and Go's 1.22+ test cases
# with annotations, tests/golden/json-leak-proof/ (the same with the goroutineleak profile of the
# run, for the traces that have one), and tests/golden/go119/: goroutines, final states and leak candidates that Go
# 1.19's parser implies for the formats only it reads (1.5-1.10). Old-format traces are read by
# Go 1.26 with the deterministic ordering patch (tools/reference/patches).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(bash tools/reference/build.sh | tail -n 1)
out=tests/golden/json
rm -rf "$out"
count=0
emit() {  # emit TRACE NAME
  mkdir -p "$(dirname "$out/$2")"
  "$bin/gtaref" "$1" >"$out/$2.json"
  count=$((count + 1))
}
for dir in corpus/go1.*; do
  for t in "$dir"/*.trace; do
    emit "$t" "$(basename "$dir")/$(basename "$t" .trace)"
  done
done
for t in corpus/go-testdata/v1/*_1_1[1-9]_good corpus/go-testdata/v1/*_1_2[0-9]_good; do
  [ -f "$t" ] && emit "$t" "go-testdata/$(basename "$t")"
done
# Go's 1.22+ test cases with user annotations, as binaries (tools/golden/make-v2-goldens.sh).
for n in go122-annotations go122-annotations-stress go122-task-across-generations; do
  emit "tests/golden/v2/go-testdata/$n.trace" "go-testdata-v2/$n"
done
# Traces with a goroutineleak profile of the same run beside them (tools/corpus/leakproof): the
# JSON of `gtanalyze TRACE --leak-proof PROFILE`, the profile read by Go's profile package.
proof=tests/golden/json-leak-proof
rm -rf "$proof"
for p in corpus/go1.*/*.goroutineleak.pb.gz; do
  [ -f "$p" ] || continue
  t=${p%.goroutineleak.pb.gz}.trace
  mkdir -p "$proof/$(basename "$(dirname "$t")")"
  "$bin/gtaref" -leak-profile "$p" "$t" >"$proof/$(basename "$(dirname "$t")")/$(basename "$t" .trace).json"
  count=$((count + 1))
done
# Formats Go 1.26 no longer reads (1.5-1.10): what Go 1.19's parser implies (tools/reference/gtaref19).
old=tests/golden/go119
rm -rf "$old"
mkdir -p "$old"
for t in corpus/go-testdata/v1/*_1_[5-9]_good corpus/go-testdata/v1/*_1_10_good corpus/derived/*_1_8_good; do
  "$bin/gtaref19" "$t" >"$old/$(basename "$t").json"
  count=$((count + 1))
done
echo "wrote $count goldens to $out and $old"

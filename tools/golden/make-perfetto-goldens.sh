#!/usr/bin/env bash
# Regenerates tests/golden/perfetto/: `gtanalyze perfetto`'s export of each trace in
# tests/golden/perfetto/cases.txt, decoded to protobuf text by protoc with
# tests/report/perfetto/trace.proto, so that any change to the timeline shows up as a reviewed
# diff. Check the export first (tests/report/perfetto/export_test.sh): a golden only pins it.
# A Go .test case is first converted to a binary trace by gtanalyze-text2trace.
#   tools/golden/make-perfetto-goldens.sh [GTANALYZE [TEXT2TRACE]]
#   (default build/release/gtanalyze and build/release/tools/text2trace/gtanalyze-text2trace;
#   protoc is $PROTOC, default protoc)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/release/gtanalyze}
text2trace=${2:-build/release/tools/text2trace/gtanalyze-text2trace}
protoc=${PROTOC:-protoc}
out=tests/golden/perfetto
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Each line: golden file, then the corpus trace (from the repository root).
while read -r name trace; do
  [ -n "$name" ] || continue
  if [[ $trace == *.test ]]; then
    "$text2trace" "$trace" "$tmp/trace"
    trace=$tmp/trace
  fi
  "$bin" perfetto "$trace" -o "$tmp/export.pftrace"
  "$protoc" --decode=perfetto.protos.Trace -I tests/report/perfetto trace.proto <"$tmp/export.pftrace" >"$out/$name"
  echo "$out/$name: $(wc -l <"$out/$name") lines"
done <"$out/cases.txt"

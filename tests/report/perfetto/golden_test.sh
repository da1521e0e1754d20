#!/usr/bin/env bash
# `gtanalyze perfetto`'s export of each trace in tests/golden/perfetto/cases.txt, decoded to text
# by protoc with trace.proto, must equal its golden file (tools/golden/make-perfetto-goldens.sh
# makes them). A Go .test case is first converted to a binary trace by TEXT2TRACE.
#   golden_test.sh GTANALYZE SOURCE_DIR TEXT2TRACE   (protoc is $PROTOC, default protoc)
set -u
bin=$1
cd "$2" || exit 2
text2trace=$3
protoc=${PROTOC:-protoc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
while read -r name trace; do
  [ -n "$name" ] || continue
  input=$trace
  if [[ $trace == *.test ]]; then
    input=$tmp/trace
    "$text2trace" "$trace" "$input" 2>"$tmp/err" || : >"$input"
  fi
  if "$bin" perfetto "$input" -o "$tmp/export.pftrace" 2>>"$tmp/err" &&
    "$protoc" --decode=perfetto.protos.Trace -I tests/report/perfetto trace.proto <"$tmp/export.pftrace" >"$tmp/text" &&
    diff -u "tests/golden/perfetto/$name" "$tmp/text" >"$tmp/diff"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name (gtanalyze perfetto $trace):"
    head -3 "$tmp/err"
    head -40 "$tmp/diff" 2>/dev/null
  fi
  rm -f "$tmp/err" "$tmp/diff"
done <tests/golden/perfetto/cases.txt
echo "perfetto goldens: $passed passed, $failed failed"
[ "$passed" != 0 ] && [ "$failed" = 0 ]

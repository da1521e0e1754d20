#!/usr/bin/env bash
# `gtanalyze perfetto` on every corpus trace (corpus/go1.*/*.trace, go-testdata/v1/*, the text-form
# go-testdata/tests/*.test, derived/*): each export must decode with protoc and trace.proto, and
# pass perfetto_check, including its agreement with `gtanalyze --json` on the same trace. A trace
# that `gtanalyze --json` rejects (some are bad on purpose, corpus/README.md) must be rejected by
# the export too: exit 2, one line on stderr. One line per trace; the failures listed at the end.
#   export_test.sh GTANALYZE PERFETTO_CHECK SOURCE_DIR   (protoc is $PROTOC, default protoc)
set -u
bin=$1
check=$2
src=$3
protoc=${PROTOC:-protoc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 2
passed=0
failed=()

fail() {  # fail TRACE WHAT
  failed+=("$1")
  echo "FAIL $1: $2"
}

# A trace the summary rejects: the export must fail the same way, without writing anything usable.
check_rejected() {
  "$bin" perfetto "$1" -o "$tmp/out.pftrace" >/dev/null 2>"$tmp/err"
  local code=$?
  if [ "$code" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ]; then
    passed=$((passed + 1))
    echo "ok   $1: rejected by both: $(cat "$tmp/err")"
  else
    fail "$1" "--json rejects it but perfetto exits $code with: $(head -3 "$tmp/err")"
  fi
}

check_trace() {
  local trace=$1
  rm -f "$tmp/out.pftrace"
  # The summary is kept in a file, not read from <(...), as its exit status decides what to expect.
  if ! "$bin" --json "$trace" >"$tmp/summary.json" 2>/dev/null; then
    check_rejected "$trace"
    return
  fi
  if ! "$bin" perfetto "$trace" -o "$tmp/out.pftrace" 2>"$tmp/err"; then
    fail "$trace" "gtanalyze perfetto failed: $(head -3 "$tmp/err")"
    return
  fi
  if ! "$protoc" --decode=perfetto.protos.Trace -I tests/report/perfetto trace.proto \
    <"$tmp/out.pftrace" >/dev/null 2>"$tmp/err"; then
    fail "$trace" "protoc cannot decode the export: $(head -3 "$tmp/err")"
    return
  fi
  if "$check" "$tmp/out.pftrace" --json "$tmp/summary.json" >"$tmp/out" 2>"$tmp/err"; then
    passed=$((passed + 1))
    echo "ok   $trace: $(sed "s|^perfetto_check: $tmp/out.pftrace: ||" "$tmp/out")"
  else
    fail "$trace" "$(sed "s|^perfetto_check: $tmp/out.pftrace: ||" "$tmp/err")"
  fi
}

for trace in corpus/go1.*/*.trace corpus/go-testdata/v1/* corpus/go-testdata/tests/*.test corpus/derived/*; do
  check_trace "$trace"
done

echo "perfetto export: $passed passed, ${#failed[@]} failed"
if [ "${#failed[@]}" != 0 ]; then
  printf '  failed: %s\n' "${failed[@]}"
  exit 1
fi

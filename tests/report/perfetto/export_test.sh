#!/usr/bin/env bash
# `gtanalyze perfetto` on every corpus trace (corpus/go1.*/*.trace, go-testdata/v1/*, the text-form
# go-testdata/tests/*.test, derived/*): each export must decode with protoc and trace.proto, and
# pass perfetto_check, including its agreement with `gtanalyze --json` on the same trace. A trace
# that `gtanalyze --json` rejects (some are bad on purpose, corpus/README.md) must be rejected by
# the export too: exit 2, one line on stderr. One line per trace; the failures listed at the end.
# gtanalyze reads binary traces only, so each .test case is first converted by TEXT2TRACE
# (gtanalyze-text2trace, as tests/parser/v2 does), and its two FAILURE cases are among the rejected.
#   export_test.sh GTANALYZE PERFETTO_CHECK SOURCE_DIR TEXT2TRACE [subset]   (protoc is $PROTOC,
#   default protoc). `subset`: of our own corpus traces, only Go 1.19's and 1.26's (one per format).
set -u
bin=$1
check=$2
src=$3
text2trace=$4
subset=${5:-}
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

# A trace the summary rejects (NAME, as FILE): the export must be rejected too, the same way.
check_rejected() {
  "$bin" perfetto "$2" -o "$tmp/out.pftrace" >/dev/null 2>"$tmp/err"
  local code=$?
  if [ "$code" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ]; then
    passed=$((passed + 1))
    echo "ok   $1: rejected by both: $(sed "s|$tmp/||" "$tmp/err")"
  else
    fail "$1" "--json rejects it but perfetto exits $code with: $(head -3 "$tmp/err")"
  fi
}

check_trace() {  # check_trace NAME FILE: the corpus trace NAME, read from FILE
  local trace=$1 file=$2
  rm -f "$tmp/out.pftrace"
  # The summary is kept in a file, not read from <(...), as its exit status decides what to expect.
  if ! "$bin" --json "$file" >"$tmp/summary.json" 2>/dev/null; then
    check_rejected "$trace" "$file"
    return
  fi
  if ! "$bin" perfetto "$file" -o "$tmp/out.pftrace" 2>"$tmp/err"; then
    fail "$trace" "gtanalyze perfetto failed: $(head -3 "$tmp/err")"
    return
  fi
  # protoc only logs a string that is not UTF-8, and goes on: anything on its stderr fails.
  if ! "$protoc" --decode=perfetto.protos.Trace -I tests/report/perfetto trace.proto \
    <"$tmp/out.pftrace" >/dev/null 2>"$tmp/err" || [ -s "$tmp/err" ]; then
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

ours=(corpus/go1.*/*.trace)
[ "$subset" = subset ] && ours=(corpus/go1.19/*.trace corpus/go1.26/*.trace)
for trace in "${ours[@]}" corpus/go-testdata/v1/* corpus/derived/*; do
  check_trace "$trace" "$trace"
done
# check_text_case TEST: a .test case, converted to a binary trace, as check_trace.
check_text_case() {
  if "$text2trace" "$1" "$tmp/test.trace" 2>"$tmp/err"; then
    check_trace "$1" "$tmp/test.trace"
  else
    fail "$1" "gtanalyze-text2trace cannot convert it: $(head -3 "$tmp/err")"
  fi
}
for test in corpus/go-testdata/tests/*.test; do
  check_text_case "$test"
done

# check_part NAME FILE [OPTION...]: the export of FILE with the options passes perfetto_check's
# structure checks (no agreement with --json: a part of a trace is exception 4).
check_part() {
  local name=$1 file=$2
  shift 2
  if "$bin" perfetto "$file" -o "$tmp/part.pftrace" "$@" 2>"$tmp/err" &&
    "$check" "$tmp/part.pftrace" >"$tmp/out" 2>>"$tmp/err"; then
    passed=$((passed + 1))
    echo "ok   $name $*: $(sed "s|^perfetto_check: $tmp/part.pftrace: ||" "$tmp/out")"
  else
    fail "$name $*" "$(head -3 "$tmp/err")"
  fi
}

# A part of a trace: a window that cuts slices open at both edges, and goroutine filters that
# leave flows with one end out.
part=corpus/go1.26/chans.trace
check_part "$part" "$part" --from 200us --to 600us
check_part "$part" "$part" --goroutine 1 --goroutine 6
check_part "$part" "$part" --group '^main\.' --from 500us
# Tasks named among their own ancestors (Go's parser accepts them, its runtime never writes them;
# the export recursed until the stack overflowed): a task its own parent, drawn whole, and two
# tasks each the other's parent, drawn from --from so that their tracks are described together.
for test in task-own-parent task-parent-cycle; do
  "$text2trace" "tests/report/perfetto/$test.test" "$tmp/$test.trace" 2>"$tmp/err" ||
    fail "$test.test" "gtanalyze-text2trace cannot convert it: $(head -3 "$tmp/err")"
done
check_part task-own-parent.test "$tmp/task-own-parent.trace"
check_part task-parent-cycle.test "$tmp/task-parent-cycle.trace" --from 10us
# A task that ends before it begins (Go: a negative duration) is drawn once, from the start.
check_text_case tests/report/perfetto/task-end-before-begin.test
# Names that are not UTF-8 (a start function, a file, a wait reason): protobuf strings must be, and
# they are replaced as --json replaces them, so the slices still agree with it.
check_text_case tests/report/perfetto/invalid-utf8.test
# The window really is one: nothing drawn before --from or after --to.
"$bin" perfetto "$part" -o "$tmp/all.pftrace" && "$bin" perfetto "$part" -o "$tmp/part.pftrace" --from 200us --to 600us
if [ "$(stat -c %s "$tmp/part.pftrace")" -ge "$(stat -c %s "$tmp/all.pftrace")" ]; then
  fail "$part --from 200us --to 600us" "the window's export is not smaller than the whole trace's"
fi

echo "perfetto export: $passed passed, ${#failed[@]} failed"
if [ "${#failed[@]}" != 0 ]; then
  printf '  failed: %s\n' "${failed[@]}"
  exit 1
fi

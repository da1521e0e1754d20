#!/usr/bin/env bash
# `gtanalyze pprof` as a command: a real pprof client reads its files, standard input works like a
# file, the output is the same bytes every time, and bad input gives one line and exit 2.
#   cli_test.sh GTANALYZE PPROF_CANON TEXT2TRACE SOURCE_DIR
# Go's pprof is $GO (default /usr/lib/go-1.26/bin/go) `tool pprof`; without it those checks are
# skipped, said so on the output.
set -u
bin=$1
canon=$2
text2trace=$3
cd "$4" || exit 2
go=${GO:-/usr/lib/go-1.26/bin/go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
ok() { echo "ok   $1"; }
bad() {
  echo "FAIL $1"
  failed=$((failed + 1))
}
# expect_refusal WHAT PATTERN COMMAND...: exit 2 and one line on stderr matching PATTERN.
expect_refusal() {
  local what=$1 pattern=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$?
  if [ "$code" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q -- "$pattern" "$tmp/err"; then
    ok "$what: $(cat "$tmp/err")"
  else
    bad "$what: exit $code, stderr: $(head -3 "$tmp/err")"
  fi
}

trace=corpus/go1.26/chans.trace
# The same trace gives the same bytes, from a file or from standard input (spooled for two passes).
"$bin" pprof --type sync "$trace" -o "$tmp/a.pb.gz" &&
  "$bin" pprof --type sync "$trace" -o "$tmp/b.pb.gz" &&
  "$bin" pprof --type sync - <"$trace" >"$tmp/c.pb.gz"
if cmp -s "$tmp/a.pb.gz" "$tmp/b.pb.gz" && cmp -s "$tmp/a.pb.gz" "$tmp/c.pb.gz" && [ -s "$tmp/a.pb.gz" ]; then
  ok "deterministic: two runs and standard input give the same $(wc -c <"$tmp/a.pb.gz") bytes"
else
  bad "deterministic: the three profiles of $trace differ (or are empty)"
fi

# A real client: Go's pprof reads our file, and its -raw view gives the text pprof_canon gives.
if [ -x "$go" ]; then
  if "$go" tool pprof -top "$tmp/a.pb.gz" >"$tmp/top" 2>"$tmp/err" && grep -q 'runtime.chansend1' "$tmp/top"; then
    ok "go tool pprof -top reads it: $(grep -m1 'Showing nodes' "$tmp/top")"
  else
    bad "go tool pprof -top: $(head -3 "$tmp/err")"
  fi
  "$go" tool pprof -raw "$tmp/a.pb.gz" 2>/dev/null | python3 tools/golden/pprof-raw-canon.py >"$tmp/go.txt"
  gzip -dc "$tmp/a.pb.gz" | "$canon" >"$tmp/ours.txt"
  if [ -s "$tmp/ours.txt" ] && diff -u "$tmp/go.txt" "$tmp/ours.txt" >"$tmp/diff"; then
    ok "go tool pprof -raw and pprof_canon read the same $(wc -l <"$tmp/ours.txt") samples"
  else
    bad "go tool pprof -raw and pprof_canon disagree: $(head -20 "$tmp/diff")"
  fi
else
  echo "SKIP go tool pprof checks: no $go"
fi

# A trace whose events have no stacks: samples of empty stacks, not an error.
"$text2trace" corpus/go-testdata/tests/go122-syscall-steal-proc-simple.test "$tmp/nostack.trace"
if "$bin" pprof --type syscall "$tmp/nostack.trace" -o "$tmp/nostack.pb.gz" 2>"$tmp/err" &&
  gzip -dc "$tmp/nostack.pb.gz" | "$canon" >"$tmp/nostack.txt" && grep -qx '[0-9]* [0-9]*: ' "$tmp/nostack.txt"; then
  ok "no stacks: $(cat "$tmp/nostack.txt")"
else
  bad "no stacks: $(head -3 "$tmp/err" "$tmp/nostack.txt")"
fi

# Bad input and bad requests.
head -c 3000 "$trace" >"$tmp/broken.trace"
expect_refusal "a broken trace" 'offset [0-9]' "$bin" pprof --type sched "$tmp/broken.trace" -o "$tmp/x.pb.gz"
expect_refusal "a broken trace on standard input" '^gtanalyze: -: ' \
  sh -c "\"$bin\" pprof --type sched - -o \"$tmp/x.pb.gz\" <\"$tmp/broken.trace\""
expect_refusal "no goroutine of that name" "no goroutine named 'main.nosuch'" \
  "$bin" pprof --type sync --goroutine-name main.nosuch "$trace" -o "$tmp/x.pb.gz"
"$text2trace" corpus/go-testdata/tests/go123-sync.test "$tmp/nogoroutines.trace"
expect_refusal "a trace without goroutines" 'no goroutines' "$bin" pprof --type net "$tmp/nogoroutines.trace" -o "$tmp/x.pb.gz"
expect_refusal "--region with --goroutine-name" 'excludes' \
  "$bin" pprof --type sync --region r --goroutine-name main.main "$trace" -o "$tmp/x.pb.gz"
# Regions of a trace without goroutines: as Go, an empty profile, not a refusal.
if "$bin" pprof --type net --region r "$tmp/nogoroutines.trace" -o "$tmp/x.pb.gz" 2>"$tmp/err" &&
  [ -z "$(gzip -dc "$tmp/x.pb.gz" | "$canon")" ]; then
  ok "--region in a trace without goroutines: an empty profile"
else
  bad "--region in a trace without goroutines: $(head -3 "$tmp/err")"
fi
# ... with a warning, so that a mistyped region type is not taken for a region that never waited.
if grep -q "warning: no region of type 'r': the profile is empty" "$tmp/err"; then
  ok "--region of no region: a warning"
else
  bad "--region of no region: no warning: $(head -3 "$tmp/err")"
fi
expect_refusal "an unknown type" 'type' "$bin" pprof --type cpu "$trace" -o "$tmp/x.pb.gz"
expect_refusal "no type" 'type' "$bin" pprof "$trace" -o "$tmp/x.pb.gz"

echo "pprof command: $failed failed"
[ "$failed" = 0 ]

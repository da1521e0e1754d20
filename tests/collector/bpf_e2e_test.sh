#!/usr/bin/env bash
# End-to-end collector test: the test program, built with every installed Go (plain and
# stripped), runs under `collect` while it writes its own trace; `crosscheck` must agree on every
# goroutine with zero drops. Then `--pid` attaches to a running process.
# Usage: bpf_e2e_test.sh GTANALYZE SOURCE_DIR
# Exit 77 (skip) without root/BPF unless GTANALYZE_REQUIRE_BPF=1.
set -uo pipefail
gtanalyze=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN=local GOFLAGS=
export GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/gtanalyze-go-cache}

skip() {
  if [ "${GTANALYZE_REQUIRE_BPF:-0}" = 1 ]; then
    echo "FAIL: BPF required (GTANALYZE_REQUIRE_BPF=1) but unavailable: $1" >&2
    exit 1
  fi
  echo "SKIP: $1" >&2
  exit 77
}
[ "$(id -u)" = 0 ] || skip "not root: BPF uprobes need root"

fail=0
ran=0
for minor in 19 21 22 23 24 25 26; do
  go=/usr/lib/go-1.$minor/bin/go
  if [ ! -x "$go" ]; then
    echo "skip go1.$minor: toolchain not installed ($go)"
    continue
  fi
  for kind in plain stripped; do
    flags=()
    [ "$kind" = stripped ] && flags=(-ldflags=-s\ -w)
    bin=$work/tp$minor-$kind
    if ! "$go" build "${flags[@]}" -o "$bin" "$src/tools/collector/testprog/main.go" 2>"$bin.log"; then
      echo "FAIL go1.$minor $kind: build failed"; cat "$bin.log"; fail=1; continue
    fi
    "$gtanalyze" collect -o "$bin.cap" -- "$bin" "$bin.trace" 2>"$bin.collect.log"
    rc=$?
    if [ $rc = 77 ]; then cat "$bin.collect.log" >&2; skip "BPF unavailable"; fi
    if [ $rc != 0 ]; then echo "FAIL go1.$minor $kind: collect exit $rc"; cat "$bin.collect.log"; fail=1; continue; fi
    if ! grep -q ' 0 dropped' "$bin.collect.log"; then echo "FAIL go1.$minor $kind: drops"; cat "$bin.collect.log"; fail=1; fi
    if ! grep -q 'target exited with status 0' "$bin.collect.log"; then echo "FAIL go1.$minor $kind: target failed"; cat "$bin.collect.log"; fail=1; fi
    "$gtanalyze" crosscheck "$bin.trace" "$bin.cap" >"$bin.cross" 2>&1
    rc=$?
    ran=$((ran + 1))
    if [ $rc != 0 ]; then
      echo "FAIL go1.$minor $kind: crosscheck exit $rc"; cat "$bin.cross"; fail=1
    else
      echo "ok   go1.$minor $kind: $(grep -E '^goroutines' "$bin.cross" | tr -s ' ')"
    fi
    "$gtanalyze" "$bin.cap" --json >/dev/null || { echo "FAIL go1.$minor $kind: summary"; fail=1; }
  done
done
[ $ran -gt 0 ] || skip "no Go toolchain installed"

# --pid: attach to a running process; its existing goroutines come from runtime.allgs.
go=""
for minor in 26 25 24 23 22 21 19; do [ -x /usr/lib/go-1.$minor/bin/go ] && { go=/usr/lib/go-1.$minor/bin/go; break; }; done
cat >"$work/long.go" <<'GO'
package main

import (
	"os"
	"time"
)

func ticker(d time.Duration) {
	for {
		time.Sleep(d)
	}
}

func main() {
	go ticker(time.Millisecond)
	go func() { select {} }()
	os.Stdout.WriteString("ready\n")
	time.Sleep(time.Minute) // killed once the capture is done, however long attaching took
}
GO
"$go" build -o "$work/long" "$work/long.go" || { echo "FAIL: build long"; exit 1; }
"$work/long" >"$work/long.out" &
lpid=$!
for _ in $(seq 200); do grep -q ready "$work/long.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$work/long.out" || { echo "FAIL --pid: the target never became ready"; kill $lpid; exit 1; }
"$gtanalyze" collect -o "$work/long.cap" --pid $lpid --duration 0.5 2>"$work/long.log"
rc=$?
kill $lpid
wait $lpid 2>/dev/null
if [ $rc != 0 ]; then echo "FAIL --pid: exit $rc"; cat "$work/long.log"; fail=1; else
  "$gtanalyze" "$work/long.cap" --color=never >"$work/long.sum" || { echo "FAIL --pid summary"; fail=1; }
  if grep -q 'main.ticker' "$work/long.sum"; then
    echo "ok   --pid: $(grep -E '^goroutines' "$work/long.sum" | tr -s ' ')"
  else
    echo "FAIL --pid: main.ticker not in the summary"; cat "$work/long.sum"; fail=1
  fi
fi
exit $fail

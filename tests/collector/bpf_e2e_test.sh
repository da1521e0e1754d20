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
    # Built without GOEXPERIMENT=goroutineleakprofile, no goroutine is ever marked leaked.
    if grep -q '^GC-proven leaks' "$bin.cross"; then echo "FAIL go1.$minor $kind: GC-proven leaks without the experiment"; fail=1; fi
    "$gtanalyze" "$bin.cap" --json >/dev/null || { echo "FAIL go1.$minor $kind: summary"; fail=1; }
  done
done
[ $ran -gt 0 ] || skip "no Go toolchain installed"

# Two runs of one program: a Go 1.22+ trace and the capture share CLOCK_MONOTONIC, so the trace
# of one run with the capture of the other is inconclusive (exit 3), not an agreement or a DIFFER.
for minor in 26 25 24 23 22; do
  a=$work/tp$minor-plain b=$work/tp$minor-stripped
  [ -f "$a.trace" ] && [ -f "$b.cap" ] || continue
  "$gtanalyze" crosscheck "$a.trace" "$b.cap" >"$a.other" 2>&1
  rc=$?
  if [ $rc = 3 ] && grep -q '^crosscheck: INCONCLUSIVE: .*not the same run' "$a.other"; then
    echo "ok   go1.$minor: another run's capture is inconclusive"
  else
    echo "FAIL go1.$minor: the trace of one run with the capture of another: exit $rc"; cat "$a.other"; fail=1
  fi
  break
done

# Go 1.26's leak-detecting GC (tools/corpus/leakproof): the capture sees the goroutines the GC
# marks leaked, and proves exactly those of the run's goroutineleak profile; crosscheck agrees.
if [ -x /usr/lib/go-1.26/bin/go ]; then
  lp=$work/leakproof
  if ! GOEXPERIMENT=goroutineleakprofile /usr/lib/go-1.26/bin/go build -o "$lp" "$src/tools/corpus/leakproof/main.go" 2>"$lp.log"; then
    echo "FAIL leakproof: build failed"; cat "$lp.log"; fail=1
  else
    "$gtanalyze" collect -o "$lp.cap" -- "$lp" "$lp.trace" "$lp.pb.gz" 2>"$lp.collect.log" || { echo "FAIL leakproof: collect"; cat "$lp.collect.log"; fail=1; }
    "$gtanalyze" crosscheck "$lp.trace" "$lp.cap" >"$lp.cross" 2>&1
    rc=$?
    "$gtanalyze" "$lp.trace" --leak-proof "$lp.pb.gz" --json -o "$lp.profile.json" &&
      "$gtanalyze" "$lp.trace" --leak-proof "$lp.cap" --json -o "$lp.capture.json" &&
      "$gtanalyze" "$lp.cap" --json -o "$lp.own.json" || { echo "FAIL leakproof: summaries"; fail=1; }
    if ! verdict=$(python3 - "$lp.profile.json" "$lp.capture.json" "$lp.own.json" "$lp.cross" <<'PY'
import json, re, sys
profile, capture, own = (json.load(open(p)) for p in sys.argv[1:4])
cross = open(sys.argv[4]).read()
assert profile["trace"]["leak_proof"] == "profile" and capture["trace"]["leak_proof"] == "capture", "leak_proof"
assert own["trace"]["leak_proof"] == "capture", "a capture proves its own leaks"
by_id = {c["id"]: c["proven"] for c in capture["leak_candidates"]}
listed = sum(g["proven"] for g in profile["leak_groups"])  # the goroutines the profile lists
for c in profile["leak_candidates"]:
    if c["proven"] is not None:
        assert by_id[c["id"]] == c["proven"], f"g{c['id']}: profile {c['proven']}, capture {by_id[c['id']]}"
for g in profile["leak_groups"]:
    if g["undecided"]:
        got = sum(1 for i in g["ids"] if by_id[i])
        assert got == g["undecided"]["proven"], f"{g['name']}: capture proves {got} of the profile's undecided"
proven = sum(1 for v in by_id.values() if v)
assert proven == listed == 11, f"capture proves {proven}, the profile lists {listed}"
assert sum(1 for c in own["leak_candidates"] if c["proven"]) == 11, "the capture's own summary"
assert re.search(r"^GC-proven leaks +11/11 +agree", cross, re.M), "crosscheck's GC-proven leaks"
print(f"{proven} proven by both, {len(by_id) - proven} not")
PY
    ) || [ $rc != 0 ]; then
      echo "FAIL leakproof: $verdict (crosscheck exit $rc)"; cat "$lp.cross"; fail=1
    else
      echo "ok   leakproof: $verdict; crosscheck agrees"
    fi
  fi
fi

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
"$gtanalyze" collect -o "$work/long.cap" --pid $lpid --duration 500ms 2>"$work/long.log"
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
# A Go program without execute permission: refused before anything is attached (it ran, printed
# the exec's failure, exited 0 and wrote an empty capture).
cp "$work/long" "$work/long-noexec" && chmod a-x "$work/long-noexec"
"$gtanalyze" collect -o "$work/noexec.cap" -- "$work/long-noexec" >"$work/noexec.out" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "long-noexec: cannot run it: Permission denied" "$work/noexec.out" && [ ! -e "$work/noexec.cap" ]; then
  echo "ok   a program without execute permission: exit 2 and the reason"
else
  echo "FAIL a program without execute permission: exit $rc"; cat "$work/noexec.out"; fail=1
fi
# A PIE that exits within milliseconds, before the collector first looks at /proc (its load
# bias was read there, too late: every function "(unknown)", and no warning): names resolve.
cat >"$work/brief.go" <<'GO'
package main

import (
	"os"
	"runtime/trace"
)

func main() {
	f, _ := os.Create(os.Args[1])
	trace.Start(f)
	done := make(chan bool)
	go func() { done <- true }()
	<-done
	trace.Stop()
	f.Close()
}
GO
"$go" build -buildmode=pie -ldflags='-s -w' -o "$work/brief" "$work/brief.go" || { echo "FAIL: build brief"; exit 1; }
"$gtanalyze" collect -o "$work/brief.cap" -- "$work/brief" "$work/brief.trace" 2>"$work/brief.log"
rc=$?
"$gtanalyze" crosscheck "$work/brief.trace" "$work/brief.cap" >"$work/brief.cross" 2>&1
xrc=$?
"$gtanalyze" "$work/brief.cap" --color=never >"$work/brief.sum" 2>&1
if [ $rc = 0 ] && [ $xrc = 0 ] && grep -q '^  main.main.func1 ' "$work/brief.sum" && grep -q '^warnings  *none' "$work/brief.sum"; then
  echo "ok   a brief PIE: its functions named"
else
  echo "FAIL a brief PIE: collect exit $rc, crosscheck exit $xrc"; cat "$work/brief.log" "$work/brief.cross" "$work/brief.sum"; fail=1
fi
# A target that execs itself (same pid, same file: a graceful restart): the probes fire again in
# the new image, whose goroutines start over; the capture went on into it with nothing to say so,
# and crosscheck of the first image's trace disagreed. It ends at the exec, and says so.
cat >"$work/reexec.go" <<'GO'
package main

import (
	"os"
	"runtime/trace"
	"sync"
	"syscall"
)

func work(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
}

func main() {
	if os.Getenv("REEXEC") == "" {
		f, _ := os.Create(os.Args[1])
		trace.Start(f)
		work(20)
		trace.Stop()
		f.Close()
		os.Setenv("REEXEC", "1")
		exe, _ := os.Executable()
		syscall.Exec(exe, os.Args, os.Environ())
	}
	work(200)
}
GO
"$go" build -o "$work/reexec" "$work/reexec.go" || { echo "FAIL: build reexec"; exit 1; }
"$gtanalyze" collect -o "$work/reexec.cap" -- "$work/reexec" "$work/reexec.trace" 2>"$work/reexec.log"
rc=$?
"$gtanalyze" crosscheck "$work/reexec.trace" "$work/reexec.cap" >"$work/reexec.cross" 2>&1
xrc=$?
"$gtanalyze" "$work/reexec.cap" --color=never >"$work/reexec.sum" 2>&1
if [ $rc = 0 ] && [ $xrc = 0 ] && grep -q "exec'd a new program: the capture ends there" "$work/reexec.log" &&
  grep -q "^  - the target exec'd a new program .* ms into the capture, which ends there" "$work/reexec.sum"; then
  echo "ok   a target that execs itself: the capture ends at the exec"
else
  echo "FAIL a target that execs itself: collect exit $rc, crosscheck exit $xrc"; cat "$work/reexec.log" "$work/reexec.cross" "$work/reexec.sum"; fail=1
fi
# SIGINT, SIGTERM and SIGHUP (a closed terminal) each end the capture, not the collector: exit 0,
# the target left running, and a capture with its trailer (SIGHUP killed collect: exit 129).
for sig in INT TERM HUP; do
  "$gtanalyze" collect -o "$work/sig$sig.cap" -- "$work/long" >"$work/sig$sig.out" 2>"$work/sig$sig.log" &
  cpid=$!
  for _ in $(seq 200); do grep -q ready "$work/sig$sig.out" 2>/dev/null && break; sleep 0.05; done
  kill -$sig $cpid
  wait $cpid
  rc=$?
  tpid=$(sed -n 's/.*capturing pid \([0-9]*\) .*/\1/p' "$work/sig$sig.log")
  [ -n "$tpid" ] && kill "$tpid"
  "$gtanalyze" "$work/sig$sig.cap" --color=never >"$work/sig$sig.sum" 2>&1
  if [ $rc = 0 ] && grep -q 'still running; detached' "$work/sig$sig.log" && grep -q '^warnings  *none' "$work/sig$sig.sum"; then
    echo "ok   SIG$sig: the capture ends whole"
  else
    echo "FAIL SIG$sig: collect exit $rc"; cat "$work/sig$sig.log" "$work/sig$sig.sum"; fail=1
  fi
done
# A full disk: the error says why (it said "write failed") and leaves no half capture (one was
# left, which read as a collector killed mid-run).
mkdir -p "$work/tiny"
if mount -t tmpfs -o size=4k tmpfs "$work/tiny" 2>/dev/null; then
  "$gtanalyze" collect -o "$work/tiny/full.cap" -- "$work/brief" "$work/full.trace" 2>"$work/full.log"
  rc=$?
  if [ $rc = 2 ] && grep -q "full\.cap: write failed: No space left on device$" "$work/full.log" && [ ! -e "$work/tiny/full.cap" ]; then
    echo "ok   a full disk: the reason, and no half capture"
  else
    echo "FAIL a full disk: collect exit $rc"; cat "$work/full.log"; ls -la "$work/tiny"; fail=1
  fi
  umount "$work/tiny"
fi
# ... but a device is not a half capture: /dev/full, which tests a full disk, stays.
"$gtanalyze" collect -o /dev/full -- "$work/brief" "$work/full.trace" 2>"$work/devfull.log"
rc=$?
if [ $rc = 2 ] && grep -q "/dev/full: write failed: No space left on device$" "$work/devfull.log" && [ -c /dev/full ]; then
  echo "ok   -o /dev/full: the reason, and the device stays"
else
  echo "FAIL -o /dev/full: collect exit $rc"; cat "$work/devfull.log"; ls -la /dev/full; fail=1
fi
exit $fail

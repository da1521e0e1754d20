#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time on its
# seeds: the corpus traces, Go's FuzzReader corpus and every past finding (tests/fuzz/regressions).
#   tests/fuzz/run-fuzzers.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s, all four)
# Environment: FUZZ_BUILD_DIR (default build/fuzz), FUZZ_JOBS (targets run at once, default 1).
# A finding (crash, timeout > 10 s, > 2 GB of memory or one allocation > 256 MB, UB) fails the script; the input is left in
# $FUZZ_BUILD_DIR/findings/<target>/ — fix the bug, then add the file to tests/fuzz/regressions/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(old_format generational text pipeline)
build=${FUZZ_BUILD_DIR:-build/fuzz}
jobs=${FUZZ_JOBS:-1}

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGTANALYZE_FUZZ=ON \
  -DGTANALYZE_TESTS=OFF -DGTANALYZE_COLLECTOR=OFF -DGTANALYZE_WERROR=OFF ${FUZZ_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

# Go's corpus files hold a Go-quoted []byte literal: extract the bytes.
seeds=$build/seeds
rm -rf "$seeds" && mkdir -p "$seeds/go-fuzz"
python3 - "$root/corpus/go-testdata/fuzz/FuzzReader" "$seeds/go-fuzz" <<'PY'
import os, sys
src, dst = sys.argv[1:3]
simple = {ord(k): v for k, v in zip('abfnrtv\\"\'', b'\a\b\f\n\r\t\v\\"\'')}
for name in sorted(os.listdir(src)):
    data = open(os.path.join(src, name), "rb").read()
    head = b'go test fuzz v1\n[]byte("'
    if not data.startswith(head):
        continue
    out, i = bytearray(), len(head)
    while data[i] != ord('"'):  # strconv.Quote: printable UTF-8 as is, escapes otherwise
        c = data[i]
        if c != ord('\\'):
            out.append(c); i += 1; continue
        e = data[i + 1]
        if e in simple:
            out.append(simple[e]); i += 2
        elif e == ord('x'):
            out.append(int(data[i + 2:i + 4], 16)); i += 4
        elif e in (ord('u'), ord('U')):
            n = 4 if e == ord('u') else 8
            out += chr(int(data[i + 2:i + 2 + n], 16)).encode(); i += 2 + n
        else:  # octal \NNN
            out.append(int(data[i + 1:i + 4], 8)); i += 4
    open(os.path.join(dst, name), "wb").write(bytes(out))
PY

seed_dirs() {
  case $1 in
    old_format) echo corpus/go1.19 corpus/go1.21 corpus/go-testdata/v1 ;;
    generational) echo "$seeds/go-fuzz" corpus/go1.22 corpus/go1.23 corpus/go1.25 corpus/go1.26 tests/golden/v2/go-testdata ;;
    text) echo corpus/go-testdata/tests ;;
    pipeline) echo "$seeds/go-fuzz" corpus/go1.21 corpus/go1.26 corpus/go-testdata/v1 ;;
  esac
}

run_one() {
  local t=$1 work=$build/corpus/$1 findings=$build/findings/$1 rc=0
  mkdir -p "$work" "$findings"
  # Seeds are cut to -max_len (8 KiB): small inputs keep the rate high; big traces add little.
  "$build/fuzz_$t" "$work" $(seed_dirs "$t") tests/fuzz/regressions/"$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 -max_len=${FUZZ_MAX_LEN:-8192} -print_final_stats=1 \
    -artifact_prefix="$findings/" >"$build/fuzz_$t.log" 2>&1 || rc=$?
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$build/fuzz_$t.log" | sed "s/^/$t: /" || true
  [ $rc -eq 0 ] || { echo "$t: FINDING (exit $rc), see $build/fuzz_$t.log and $findings/"; tail -40 "$build/fuzz_$t.log"; }
  return $rc
}

status=0
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status

#!/usr/bin/env bash
# Regenerates tests/golden/v1 from Go's own parsers (never from gtanalyze):
#   parsed/NAME.txt[.zst]  Go 1.26 `-d=parsed` text of every 1.11–1.21 corpus trace
#   old/NAME.txt[.zst]     Go 1.19 `-d` text (old events) of every 1.5–1.10 corpus trace
#                          (the only Go that reads them; later ones are covered by parsed/)
# Both references come from tools/reference/build.sh (tie order made deterministic).
# Goldens over 64 KiB are stored zstd-compressed (ByteSource reads them transparently).
# NAME: the go-testdata file name, or goVERSION-PROGRAM for corpus/goVERSION/PROGRAM.trace.
# Usage: make-v1-goldens.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
refbin=$(bash "$root/tools/reference/build.sh" | tail -n 1)
out="$root/tests/golden/v1"
rm -rf "$out/parsed" "$out/old"
mkdir -p "$out/parsed" "$out/old"

store() {  # store FILE: compress when large
  local f=$1
  if [ "$(stat -c %s "$f")" -gt 65536 ]; then zstd -q -19 --rm -f "$f"; fi
}

minor_of() { head -c 16 "$1" | sed -n 's/^go 1\.\([0-9]*\) trace.*/\1/p'; }

traces=()
for f in "$root"/corpus/go-testdata/v1/* "$root"/corpus/derived/*; do traces+=("$f"); done
for d in "$root"/corpus/go1.19 "$root"/corpus/go1.21; do
  for f in "$d"/*.trace; do [ -e "$f" ] && traces+=("$f"); done
done

for f in "${traces[@]}"; do
  case "$f" in
    */go-testdata/v1/* | */derived/*) name=$(basename "$f") ;;
    *) name="$(basename "$(dirname "$f")")-$(basename "$f" .trace)" ;;
  esac
  minor=$(minor_of "$f")
  if [ "$minor" -ge 11 ]; then
    "$refbin/v1parsed" "$f" > "$out/parsed/$name.txt"
    store "$out/parsed/$name.txt"
  fi
  if [ "$minor" -le 10 ]; then
    # Go 1.19 rejects traces whose time stamps are out of order (stress_1_5_unordered): no golden.
    if "$refbin/v1dump" "$f" > "$out/old/$name.txt" 2>/dev/null; then
      store "$out/old/$name.txt"
    else
      rm -f "$out/old/$name.txt"
    fi
  fi
done
echo "parsed: $(ls "$out/parsed" | wc -l) goldens, $(du -sh "$out/parsed" | cut -f1)"
echo "old:    $(ls "$out/old" | wc -l) goldens, $(du -sh "$out/old" | cut -f1)"

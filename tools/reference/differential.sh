#!/usr/bin/env bash
# Fresh traces against Go's reader: builds tools/bench/stress with every installed Go (1.19 and
# 1.21-1.26), writes traces of it with several seeds and GOMAXPROCS, and compares our --json with
# what Go 1.26's parser and summariser imply (gtaref), as data (gtaref's key order differs).
# The corpus goldens pin the corpus; this checks traces no test has seen.
#   tools/reference/differential.sh [--size 3M] [--seeds "1 2 3"] [--procs "1 3"] [--keep DIR]
# Prints one line per trace (same / DIFF and the first differences); exit 1 if any differs.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
size=3M seeds="1 2 3" procs="1 3" keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --procs) procs=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "usage: $0 [--size 3M] [--seeds \"1 2 3\"] [--procs \"1 3\"] [--keep DIR]" >&2; exit 2 ;;
  esac
done
gtanalyze=$root/build/release/gtanalyze
gtaref=$(bash "$root/tools/reference/build.sh" | tail -n 1)/gtaref
work=${keep:-$(mktemp -d)}
mkdir -p "$work"
same=0 differ=0
for minor in 19 21 22 23 24 25 26; do
  go=/usr/lib/go-1.$minor/bin/go
  [ -x "$go" ] || { echo "skip go1.$minor: not installed"; continue; }
  "$go" build -o "$work/stress$minor" "$root/tools/bench/stress/main.go" || { echo "FAIL go1.$minor: build"; differ=$((differ + 1)); continue; }
  for seed in $seeds; do
    for p in $procs; do
      t=$work/go1.$minor-seed$seed-procs$p.trace
      "$work/stress$minor" -size "$size" -procs "$p" -seed "$seed" "$t" 2>/dev/null || { echo "FAIL $t: stress"; differ=$((differ + 1)); continue; }
      "$gtanalyze" "$t" --json >"$t.ours.json" 2>"$t.ours.err"
      "$gtaref" "$t" >"$t.go.json" 2>"$t.go.err"
      if result=$(python3 - "$t.ours.json" "$t.go.json" <<'PY'
import json, sys
ours, go = (json.load(open(p)) for p in sys.argv[1:3])
out = []
def walk(a, b, path):
    if len(out) >= 3: return
    if type(a) != type(b) or (not isinstance(a, (dict, list)) and a != b):
        out.append(f"{path or '.'}: ours {json.dumps(a)[:80]}, Go {json.dumps(b)[:80]}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            walk(a.get(k), b.get(k), f"{path}.{k}")
    elif isinstance(a, list):
        if len(a) != len(b): out.append(f"{path}: {len(a)} items, Go {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)): walk(x, y, f"{path}[{i}]")
walk(ours, go, "")
print("; ".join(out))
sys.exit(1 if out else 0)
PY
      ); then
        echo "same $(basename "$t") ($(stat -c %s "$t") bytes)"; same=$((same + 1))
      else
        echo "DIFF $(basename "$t"): $result"; differ=$((differ + 1))
      fi
    done
  done
done
echo "differential: $same same, $differ differ (files in $work)"
[ "$differ" = 0 ]

#!/usr/bin/env bash
# Collector soak test: N rounds of `gtanalyze collect` + `gtanalyze crosscheck` on the
# tools/collector/soak program, each round with one (Go version, plain|stripped, workload).
#   tools/collector/soak.sh N [--gtanalyze PATH] [--keep DIR]
# Round i (from 1) takes combination i-1 modulo their number, in a fixed order that spreads the
# first rounds over every version, kind and workload (see combo below); N = the number of
# combinations (installed Go versions x 2 kinds x 8 workloads) covers each exactly once.
# The binaries are built once up front (stripped = -ldflags=-s -w). For every disagreement
# (crosscheck exit 1) or error (anything else, collect failures included) it prints a line with
# the first difference lines of the crosscheck output and keeps that round's trace, capture and
# output in the keep directory (default: a new directory under /tmp, printed at the end).
# Prints `soak: N rounds, A agree, D disagree, E errors`; exit 0 only if D = E = 0, 1 otherwise,
# 2 on a usage error, 77 if not root (the uprobes need root).
set -uo pipefail

usage() {
  echo "usage: $0 N [--gtanalyze PATH] [--keep DIR]" >&2
  exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gtanalyze=$root/build/release/gtanalyze
keep=""
n=""
while [ $# -gt 0 ]; do
  case "$1" in
    --gtanalyze) [ $# -ge 2 ] || usage; gtanalyze=$2; shift 2 ;;
    --gtanalyze=*) gtanalyze=${1#--gtanalyze=}; shift ;;
    --keep) [ $# -ge 2 ] || usage; keep=$2; shift 2 ;;
    --keep=*) keep=${1#--keep=}; shift ;;
    -h|--help) usage ;;
    -*) echo "unknown option: $1" >&2; usage ;;
    *) [ -z "$n" ] || usage; n=$1; shift ;;
  esac
done
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || usage
[ -x "$gtanalyze" ] || { echo "soak: gtanalyze not found or not executable: $gtanalyze" >&2; exit 2; }
if [ "$(id -u)" != 0 ]; then
  echo "soak: SKIP: not root (BPF uprobes need root)" >&2
  exit 77
fi

export GOTOOLCHAIN=local GOFLAGS=
export GOCACHE=${GOCACHE:-/tmp/gtanalyze-go-cache}

work=$(mktemp -d /tmp/gtanalyze-soak-work.XXXXXX)
trap 'rm -rf "$work"' EXIT
made_keep=0
if [ -z "$keep" ]; then
  keep=$(mktemp -d /tmp/gtanalyze-soak.XXXXXX) && made_keep=1 || exit 2
else
  mkdir -p "$keep" || { echo "soak: cannot create $keep" >&2; exit 2; }
fi

workloads=(churn preempt syscall timers channels mutex net leaks)
kinds=(plain stripped)
versions=()
for minor in 19 21 22 23 24 25 26; do
  go=/usr/lib/go-1.$minor/bin/go
  if [ -x "$go" ]; then versions+=("$minor"); else echo "soak: go1.$minor not installed, skipped"; fi
done
[ ${#versions[@]} -gt 0 ] || { echo "soak: no Go toolchain installed" >&2; exit 2; }

# Build every (version, kind) once. A build failure is fatal: it is a bug in the soak program.
for minor in "${versions[@]}"; do
  for kind in "${kinds[@]}"; do
    flags=()
    [ "$kind" = stripped ] && flags=("-ldflags=-s -w")
    bin=$work/soak$minor-$kind
    if ! /usr/lib/go-1.$minor/bin/go build "${flags[@]}" -o "$bin" "$here/soak/main.go" 2>"$bin.log"; then
      echo "soak: build failed for go1.$minor $kind:" >&2
      cat "$bin.log" >&2
      exit 2
    fi
  done
done

V=${#versions[@]} K=${#kinds[@]} W=${#workloads[@]}
total=$((V * K * W))
# combo I: the workload changes every round, the kind every W rounds, and the version shifts
# with the workload, so any W*K consecutive rounds see every workload in both kinds and the
# versions rotate. A bijection of 0..total-1: I = q*W + w, q = v'*K + k, v = (v' + w) mod V.
combo() {
  local i=$1 w q k vp
  w=$((i % W)); q=$((i / W))
  k=$((q % K)); vp=$((q / K))
  c_version=${versions[$(((vp + w) % V))]}
  c_kind=${kinds[$k]}
  c_workload=${workloads[$w]}
}

# The first difference lines: those following an item line that ends in DIFFER (at most 3,
# each cut to 300 characters).
first_differences() {
  awk '
    / DIFFER$/ && !/^crosscheck:/ { in_item = 1; next }
    in_item && /^[ \t]/ { if (shown < 3) { print substr($0, 1, 300); shown++ } ; next }
    { in_item = 0 }
  ' "$1"
}

# The last line of a file, cut to 300 characters, for an error message.
last_line() {
  local l
  l=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1 | cut -c1-300)
  echo "${l:-(no output)}"
}

agree=0 disagree=0 errors=0
for i in $(seq 1 "$n"); do
  combo $(((i - 1) % total))
  tag="go1.$c_version $c_kind $c_workload"
  r=$work/r$i
  bin=$work/soak$c_version-$c_kind
  start=$(date +%s%N)
  status=ERROR
  detail=""
  "$gtanalyze" collect -o "$r.cap" -- "$bin" "$c_workload" "$r.trace" >"$r.collect.out" 2>"$r.collect.log"
  rc=$?
  if [ $rc != 0 ]; then
    detail="collect exit $rc: $(last_line "$r.collect.log")"
  elif ! grep -q 'target exited with status 0' "$r.collect.log"; then
    detail="target failed: $(grep -m1 'target exited' "$r.collect.log" | cut -c1-300)"
  else
    "$gtanalyze" crosscheck "$r.trace" "$r.cap" >"$r.cross" 2>&1
    rc=$?
    case $rc in
      0) status=agree ;;
      1) status=DIFFER ;;
      *) detail="crosscheck exit $rc: $(last_line "$r.cross")" ;;
    esac
  fi
  end=$(date +%s%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  echo "round $i/$n $tag: $status (${secs}s)"
  case $status in
    agree) agree=$((agree + 1)); rm -f "$r".* ;;
    *)
      if [ $status = DIFFER ]; then disagree=$((disagree + 1)); else errors=$((errors + 1)); fi
      drops=$(grep -o '[0-9]* dropped' "$r.collect.log" 2>/dev/null | head -n 1 | cut -d' ' -f1)
      [ -n "$drops" ] && [ "$drops" != 0 ] && detail="${detail:+$detail; }$drops records dropped"
      echo "  $status round $i go1.$c_version $c_kind $c_workload${detail:+: $detail}"
      if [ -f "$r.cross" ]; then first_differences "$r.cross" | sed 's/^/  | /'; fi
      for f in "$r".*; do [ -e "$f" ] && mv "$f" "$keep/round$i-go1.$c_version-$c_kind-$c_workload.${f##*/r$i.}"; done
      ;;
  esac
done

echo "soak: $n rounds, $agree agree, $disagree disagree, $errors errors"
if [ $disagree = 0 ] && [ $errors = 0 ]; then
  [ $made_keep = 1 ] && rmdir "$keep" 2>/dev/null
  echo "soak: nothing kept"
  exit 0
fi
echo "soak: files of the failing rounds kept in $keep"
exit 1

#!/usr/bin/env bash
# Regenerates tests/golden/report/: gtanalyze's own text summary, JSON, diff and dump outputs on a few
# corpus traces, so that any change to what users see shows up as a reviewed diff.
#   tools/golden/make-report-goldens.sh [GTANALYZE]   (default build/release/gtanalyze)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/release/gtanalyze}
out=tests/golden/report
mkdir -p "$out"
# Each line: golden file, then the gtanalyze arguments (run from the repository root).
while read -r name args; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086 # the arguments are words on purpose
  "$bin" $args >"$out/$name" || [ $? = 1 ]
done <tests/golden/report/cases.txt
echo "regenerated $(wc -l <tests/golden/report/cases.txt) report goldens in $out"

#!/usr/bin/env bash
# Example CI job: trace a Go package's tests, keep the analysis of the last good run as the
# baseline, and fail the build when this run regresses against it.
#
#   tools/ci/trace-regression.sh PACKAGE_DIR [BASELINE_JSON]
#
# - Runs `go test -trace` in PACKAGE_DIR (the go on PATH, or $GO).
# - Exports this run's analysis as JSON next to the baseline (BASELINE_JSON, default
#   .gtanalyze/baseline.json in the package).
# - With no baseline yet, stores this run as the baseline and succeeds.
# - Otherwise diffs baseline → this run with the rules below (edit them for your project), prints
#   the markdown report (ready for a pull-request comment) to $GTANALYZE_REPORT or stdout, and
#   exits 1 when a rule broke. The baseline stays until you replace it on purpose
#   (GTANALYZE_UPDATE_BASELINE=1, after a change you accept): replaced by every passing run, it
#   would let a slow drift, each step under the thresholds, pass for ever.
set -euo pipefail
pkg=${1:?usage: trace-regression.sh PACKAGE_DIR [BASELINE_JSON]}
baseline=${2:-$pkg/.gtanalyze/baseline.json}
gtanalyze=${GTANALYZE:-gtanalyze}
go=${GO:-go}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$pkg" && "$go" test -count=1 -trace "$work/trace.out" .)
"$gtanalyze" "$work/trace.out" --json -o "$work/current.json"

mkdir -p "$(dirname "$baseline")"
if [ ! -f "$baseline" ]; then
  cp "$work/current.json" "$baseline"
  echo "trace-regression: no baseline yet; stored this run as $baseline"
  exit 0
fi

status=0
"$gtanalyze" diff "$baseline" "$work/current.json" --format markdown \
  --fail-on 'warnings>0' \
  --fail-on 'new-leaks>0' \
  --fail-on 'sched_latency.p99>+50%' \
  --fail-on 'goroutines>+25%' \
  -o "${GTANALYZE_REPORT:-/dev/stdout}" || status=$?
case "$status" in
  0)
    if [ "${GTANALYZE_UPDATE_BASELINE:-0}" = 1 ]; then
      cp "$work/current.json" "$baseline"
      echo "trace-regression: no regression; baseline updated"
    else
      echo "trace-regression: no regression against $baseline"
    fi
    ;;
  1) echo "trace-regression: regression against $baseline (see the rules above)" >&2 ;;
  *) echo "trace-regression: gtanalyze could not compare the runs" >&2 ;;
esac
exit "$status"

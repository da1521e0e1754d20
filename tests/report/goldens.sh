#!/usr/bin/env bash
# Runs each case of tests/golden/report/cases.txt and compares the output with its golden file
# (tools/golden/make-report-goldens.sh makes them).
#   goldens.sh GTANALYZE SOURCE_DIR
set -u
bin=$1
cd "$2" || exit 2
passed=0 failed=0
while read -r name args; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086 # the arguments are words on purpose
  if "$bin" $args 2>/dev/null | diff -u "tests/golden/report/$name" - >/tmp/gtanalyze-report-diff.$$; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name (gtanalyze $args):"
    head -40 /tmp/gtanalyze-report-diff.$$
  fi
done <tests/golden/report/cases.txt
rm -f /tmp/gtanalyze-report-diff.$$
echo "report goldens: $passed passed, $failed failed"
[ "$failed" = 0 ]

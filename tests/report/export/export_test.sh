#!/usr/bin/env bash
# `gtanalyze export` of the whole corpus (directories walked, and Go's text-form cases converted
# by TEXT2TRACE), checked by a real engine: check.mjs holds the tables to `gtanalyze --json` of
# every trace in DuckDB's SQL, and is first seen to catch a tampered export. Then every row is
# validated against docs/export-v1.schema.json; the traces `--json` rejects must be the failures
# table's rows and make the exit status 1; and a second export must skip every trace.
#   export_test.sh GTANALYZE SOURCE_DIR TEXT2TRACE [subset]
# `subset` (under the sanitizers): of the corpus, only Go 1.19's and 1.26's traces of our own, and
# Go's text-form cases.
set -u
bin=$1
src=$2
text2trace=$3
corpus=(corpus)
[ "${4:-}" = subset ] && corpus=(corpus/go1.19 corpus/go1.26)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 2
here=tests/report/export
if [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
  echo "FAIL DuckDB's node package is not installed: npm ci --prefix $here (tools/run-tests.sh runs it)"
  exit 1
fi
failed=0
fail() {
  failed=$((failed + 1))
  echo "FAIL $*"
}

mkdir -p "$tmp/tests"
for test in corpus/go-testdata/tests/*.test; do
  "$text2trace" "$test" "$tmp/tests/$(basename "$test" .test).trace" || fail "cannot convert $test"
done
"$bin" export -o "$tmp/out" --jobs 2 --label build=corpus "${corpus[@]}" "$tmp/tests" 2>"$tmp/err"
code=$?
cat "$tmp/err"

# The traces --json rejects are exactly the failures, and they make the exit status 1.
rejected=$(for f in "$tmp"/tests/*.trace $(find "${corpus[@]}" -type f | sort); do
  "$bin" --json "$f" >/dev/null 2>&1 || { [ "$?" = 2 ] && head -c 16 "$f" | grep -q "go 1." && echo "$f"; }
done | sort)
failures=$(cat "$tmp"/out/failures/*.ndjson 2>/dev/null | sed 's/.*"file":"\([^"]*\)".*/\1/' | sort)
if [ "$rejected" != "$failures" ]; then
  fail "failures table: $(echo "$failures" | wc -l) rows; traces --json rejects: $(echo "$rejected" | wc -l)"
  diff <(echo "$rejected") <(echo "$failures") | head
else
  echo "ok   failures table = the $(echo "$rejected" | grep -c .) traces --json rejects"
fi
if [ -n "$rejected" ] && [ "$code" != 1 ] || [ -z "$rejected" ] && [ "$code" != 0 ]; then
  fail "export exited $code"
fi

# The checker catches a goroutine's time changed and an interval's length changed.
for table in goroutines intervals; do
  cp -r "$tmp/out" "$tmp/bad"
  file=$(find "$tmp/bad/$table" -name '*.ndjson' -size +0 | sort | head -1)
  sed -i '1s/"\(exec_ns\|duration_ns\)":\([0-9]*\)/"\1":\21/' "$file"
  node "$here/check.mjs" "$bin" "$tmp/bad" "$tmp/work-bad" >"$tmp/bad.out" 2>&1
  if [ "$?" = 1 ] && ! cmp -s "$file" "${file/bad/out}" && grep -q "^FAIL" "$tmp/bad.out"; then
    echo "ok   check.mjs rejects an export with one $table row changed: $(grep -m1 "^FAIL" "$tmp/bad.out")"
  else
    fail "check.mjs accepts an export with one $table row changed: $(tail -3 "$tmp/bad.out")"
  fi
  rm -rf "$tmp/bad" "$tmp/work-bad"
done

node "$here/check.mjs" "$bin" "$tmp/out" "$tmp/work" || failed=$((failed + 1))
# Debian's python3, which python3-fastjsonschema is installed for (tools/install-deps.sh).
/usr/bin/python3 "$here/validate_rows.py" "$src" "$tmp/out" || failed=$((failed + 1))

# A second export skips every trace and writes nothing.
before=$(find "$tmp/out" -type f -newer "$tmp/err" | wc -l)
touch "$tmp/mark"
"$bin" export -o "$tmp/out" --jobs 2 --label build=corpus "${corpus[@]}" "$tmp/tests" 2>"$tmp/err2"
exported=$(grep -c . "$tmp"/out/traces/*.ndjson | wc -l)
if grep -q ": 0 exported, $exported skipped" "$tmp/err2" && [ -z "$(find "$tmp/out" -type f ! -path '*/failures/*' -newer "$tmp/mark")" ]; then
  echo "ok   a second export skips all $exported traces"
else
  fail "a second export: $(cat "$tmp/err2")"
fi
: "$before"

echo "export test: $failed failed"
[ "$failed" = 0 ]

#!/usr/bin/env bash
# `gtanalyze pprof` against Go 1.26's own profiles (tests/golden/pprof, made by
# tools/golden/make-pprof-goldens.sh): for each golden TRACE.txt, the four profiles of the corpus
# trace TRACE, each decoded by PPROF_CANON into the canonical text, must equal Go's; where Go found
# no goroutines (`error: ...`) we must refuse too (exit 2, one line). Then each names/N.txt, the
# profile of line N of names.txt (`TRACE TYPE NAME`, --goroutine-name NAME). Then each block
# `== region REGION` of regions/TRACE.txt, the four profiles of --region REGION. A Go .test case
# is first converted to a binary trace by TEXT2TRACE.
#   golden_test.sh GTANALYZE PPROF_CANON TEXT2TRACE SOURCE_DIR [subset]
# `subset` (the sanitizer build, the build without the collector) takes the first golden of each
# folder, one per Go version, and the first two regions of the first regions/ golden.
set -u
bin=$1
canon=$2
text2trace=$3
cd "$4" || exit 2
subset=${5:-}
golden=tests/golden/pprof
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# The canonical text of one profile, or `error` when gtanalyze refuses with one line and exit 2.
profile() {  # profile TRACE TYPE [OPTION...]
  if "$bin" pprof --type "$2" "${@:3}" "$1" -o "$tmp/p.pb.gz" 2>"$tmp/err"; then
    gzip -dc "$tmp/p.pb.gz" | "$canon"
  elif [ $? = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ]; then
    echo "error"
  else
    echo "gtanalyze pprof --type $2 ${*:3} failed: $(head -3 "$tmp/err")"
  fi
}

# Go's message after `error:` is Go's own: only the refusal is compared.
compare() {  # compare NAME GOLDEN OURS
  if diff -u <(sed 's/^error: .*/error/' "$2") "$3" >"$tmp/diff"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $1:"
    head -40 "$tmp/diff"
  fi
}

goldens=$(find "$golden" -name '*.txt' ! -path "$golden/names/*" ! -path "$golden/regions/*" ! -name names.txt | sort)
if [ -n "$subset" ]; then
  goldens=$(for g in $goldens; do echo "$(dirname "$g") $g"; done | sort -u -k1,1 | cut -d' ' -f2)
fi
# The trace of the golden NAME in $trace: corpus/NAME, corpus/NAME.trace, or corpus/NAME.test converted.
find_trace() {  # find_trace NAME
  trace=corpus/$1
  [ -f "$trace" ] || trace=$trace.trace
  if [ -f "corpus/$1.test" ]; then
    trace=$tmp/trace
    "$text2trace" "corpus/$1.test" "$trace" 2>"$tmp/err" || : >"$trace"
  fi
}

for g in $goldens; do
  name=${g#"$golden"/}
  name=${name%.txt}
  find_trace "$name"
  for type in net sync syscall sched; do
    echo "== $type"
    profile "$trace" "$type"
  done >"$tmp/ours"
  compare "$name" "$g" "$tmp/ours"
done

n=0
while read -r trace type name; do
  [ -n "$trace" ] || continue
  n=$((n + 1))
  { echo "== $type $name"; profile "corpus/$trace" "$type" --goroutine-name "$name"; } >"$tmp/ours"
  compare "names/$n ($trace --type $type --goroutine-name $name)" "$golden/names/$n.txt" "$tmp/ours"
done <"$golden/names.txt"

# Each block `== region REGION` of regions/TRACE.txt: the four profiles of --region REGION.
region_goldens=$(find "$golden/regions" -name '*.txt' | sort)
[ -z "$subset" ] || region_goldens=$(echo "$region_goldens" | head -1)
for g in $region_goldens; do
  name=${g#"$golden"/regions/}
  name=${name%.txt}
  find_trace "$name"
  while IFS= read -r region; do
    awk -v r="$region" '/^== region /{on = substr($0, 11) == r} on' "$g" >"$tmp/golden"
    {
      echo "== region $region"
      for type in net sync syscall sched; do
        echo "== $type"
        profile "$trace" "$type" --region "$region"
      done
    } >"$tmp/ours"
    compare "regions/$name --region '$region'" "$tmp/golden" "$tmp/ours"
  done < <(sed -n 's/^== region //p' "$g" | if [ -n "$subset" ]; then head -2; else cat; fi)
done

echo "pprof goldens: $passed equal to Go, $failed differ${subset:+ (subset: one trace per folder)}"
[ "$passed" != 0 ] && [ "$failed" = 0 ]

#!/usr/bin/env bash
# Regenerates tests/golden/pprof/: Go 1.26's own profiles of every corpus trace it reads, in the
# canonical text of tools/golden/pprof-raw-canon.py (`go tool pprof -raw`, sorted), for
# tests/report/pprof/golden_test.sh to compare `gtanalyze pprof` with.
# - TRACE.txt (TRACE: the corpus path without corpus/): four sections `== net`, `== sync`,
#   `== syscall`, `== sched`, each `go tool trace -pprof=TYPE TRACE` (cmd/trace built from the Go
#   1.26 tree of tools/reference/build.sh as `gotrace`), or `error: MESSAGE` where Go finds no
#   goroutines. The go-testdata .test cases that Go expects to succeed are first converted by
#   Go's own text2traceref (the two FAILURE cases are left out: we reject them, Go profiles the part
#   before the error).
# - names/N.txt for each line N of names.txt (`TRACE TYPE NAME`): the per-goroutine-group profile
#   (?name=NAME) that Go serves only over HTTP, fetched from `gotrace -http`.
# - regions/TRACE.txt for the annotated traces (usertasks, annotations): the per-region-type
#   profiles (/regionio?type=REGION, ...), also only over HTTP.
#   tools/golden/make-pprof-goldens.sh    (needs Go 1.26 in /usr/lib/go-1.26, python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(bash tools/reference/build.sh | tail -n 1)
out=tests/golden/pprof
tmp=$(mktemp -d)
server=
trap '[ -z "$server" ] || kill "$server"; rm -rf "$tmp"' EXIT
find "$out" -name '*.txt' ! -name names.txt -delete 2>/dev/null || true

# fetch URL FILE: the body of the answer to a GET in FILE; fails on an HTTP error.
fetch() {
  python3 - "$1" "$2" <<'PY'
import sys, urllib.error, urllib.request
try:
    body, ok = urllib.request.urlopen(sys.argv[1]).read(), True
except urllib.error.HTTPError as e:
    body, ok = e.read(), False
open(sys.argv[2], "wb").write(body)
sys.exit(0 if ok else 1)
PY
}

canon() { "$bin/gopprof" -raw "$1" 2>/dev/null | python3 tools/golden/pprof-raw-canon.py; }

# One profile as a golden section: its canonical text, or Go's refusal when it finds no goroutines.
section() {  # section TYPE TRACE
  echo "== $1"
  if "$bin/gotrace" -pprof="$1" "$2" >"$tmp/profile.pb.gz" 2>"$tmp/err"; then
    canon "$tmp/profile.pb.gz"
  elif grep -q "failed to find matching goroutines" "$tmp/err"; then
    echo "error: $(sed 's/^failed to generate pprof: //' "$tmp/err" | head -1)"
  else
    echo "gotrace -pprof=$1 $2 failed: $(cat "$tmp/err")" >&2
    exit 1
  fi
}

emit() {  # emit TRACE NAME
  mkdir -p "$(dirname "$out/$2")"
  for type in net sync syscall sched; do section "$type" "$1"; done >"$out/$2.txt"
  count=$((count + 1))
}

count=0
for t in corpus/go1.*/*.trace corpus/go-testdata/v1/*_1_1[1-9]_*good corpus/go-testdata/v1/*_1_2[0-9]_*good; do
  name=${t#corpus/}
  emit "$t" "${name%.trace}"
done
for t in corpus/go-testdata/tests/*.test; do
  grep -q '^SUCCESS' "$t" || continue
  "$bin/text2traceref" "$t" "$tmp/trace"
  name=${t#corpus/}
  emit "$tmp/trace" "${name%.test}"
done

# The profiles Go serves only over HTTP, from its trace viewer (`gotrace -http`).
declare -A endpoint=([net]=io [sync]=block [syscall]=syscall [sched]=sched)
serve() {  # serve TRACE: starts the viewer on TRACE, its address in $addr
  BROWSER=true "$bin/gotrace" -http=127.0.0.1:0 "$1" 2>"$tmp/log" &
  server=$!
  for _ in $(seq 100); do grep -q 'listening on' "$tmp/log" && break; sleep 0.1; done
  addr=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$tmp/log")
  [ -n "$addr" ] || { echo "gotrace -http did not start: $(cat "$tmp/log")" >&2; exit 1; }
}
unserve() {
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
}
# http_section TYPE PATH QUERY: the canonical text of the TYPE profile at $addr/PATHTYPE?raw=1&QUERY
# (PATH: "" or "region"), or Go's refusal when it finds no goroutines.
http_section() {
  if fetch "$addr/$2${endpoint[$1]}?raw=1&$3" "$tmp/profile.pb.gz"; then
    canon "$tmp/profile.pb.gz"
  elif grep -q 'failed to find matching goroutines' "$tmp/profile.pb.gz"; then
    echo "error: $(grep -o 'failed to find matching goroutines.*' "$tmp/profile.pb.gz" | head -1)"
  else
    echo "gotrace -http /$2${endpoint[$1]}?$3 failed: $(cat "$tmp/profile.pb.gz")" >&2
    exit 1
  fi
}
urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# The ?name= profiles.
mkdir -p "$out/names"
n=0
while read -r trace type name; do
  [ -n "$trace" ] || continue
  n=$((n + 1))
  serve "corpus/$trace"
  { echo "== $type $name"; http_section "$type" "" "name=$(urlencode "$name")"; } >"$out/names/$n.txt"
  unserve
  count=$((count + 1))
done <"$out/names.txt"

# The per-region-type profiles (/regionblock?type=REGION, ...) of the annotated traces of Go 1.19
# (the old format, through the converter) and Go 1.26 (those of every version, 428 profiles, were
# equal too, but take the test too long): regions/TRACE.txt holds, for each region type Go lists on its /userregions page (the
# nameless type of the synthetic regions included), a line `== region REGION` and the four
# profiles as in TRACE.txt; the go1.26 traces also a type no region has. Go's go122-annotations
# case adds a region begun before the trace and types with spaces.
for t in corpus/go1.{19,26}/{usertasks,annotations}.trace corpus/go-testdata/tests/go122-annotations.test; do
  name=${t#corpus/}
  golden=$out/regions/${name%.*}.txt
  mkdir -p "$(dirname "$golden")"
  case $t in *.test) "$bin/text2traceref" "$t" "$tmp/trace" && t=$tmp/trace ;; esac
  serve "$t"
  fetch "$addr/userregions" "$tmp/userregions.html"
  python3 - "$tmp/userregions.html" >"$tmp/regions" <<'PY'
import html, re, sys, urllib.parse
seen = []
for m in re.finditer(r'href="/userregion\?type=([^&"]*)&', open(sys.argv[1]).read()):
    region = urllib.parse.unquote(html.unescape(m.group(1)))
    if region not in seen:
        seen.append(region)
print("\n".join(seen))
PY
  case $t in corpus/go1.26/*) echo "no-such-region" >>"$tmp/regions" ;; esac
  while IFS= read -r region; do
    echo "== region $region"
    for type in net sync syscall sched; do
      echo "== $type"
      http_section "$type" region "type=$(urlencode "$region")"
    done
  done <"$tmp/regions" >"$golden"
  unserve
  count=$((count + 1))
done
echo "wrote $count goldens to $out"

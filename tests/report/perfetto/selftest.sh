#!/usr/bin/env bash
# perfetto_check's own test: it must accept one good hand-written trace (and its --json) and
# reject, with exit 1 and the expected one-line message, each bad variant below (made from the
# good one's protobuf text with `protoc --encode`) and a few malformed files, so that a pass of
# perfetto_export means something.
#   selftest.sh PERFETTO_CHECK SOURCE_DIR   (protoc is $PROTOC, default protoc)
# shellcheck disable=SC2016 # the sed scripts' $ is sed's last line, not a shell variable
set -u
check=$1
proto_dir=$2/tests/report/perfetto
protoc=${PROTOC:-protoc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passes=0 failures=0

# The good trace, one packet a line (the variants edit it by line number): groups main.main (G1)
# and main.worker (G2), Procs with P0, a counter track. G1 runs 100-200, waits on a channel
# 200-300, then forever 300-400 (exception 1: not counted). G2, created by G1 at 150 (flow 7), is
# runnable 150-200, runs 200-300 with a mark assist nested in it, and from 300 to the end of the
# trace sits in a syscall that lost its P (exception 2).
cat >"$tmp/good.txt" <<'EOF'
packet { trusted_packet_sequence_id: 1 sequence_flags: 1 track_descriptor { uuid: 1 name: "main.main" } }
packet { trusted_packet_sequence_id: 1 track_descriptor { uuid: 2 name: "G1 main.main" parent_uuid: 1 } }
packet { trusted_packet_sequence_id: 1 track_descriptor { uuid: 3 name: "main.worker" } }
packet { trusted_packet_sequence_id: 1 track_descriptor { uuid: 4 name: "G2 main.worker" parent_uuid: 3 } }
packet { trusted_packet_sequence_id: 1 track_descriptor { uuid: 10 name: "Procs" } }
packet { trusted_packet_sequence_id: 1 track_descriptor { uuid: 11 name: "P0" parent_uuid: 10 } }
packet { trusted_packet_sequence_id: 1 track_descriptor { uuid: 20 name: "Goroutines running" counter {} } }
packet { timestamp: 100 trusted_packet_sequence_id: 1 sequence_flags: 2 interned_data { event_names { iid: 1 name: "running" } debug_annotation_names { iid: 1 name: "p" } function_names { iid: 1 str: "main.main" } frames { iid: 1 function_name_id: 1 line_number: 10 } callstacks { iid: 1 frame_ids: 1 } } track_event { type: TYPE_SLICE_BEGIN track_uuid: 2 name_iid: 1 callstack_iid: 1 debug_annotations { name_iid: 1 uint_value: 0 } } }
packet { timestamp: 100 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_BEGIN track_uuid: 11 name: "G1 main.main" } }
packet { timestamp: 100 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_COUNTER track_uuid: 20 counter_value: 1 } }
packet { timestamp: 150 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_INSTANT track_uuid: 2 name: "create G2" flow_ids: 7 } }
packet { timestamp: 150 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_BEGIN track_uuid: 4 name: "runnable" terminating_flow_ids: 7 } }
packet { timestamp: 200 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_END track_uuid: 2 } }
packet { timestamp: 200 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_BEGIN track_uuid: 2 name: "waiting: chan receive" callstack_iid: 1 } }
packet { timestamp: 200 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_END track_uuid: 4 } }
packet { timestamp: 200 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_BEGIN track_uuid: 4 name_iid: 1 } }
packet { timestamp: 250 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_BEGIN track_uuid: 4 name: "GC mark assist" } }
packet { timestamp: 260 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_END track_uuid: 4 } }
packet { timestamp: 300 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_END track_uuid: 4 } }
packet { timestamp: 300 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_BEGIN track_uuid: 4 name: "syscall (blocked)" } }
packet { timestamp: 300 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_END track_uuid: 2 } }
packet { timestamp: 300 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_BEGIN track_uuid: 2 name: "waiting: forever" } }
packet { timestamp: 400 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_END track_uuid: 2 } }
packet { timestamp: 400 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_END track_uuid: 4 } }
packet { timestamp: 400 trusted_packet_sequence_id: 1 sequence_flags: 2 track_event { type: TYPE_SLICE_END track_uuid: 11 } }
EOF

# Its --json: G2 ends the trace still in the syscall (final_state), so Go charges the syscall's
# last 100 ns to syscall_ns and sched_wait_ns, not syscall_block_ns; G3 has no times and no track.
cat >"$tmp/good.json" <<'EOF'
{"schema": "gtanalyze/v1", "trace": {"duration_ns": 300}, "tasks": [], "goroutines": [
 {"id": 1, "exec_ns": 100, "sched_wait_ns": 0, "syscall_ns": 0, "syscall_block_ns": 0, "block_ns_by_reason": {"chan receive": 100}, "final_state": "waiting"},
 {"id": 2, "exec_ns": 100, "sched_wait_ns": 150, "syscall_ns": 100, "syscall_block_ns": 0, "block_ns_by_reason": {}, "final_state": "syscall"},
 {"id": 3, "exec_ns": 0, "sched_wait_ns": 0, "syscall_ns": 0, "syscall_block_ns": 0, "block_ns_by_reason": {}, "final_state": "notexist"}]}
EOF

encode() {  # encode NAME: $tmp/NAME.txt -> $tmp/NAME.pftrace
  "$protoc" --encode=perfetto.protos.Trace -I "$proto_dir" trace.proto <"$tmp/$1.txt" >"$tmp/$1.pftrace" ||
    { echo "FAIL $1: protoc cannot encode it"; failures=$((failures + 1)); }
}

# variant NAME SED-SCRIPT: the good trace edited by sed.
variant() { sed "$2" "$tmp/good.txt" >"$tmp/$1.txt" && encode "$1"; }

# expect_fail NAME PATTERN [ARGS...]: perfetto_check on $tmp/NAME.pftrace exits 1 with exactly one
# stderr line, `perfetto_check: FILE: ` then text matching PATTERN.
expect_fail() {
  local name=$1 pattern=$2
  shift 2
  "$check" "$tmp/$name.pftrace" "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$?
  if [ "$code" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
    grep -qE "^perfetto_check: $tmp/$name\.pftrace: $pattern\$" "$tmp/err"; then
    passes=$((passes + 1))
    echo "ok   $name: $(sed "s|$tmp/||" "$tmp/err")"
  else
    failures=$((failures + 1))
    echo "FAIL $name: exit $code (want 1), stderr (want: $pattern):"
    sed 's/^/    /' "$tmp/err"
  fi
}

# expect_pass NAME WANT [ARGS...]: perfetto_check on $tmp/NAME.pftrace exits 0 printing WANT
# (after `perfetto_check: FILE: `).
expect_pass() {
  local name=$1 want="perfetto_check: $tmp/$1.pftrace: $2"
  shift 2
  local out code
  out=$("$check" "$tmp/$name.pftrace" "$@" 2>&1)
  code=$?
  if [ "$code" = 0 ] && [ "$out" = "$want" ]; then
    passes=$((passes + 1))
    echo "ok   $name${1:+ with $1}: ${out//$tmp\//}"
  else
    failures=$((failures + 1))
    echo "FAIL $name${1:+ with $1}: exit $code, output: $out (want: $want)"
  fi
}

# The good file passes, with and without --json.
encode good
expect_pass good "25 packets, 7 tracks, 8 slices, 1 flows, 1 counters"
expect_pass good "25 packets, 7 tracks, 8 slices, 1 flows, 1 counters, 3 goroutines agree with --json" \
  --json "$tmp/good.json"

# Encoding.
variant no-clear '1s/ sequence_flags: 1//'
expect_fail no-clear "packet 1: the first packet does not clear the incremental state \(sequence_flags bit 1\)"
variant other-sequence '5s/trusted_packet_sequence_id: 1/trusted_packet_sequence_id: 2/'
expect_fail other-sequence "packet 5: trusted_packet_sequence_id is 2, not 1"
variant undefined-name '16s/name_iid: 1/name_iid: 2/'
expect_fail undefined-name "packet 16: uses event name iid 2, not defined before"
variant undefined-frame '8s/frame_ids: 1/frame_ids: 1 frame_ids: 3/'
expect_fail undefined-frame "packet 8: uses frame iid 3, not defined before"
variant redefined-name '14s/track_event/interned_data { event_names { iid: 1 name: "runnable" } } track_event/'
expect_fail redefined-name "packet 14: redefines event name iid 1"
variant cleared-state '13s/sequence_flags: 2/sequence_flags: 3/'
expect_fail cleared-state "packet 14: uses callstack iid 1, not defined before"
variant time-goes-back '$a packet { timestamp: 50 trusted_packet_sequence_id: 1 track_event { type: TYPE_INSTANT track_uuid: 2 name: "late" } }'
expect_fail time-goes-back "packet 26: timestamp 50 goes back from 400"

# The same trace as gtanalyze writes it: timestamps as deltas on an incremental clock 64 that the
# first packet names in its defaults and the second (a clock snapshot) defines, and a second
# counter track whose value rides on the first counter event as an extra counter value.
awk 'NR == 1 { sub(/ sequence_flags: 1/, " sequence_flags: 1 trace_packet_defaults { timestamp_clock_id: 64 }"); print
               print "packet { trusted_packet_sequence_id: 1 clock_snapshot { clocks { clock_id: 6 timestamp: 0 } clocks { clock_id: 64 timestamp: 0 is_incremental: true } } }"
               print "packet { trusted_packet_sequence_id: 1 track_descriptor { uuid: 21 name: \"Goroutines runnable\" counter {} } }"; next }
     match($0, /timestamp: [0-9]+/) { t = substr($0, RSTART + 11, RLENGTH - 11); $0 = substr($0, 1, RSTART + 10) (t - last) substr($0, RSTART + RLENGTH); last = t }
     /counter_value: 1/ { sub(/counter_value: 1/, "counter_value: 1 extra_counter_track_uuids: 21 extra_counter_values: 0") }
     { print }' "$tmp/good.txt" >"$tmp/good-delta.txt"
encode good-delta
expect_pass good-delta "27 packets, 8 tracks, 8 slices, 1 flows, 2 counters, 3 goroutines agree with --json" \
  --json "$tmp/good.json"
delta() { sed "$2" "$tmp/good-delta.txt" >"$tmp/$1.txt" && encode "$1"; }
delta delta-no-snapshot '2d'
expect_fail delta-no-snapshot "packet 9: a timestamp on clock 64, which no clock snapshot has defined before"
delta delta-defaults-not-cleared '1s/ trace_packet_defaults { timestamp_clock_id: 64 }//;2s/clock_snapshot/trace_packet_defaults { timestamp_clock_id: 64 } clock_snapshot/'
expect_fail delta-defaults-not-cleared "packet 2: trace_packet_defaults in a packet that does not clear the incremental state"
delta delta-boot-incremental '2s/clock_id: 6 timestamp: 0/clock_id: 6 timestamp: 0 is_incremental: true/'
expect_fail delta-boot-incremental "packet 2: boot time declared incremental \(only a sequence's own clock may be\)"
# One delta a nanosecond longer shifts every later time: G1's running slice (100-200) grows.
sed '15s/timestamp: 50/timestamp: 51/' "$tmp/good-delta.txt" >"$tmp/delta-off.txt" && encode delta-off
expect_fail delta-off "goroutine 1: running sums to 101 ns, --json exec_ns is 100" --json "$tmp/good.json"
delta extra-unpaired '12s/ extra_counter_values: 0//'
expect_fail extra-unpaired "packet 12: 0 extra counter values for 1 extra counter tracks on track 20 'Goroutines running'"
delta extra-not-counter '12s/extra_counter_track_uuids: 21/extra_counter_track_uuids: 11/'
expect_fail extra-not-counter "packet 12: an extra counter value on track 20 'Goroutines running' for track 11, not a described counter track"

# Tracks.
variant track-before-described '4{h;d};$G'
expect_fail track-before-described "packet 11: track 4 is used before it is described"
variant unknown-parent '6s/parent_uuid: 10/parent_uuid: 12/'
expect_fail unknown-parent "packet 6: track 11's parent 12 is not described"
variant described-twice '3s/uuid: 3/uuid: 2/'
expect_fail described-twice "packet 3: track 2 is described twice"
variant counter-on-slice-track '10s/track_uuid: 20/track_uuid: 11/'
expect_fail counter-on-slice-track "packet 10: a counter value on track 11 'P0', not a counter track"
variant slice-on-counter-track '11s/track_uuid: 2/track_uuid: 20/'
expect_fail slice-on-counter-track "packet 11: a slice or instant event on track 20 'Goroutines running', a counter track"

# Slices.
variant end-without-begin '$a packet { timestamp: 400 trusted_packet_sequence_id: 1 track_event { type: TYPE_SLICE_END track_uuid: 11 } }'
expect_fail end-without-begin "packet 26: a slice ends with no slice open on track 'P0'"
variant never-ends '$d'
expect_fail never-ends "packet 9: slice 'G1 main.main' on track 'P0' never ends"
variant not-a-state '16s/name_iid: 1/name: "sleeping"/'
expect_fail not-a-state "packet 19: goroutine track 'G2 main.worker' has a depth-0 slice 'sleeping', not a goroutine state"

# Flows.
variant flow-never-ends '12s/ terminating_flow_ids: 7//'
expect_fail flow-never-ends "packet 11: flow 7 begins but never ends"
variant flow-ends-first '11{h;d};12G'
expect_fail flow-ends-first "packet 11: flow 7 ends but was never begun"
variant flow-ends-twice '16s/name_iid: 1/name_iid: 1 terminating_flow_ids: 7/'
expect_fail flow-ends-twice "packet 16: flow 7 ends a second time"

# Agreement with --json, one figure at a time.
agree() {  # agree NAME SED-SCRIPT PATTERN: the good trace against an edited good.json
  sed "$2" "$tmp/good.json" >"$tmp/$1.json"
  cp "$tmp/good.pftrace" "$tmp/$1.pftrace"
  expect_fail "$1" "$3" --json "$tmp/$1.json"
}
agree agree-exec '/"id": 1,/s/"exec_ns": 100/"exec_ns": 101/' "goroutine 1: running sums to 100 ns, --json exec_ns is 101"
agree agree-reason '/"id": 1,/s/chan receive/chan send/' \
  'goroutine 1: waiting: chan receive sums to 100 ns, --json block_ns_by_reason\["chan receive"\] is 0'
agree agree-forever '/"id": 1,/s/"chan receive": 100/"chan receive": 100, "forever": 100/' \
  'goroutine 1: waiting: forever sums to 0 ns \(not counted: exception 1\), --json block_ns_by_reason\["forever"\] is 100'
agree agree-no-exception-2 '/"id": 2,/s/"sched_wait_ns": 150/"sched_wait_ns": 50/' \
  "goroutine 2: runnable sums to 150 ns \(with exception 2's 100 ns\), --json sched_wait_ns is 50"
agree agree-not-in-json '/"id": [23],/d;/"id": 1,/s/},$/}]}/' "goroutine 2: has track 4 'G2 main.worker' but is not in --json"
agree agree-no-track '/"id": 3,/s/"exec_ns": 0/"exec_ns": 5/' "goroutine 3: in --json with non-zero times but has no track"
# Exception 2 holds only for a syscall that reaches the end of the trace, and only if the
# goroutine was still in it (not one that exited in it at the trace's last event).
agree agree-exited-in-syscall '/"id": 2,/s/"final_state": "syscall"/"final_state": "notexist"/' \
  "goroutine 2: runnable sums to 50 ns, --json sched_wait_ns is 150"
# Regions and tasks: --json's must be drawn, and only they.
agree agree-region '/"id": 1,/s/"exec_ns": 100,/"exec_ns": 100, "regions": [{"name": "r", "start_ns": 0, "end_ns": 50}],/' \
  "goroutine 1: region slices \[\] \(name, ns\), --json regions \['r' 50\]"
agree agree-task '/"tasks": \[\]/s//"tasks": [{"id": 4, "start_ns": 10, "end_ns": null, "duration_ns": 290}]/' \
  "task 4: in --json but not drawn"
variant later-end '$a packet { timestamp: 500 trusted_packet_sequence_id: 1 track_event { type: TYPE_COUNTER track_uuid: 20 counter_value: 0 } }'
expect_fail later-end "goroutine 2: runnable sums to 50 ns, --json sched_wait_ns is 150" --json "$tmp/good.json"
printf '{"schema": "other"}' >"$tmp/other.json"
cp "$tmp/good.pftrace" "$tmp/other-schema.pftrace"
expect_fail other-schema "--json: not a gtanalyze/v1 export" --json "$tmp/other.json"

# Malformed files: the one-line error, never a crash.
printf 'this is not a trace\n' >"$tmp/text.pftrace"
expect_fail text "packet 1: byte 116 where a packet \(tag 0x0a\) should begin: not a Perfetto trace"
head -c 300 "$tmp/good.pftrace" >"$tmp/cut.pftrace"
expect_fail cut "packet [0-9]+: the file ends inside a packet"
printf '\x0a\x03\x40\xff\xff' >"$tmp/bad-varint.pftrace"
expect_fail bad-varint "packet 1: malformed protobuf \(.*\)"
printf '\x0a\x02\x5a\x05' >"$tmp/short-field.pftrace"
expect_fail short-field "packet 1: malformed protobuf \(.*\)"
printf '\x0a\x02\x51\x01' >"$tmp/wrong-wire-type.pftrace"
expect_fail wrong-wire-type "packet 1: trusted_packet_sequence_id has the wrong wire type"
: >"$tmp/empty.pftrace"
expect_fail empty "no packets"

echo "perfetto_check selftest: $passes passed, $failures failed"
[ "$failures" = 0 ]

// perfetto_check: checks a Perfetto trace written by `gtanalyze perfetto` against docs/perfetto.md,
// without any of the exporter's code (it reads the wire format with libprotozero, from the field
// numbers of tests/report/perfetto/trace.proto), so that a bug in the exporter cannot hide itself.
//
//   perfetto_check FILE.pftrace [--json SUMMARY.json]
//
// It checks the encoding (one packet sequence, interned ids defined before use and never
// redefined, tracks described before use, timestamps - absolute or deltas on an incremental clock
// of the sequence - never going back), the shape (slices
// balanced per track, counters only on counter tracks, every flow begun once and ended once,
// later), and with --json (the output of `gtanalyze --json TRACE`) that each goroutine's state
// slices sum to its figures there, with exactly the exceptions docs/perfetto.md lists.
//
// Exit 0 with one line on stdout: `perfetto_check: FILE: N packets, T tracks, S slices, F flows,
// C counters[, G goroutines agree with --json]` (C counts counter values). Exit 1 with one line on
// stderr at the first problem: `perfetto_check: FILE: packet N: what was wrong` (packets count
// from 1), or `perfetto_check: FILE: goroutine G: ...` for a disagreement with --json. Exit 2 on
// a bad command line. The file is untrusted: a malformed one gives that line, never a crash.
#include <protozero/exception.hpp>
#include <protozero/pbf_reader.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

using protozero::pbf_reader;
using protozero::pbf_wire_type;
using std::int64_t;
using std::uint64_t;

// A problem found: the packet it was found in (0 when it is about no one packet) and what.
struct Failure {
  uint64_t packet;
  std::string what;
};

// Field numbers (tests/report/perfetto/trace.proto, from Perfetto's public protos).
namespace field {
constexpr uint32_t kTracePacket = 1;
constexpr uint32_t kClockSnapshot = 6, kTimestamp = 8, kSequenceId = 10, kTrackEvent = 11, kInternedData = 12,
                   kSequenceFlags = 13, kTimestampClockId = 58, kDefaults = 59, kTrackDescriptor = 60;
constexpr uint32_t kDefaultsClockId = 58;  // TracePacketDefaults
constexpr uint32_t kClocks = 1, kClockId = 1, kClockTime = 2, kClockIncremental = 3, kClockUnit = 4;  // ClockSnapshot
constexpr uint32_t kTrackUuid = 1, kTrackName = 2, kParentUuid = 5, kCounter = 8;
constexpr uint32_t kAnnotations = 4, kType = 9, kNameIid = 10, kEventTrack = 11, kCategories = 22, kName = 23,
                   kExtraCounterValues = 12, kCounterValue = 30, kExtraCounterTrackUuids = 31, kFlowIds = 47,
                   kTerminatingFlowIds = 48, kCallstackIid = 56;
constexpr uint32_t kAnnotationNameIid = 1, kAnnotationName = 10;
constexpr uint32_t kEventNames = 2, kAnnotationNames = 3, kFunctionNames = 5, kFrames = 6, kCallstacks = 7;
constexpr uint32_t kIid = 1, kInternedValue = 2, kFrameFunction = 2, kFrameLine = 6, kFrameIds = 2;
}  // namespace field

constexpr uint32_t kIncrementalStateCleared = 1;
// Clocks: Perfetto's default trace clock (boot time), and the range of a sequence's own clocks.
constexpr uint64_t kBootTime = 6, kFirstSequenceClock = 64, kLastSequenceClock = 127;
// Perfetto's importer drops an event with more extra counter values than this.
constexpr size_t kMaxExtraCounters = 8;
enum EventType : uint64_t { kSliceBegin = 1, kSliceEnd = 2, kInstant = 3, kCounter = 4 };

// The packet being checked, for the messages of failures found inside it.
uint64_t current_packet = 0;

[[noreturn]] void fail(std::string what) { throw Failure{current_packet, std::move(what)}; }

// Readers of one field that first check its wire type: protozero asserts on a mismatch, and the
// input is untrusted, so a wrong type must be a failure, not an assert.
void need(const pbf_reader& r, pbf_wire_type type, const char* what) {
  if (r.wire_type() != type) fail(std::string(what) + " has the wrong wire type");
}
uint64_t read_varint(pbf_reader& r, const char* what) {
  need(r, pbf_wire_type::varint, what);
  return r.get_uint64();
}
std::string read_string(pbf_reader& r, const char* what) {
  need(r, pbf_wire_type::length_delimited, what);
  return r.get_string();
}
pbf_reader read_message(pbf_reader& r, const char* what) {
  need(r, pbf_wire_type::length_delimited, what);
  return r.get_message();
}
// A repeated field, packed or not: proto2 writes one element per field, but a writer may pack.
void read_fixed64s(pbf_reader& r, const char* what, std::vector<uint64_t>& out) {
  if (r.wire_type() == pbf_wire_type::fixed64) {
    out.push_back(r.get_fixed64());
    return;
  }
  need(r, pbf_wire_type::length_delimited, what);
  for (uint64_t v : r.get_packed_fixed64()) out.push_back(v);
}
void read_varints(pbf_reader& r, const char* what, std::vector<uint64_t>& out) {
  if (r.wire_type() == pbf_wire_type::varint) {
    out.push_back(r.get_uint64());
    return;
  }
  need(r, pbf_wire_type::length_delimited, what);
  for (uint64_t v : r.get_packed_uint64()) out.push_back(v);
}

// One interning table. Perfetto forbids giving an iid a second value even after the incremental
// state was cleared, so values are kept for the whole file; an iid is usable only if it was
// defined since the last clear (its epoch is the current one).
template <typename Value>
class InternTable {
 public:
  explicit InternTable(const char* name) : name_(name) {}
  void define(uint64_t iid, Value value, uint64_t epoch) {
    if (iid == 0) fail(std::string("defines ") + name_ + " iid 0, which means \"not set\"");
    auto [it, fresh] = entries_.try_emplace(iid, Entry{value, epoch});
    if (!fresh && it->second.value != value) fail(std::string("redefines ") + name_ + " iid " + std::to_string(iid));
    it->second.epoch = epoch;
  }
  const Value& use(uint64_t iid, uint64_t epoch) const {
    auto it = entries_.find(iid);
    if (it == entries_.end() || it->second.epoch != epoch)
      fail(std::string("uses ") + name_ + " iid " + std::to_string(iid) + ", not defined before");
    return it->second.value;
  }

 private:
  struct Entry {
    Value value;
    uint64_t epoch;
  };
  const char* name_;
  std::unordered_map<uint64_t, Entry> entries_;
};

struct Frame {
  uint64_t function;
  uint64_t line;
  bool operator==(const Frame&) const = default;
};

// What one packet's InternedData defines, read whole before any of it is used, so that a frame
// may name a function defined later in the same message.
struct InternedDefs {
  std::vector<std::pair<uint64_t, std::string>> event_names, annotation_names, function_names;
  std::vector<std::pair<uint64_t, Frame>> frames;
  std::vector<std::pair<uint64_t, std::vector<uint64_t>>> callstacks;
};

std::pair<uint64_t, std::string> read_interned_string(pbf_reader m, const char* what) {
  std::pair<uint64_t, std::string> entry{0, ""};
  while (m.next()) {
    switch (m.tag()) {
      case field::kIid: entry.first = read_varint(m, what); break;
      case field::kInternedValue: entry.second = read_string(m, what); break;
      default: m.skip();
    }
  }
  return entry;
}

std::pair<uint64_t, Frame> read_frame(pbf_reader m) {
  std::pair<uint64_t, Frame> entry{0, {0, 0}};
  while (m.next()) {
    switch (m.tag()) {
      case field::kIid: entry.first = read_varint(m, "frame iid"); break;
      case field::kFrameFunction: entry.second.function = read_varint(m, "frame function_name_id"); break;
      case field::kFrameLine: entry.second.line = read_varint(m, "frame line_number"); break;
      default: m.skip();
    }
  }
  return entry;
}

std::pair<uint64_t, std::vector<uint64_t>> read_callstack(pbf_reader m) {
  std::pair<uint64_t, std::vector<uint64_t>> entry{0, {}};
  while (m.next()) {
    switch (m.tag()) {
      case field::kIid: entry.first = read_varint(m, "callstack iid"); break;
      case field::kFrameIds: read_varints(m, "callstack frame_ids", entry.second); break;
      default: m.skip();
    }
  }
  return entry;
}

InternedDefs read_interned(pbf_reader m) {
  InternedDefs defs;
  while (m.next()) {
    switch (m.tag()) {
      case field::kEventNames:
        defs.event_names.push_back(read_interned_string(read_message(m, "event_names"), "event name"));
        break;
      case field::kAnnotationNames:
        defs.annotation_names.push_back(
            read_interned_string(read_message(m, "debug_annotation_names"), "annotation name"));
        break;
      case field::kFunctionNames:
        defs.function_names.push_back(read_interned_string(read_message(m, "function_names"), "function name"));
        break;
      case field::kFrames: defs.frames.push_back(read_frame(read_message(m, "frames"))); break;
      case field::kCallstacks: defs.callstacks.push_back(read_callstack(read_message(m, "callstacks"))); break;
      default: m.skip();
    }
  }
  return defs;
}

// The sequence's interned state: five tables and the epoch, bumped by each clear.
struct Interned {
  uint64_t epoch = 0;
  InternTable<std::string> event_names{"event name"};
  InternTable<std::string> annotation_names{"debug annotation name"};
  InternTable<std::string> function_names{"function name"};
  InternTable<Frame> frames{"frame"};
  InternTable<std::vector<uint64_t>> callstacks{"callstack"};

  void add(const InternedDefs& defs) {
    for (const auto& [iid, name] : defs.event_names) event_names.define(iid, name, epoch);
    for (const auto& [iid, name] : defs.annotation_names) annotation_names.define(iid, name, epoch);
    for (const auto& [iid, name] : defs.function_names) function_names.define(iid, name, epoch);
    for (const auto& [iid, frame] : defs.frames) frames.define(iid, frame, epoch);
    for (const auto& [iid, stack] : defs.callstacks) callstacks.define(iid, stack, epoch);
    // Only now, with the whole message defined, may the new entries' references be resolved.
    for (const auto& [iid, frame] : defs.frames) function_names.use(frame.function, epoch);
    for (const auto& [iid, stack] : defs.callstacks)
      for (uint64_t frame : stack) frames.use(frame, epoch);
  }
};

// A goroutine track's depth-0 slices (its states), summed by name, and the last one.
struct GoroutineTally {
  uint64_t track = 0;
  std::map<std::string, int64_t> by_name;
  std::string last_name;
  uint64_t last_begin = 0, last_end = 0;
};

struct OpenSlice {
  std::string name;
  uint64_t begin;
  uint64_t packet;
};

struct Track {
  std::string name;
  std::optional<uint64_t> parent;
  bool counter = false;
  std::optional<uint64_t> goroutine;  // set on goroutine tracks: `G<id>[ <start function>]` in a group
  std::vector<OpenSlice> open;        // the slices open on it, outermost first
};

struct Flow {
  uint64_t begin;
  uint64_t packet;
  bool ended = false;
};

// The goroutine id of a track named `G<id>` or `G<id> <start function>` (^G(\d+)( .*)?$).
std::optional<uint64_t> goroutine_in_name(std::string_view name) {
  if (name.size() < 2 || name[0] != 'G') return std::nullopt;
  std::string_view rest = name.substr(1);
  std::string_view digits = rest.substr(0, rest.find(' '));
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return id;
}

// The names a goroutine track's depth-0 slices may have (docs/perfetto.md, "Goroutine slices").
bool is_state_name(std::string_view name) {
  return name == "running" || name == "runnable" || name == "syscall" || name == "syscall (blocked)" ||
         name == "waiting" || name.starts_with("waiting: ");
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

// The fields of one TrackEvent that the checks need, names already resolved.
struct Event {
  std::optional<uint64_t> type, track;
  std::optional<std::string> name;
  bool has_counter_value = false;
  std::vector<uint64_t> extra_counter_tracks;
  size_t extra_counter_values = 0;
  std::vector<uint64_t> flows, terminating_flows;
};

// The fields of one TracePacket, sub-messages still encoded.
struct Packet {
  std::optional<uint64_t> timestamp, sequence_id, clock_id;
  uint64_t flags = 0;
  std::optional<pbf_reader> event, interned, descriptor, defaults, clock_snapshot;
};

Packet read_packet(std::string_view bytes) {
  Packet p;
  pbf_reader m(bytes.data(), bytes.size());
  while (m.next()) {
    switch (m.tag()) {
      case field::kTimestamp: p.timestamp = read_varint(m, "timestamp"); break;
      case field::kSequenceId: p.sequence_id = read_varint(m, "trusted_packet_sequence_id"); break;
      case field::kSequenceFlags: p.flags = read_varint(m, "sequence_flags"); break;
      case field::kTimestampClockId: p.clock_id = read_varint(m, "timestamp_clock_id"); break;
      case field::kDefaults: p.defaults = read_message(m, "trace_packet_defaults"); break;
      case field::kClockSnapshot: p.clock_snapshot = read_message(m, "clock_snapshot"); break;
      case field::kTrackEvent: p.event = read_message(m, "track_event"); break;
      case field::kInternedData: p.interned = read_message(m, "interned_data"); break;
      case field::kTrackDescriptor: p.descriptor = read_message(m, "track_descriptor"); break;
      default: m.skip();
    }
  }
  return p;
}

class Checker {
 public:
  void packet(std::string_view bytes);
  void finish();
  // Compares the goroutine tracks with `gtanalyze --json`; returns how many goroutines agree.
  size_t agree(const nlohmann::json& summary) const;
  std::string counts() const;

 private:
  void describe(pbf_reader m);
  void read_defaults(pbf_reader m, uint64_t flags);
  void read_clocks(pbf_reader m);
  uint64_t trace_time(const Packet& p);
  Event read_event(pbf_reader m) const;
  void read_annotation(pbf_reader m) const;
  void event(const Event& e, uint64_t ts);
  void slice_end(Track& track, const Event& e, uint64_t ts);
  void tally(const Track& track, const OpenSlice& slice, uint64_t end);
  std::string compare_regions(uint64_t id, const nlohmann::json& g, uint64_t duration) const;
  void flow_ends(const Event& e, uint64_t ts);

  uint64_t packets_ = 0, slices_ = 0, flows_ = 0, counters_ = 0;
  std::optional<uint64_t> last_ts_;
  // The sequence's own clocks, from its clock snapshots, and the one its defaults name.
  struct Clock {
    bool incremental = false;
    uint64_t value = 0;      // the last time read on it (the snapshot's, at first)
    uint64_t boot_time = 0;  // boot time when it read `base`
    uint64_t base = 0;
  };
  std::map<uint64_t, Clock> clocks_;
  std::optional<uint64_t> default_clock_;
  Interned interned_;
  std::map<uint64_t, Track> tracks_;
  std::map<uint64_t, Flow> flow_state_;
  std::map<uint64_t, GoroutineTally> goroutines_;
  std::map<uint64_t, std::vector<std::pair<std::string, uint64_t>>> regions_;  // by goroutine: name, duration
  std::map<uint64_t, uint64_t> tasks_;                                         // duration by task id
};

void Checker::packet(std::string_view bytes) {
  ++packets_;
  Packet p = read_packet(bytes);
  if (p.sequence_id != 1u)
    fail("trusted_packet_sequence_id is " + (p.sequence_id ? std::to_string(*p.sequence_id) : "missing") + ", not 1");
  if (packets_ == 1 && !(p.flags & kIncrementalStateCleared))
    fail("the first packet does not clear the incremental state (sequence_flags bit 1)");
  if (p.flags & kIncrementalStateCleared) {
    ++interned_.epoch;
    default_clock_.reset();
  }
  if (p.defaults) read_defaults(*p.defaults, p.flags);
  if (p.interned) interned_.add(read_interned(*p.interned));
  if (p.clock_snapshot) read_clocks(*p.clock_snapshot);
  if (p.descriptor) describe(*p.descriptor);
  std::optional<uint64_t> ts;
  if (p.timestamp) {
    ts = trace_time(p);
    if (last_ts_ && *ts < *last_ts_)
      fail("timestamp " + std::to_string(*ts) + " goes back from " + std::to_string(*last_ts_));
    last_ts_ = ts;
  }
  if (p.event) {
    if (!ts) fail("a track event without a timestamp");
    event(read_event(*p.event), *ts);
  }
}

// Defaults belong to the incremental state: Perfetto wants them with each clear.
void Checker::read_defaults(pbf_reader m, uint64_t flags) {
  if (!(flags & kIncrementalStateCleared))
    fail("trace_packet_defaults in a packet that does not clear the incremental state");
  while (m.next()) {
    if (m.tag() == field::kDefaultsClockId)
      default_clock_ = read_varint(m, "defaults timestamp_clock_id");
    else
      m.skip();
  }
}

// A snapshot must read boot time (the trace clock) and may define the sequence's own clocks
// against it; only those may be incremental, as in Perfetto.
void Checker::read_clocks(pbf_reader m) {
  std::map<uint64_t, Clock> read;
  std::optional<uint64_t> boot;
  while (m.next()) {
    if (m.tag() != field::kClocks) {
      m.skip();
      continue;
    }
    pbf_reader c = read_message(m, "clock");
    std::optional<uint64_t> id, time;
    bool incremental = false;
    while (c.next()) {
      switch (c.tag()) {
        case field::kClockId: id = read_varint(c, "clock_id"); break;
        case field::kClockTime: time = read_varint(c, "clock timestamp"); break;
        case field::kClockIncremental: incremental = read_varint(c, "clock is_incremental") != 0; break;
        case field::kClockUnit:
          if (read_varint(c, "clock unit_multiplier_ns") > 1) fail("a clock in units other than ns");
          break;
        default: c.skip();
      }
    }
    if (!id || !time) fail("a clock in a clock snapshot without clock_id or timestamp");
    if (*id == kBootTime) {
      boot = time;
    } else if (*id >= kFirstSequenceClock && *id <= kLastSequenceClock) {
      read[*id] = Clock{incremental, *time, 0, *time};
    } else {
      fail("clock " + std::to_string(*id) + " in a clock snapshot (only boot time and the sequence's own)");
    }
    if (incremental && *id == kBootTime) fail("boot time declared incremental (only a sequence's own clock may be)");
  }
  if (!boot) fail("a clock snapshot without boot time");
  for (auto& [id, clock] : read) {
    clock.boot_time = *boot;
    clocks_[id] = clock;
  }
}

// A packet's timestamp in boot time: on the packet's clock, or else its defaults', or else boot time.
uint64_t Checker::trace_time(const Packet& p) {
  const uint64_t id = p.clock_id ? *p.clock_id : default_clock_.value_or(kBootTime);
  if (id == kBootTime) return *p.timestamp;
  auto it = clocks_.find(id);
  if (it == clocks_.end())
    fail("a timestamp on clock " + std::to_string(id) + ", which no clock snapshot has defined before");
  Clock& clock = it->second;
  clock.value = clock.incremental ? clock.value + *p.timestamp : *p.timestamp;
  if (clock.value < clock.base) fail("a timestamp before its clock's snapshot");
  return clock.boot_time + (clock.value - clock.base);
}

void Checker::describe(pbf_reader m) {
  std::optional<uint64_t> uuid;
  Track track;
  while (m.next()) {
    switch (m.tag()) {
      case field::kTrackUuid: uuid = read_varint(m, "track uuid"); break;
      case field::kTrackName: track.name = read_string(m, "track name"); break;
      case field::kParentUuid: track.parent = read_varint(m, "track parent_uuid"); break;
      case field::kCounter:
        read_message(m, "track counter");
        track.counter = true;
        break;
      default: m.skip();
    }
  }
  // uuid 0 is Perfetto's implicit global track, not one of ours.
  if (!uuid || *uuid == 0) fail("a track descriptor without a uuid");
  if (tracks_.contains(*uuid)) fail("track " + std::to_string(*uuid) + " is described twice");
  const Track* parent = nullptr;
  if (track.parent) {
    auto it = tracks_.find(*track.parent);
    if (it == tracks_.end())
      fail("track " + std::to_string(*uuid) + "'s parent " + std::to_string(*track.parent) + " is not described");
    parent = &it->second;
  }
  // A goroutine track sits in a group: a top-level track other than `Procs` (whose P tracks are
  // named P<id> anyway) and other than a counter.
  bool in_group = parent && !parent->parent && !parent->counter && parent->name != "Procs";
  if (auto id = goroutine_in_name(track.name); id && in_group && !track.counter) {
    auto [it, fresh] = goroutines_.try_emplace(*id, GoroutineTally{*uuid, {}, "", 0, 0});
    if (!fresh) {
      // An id taken again once its goroutine ended (a cgo callback's goroutine takes the id of the
      // one before it on that thread) is a new goroutine with a track of its own; --json has the
      // last one.
      if (!tracks_.at(it->second.track).open.empty())
        fail("goroutine " + std::to_string(*id) + " has a second track " + in_quotes(track.name) +
             " while its first has open slices");
      it->second = GoroutineTally{*uuid, {}, "", 0, 0};
    }
    track.goroutine = id;
  }
  tracks_.emplace(*uuid, std::move(track));
}

void Checker::read_annotation(pbf_reader m) const {
  bool named = false;
  while (m.next()) {
    if (m.tag() == field::kAnnotationNameIid) {
      interned_.annotation_names.use(read_varint(m, "debug annotation name_iid"), interned_.epoch);
      named = true;
    } else if (m.tag() == field::kAnnotationName) {
      read_string(m, "debug annotation name");
      named = true;
    } else {
      m.skip();
    }
  }
  if (!named) fail("a debug annotation without a name");
}

Event Checker::read_event(pbf_reader m) const {
  Event e;
  while (m.next()) {
    switch (m.tag()) {
      case field::kType: e.type = read_varint(m, "event type"); break;
      case field::kEventTrack: e.track = read_varint(m, "event track_uuid"); break;
      case field::kNameIid:
        e.name = interned_.event_names.use(read_varint(m, "event name_iid"), interned_.epoch);
        break;
      case field::kName: e.name = read_string(m, "event name"); break;
      case field::kCategories: read_string(m, "event categories"); break;
      case field::kCounterValue:
        read_varint(m, "event counter_value");
        e.has_counter_value = true;
        break;
      // Perfetto reads these two unpacked, one value per field: read_varint rejects a packed one.
      case field::kExtraCounterTrackUuids:
        e.extra_counter_tracks.push_back(read_varint(m, "event extra_counter_track_uuids"));
        break;
      case field::kExtraCounterValues:
        read_varint(m, "event extra_counter_values");
        ++e.extra_counter_values;
        break;
      case field::kFlowIds: read_fixed64s(m, "event flow_ids", e.flows); break;
      case field::kTerminatingFlowIds: read_fixed64s(m, "event terminating_flow_ids", e.terminating_flows); break;
      case field::kCallstackIid:
        interned_.callstacks.use(read_varint(m, "event callstack_iid"), interned_.epoch);
        break;
      case field::kAnnotations: read_annotation(read_message(m, "debug annotation")); break;
      default: m.skip();
    }
  }
  return e;
}

void Checker::event(const Event& e, uint64_t ts) {
  // No TrackEventDefaults are written, so an event without a track would land on Perfetto's
  // implicit global track: never what the exporter means.
  if (!e.track) fail("a track event without a track_uuid");
  auto it = tracks_.find(*e.track);
  if (it == tracks_.end()) fail("track " + std::to_string(*e.track) + " is used before it is described");
  Track& track = it->second;
  std::string where = " on track " + std::to_string(*e.track) + " " + in_quotes(track.name);
  uint64_t type = e.type.value_or(0);
  if (type < kSliceBegin || type > kCounter)
    fail("an event of type " + std::to_string(type) + where + " (not a slice, instant or counter)");
  if ((type == kCounter) != track.counter)
    fail(type == kCounter ? "a counter value" + where + ", not a counter track"
                          : "a slice or instant event" + where + ", a counter track");
  switch (type) {
    case kSliceBegin:
      if (!e.name) fail("a slice begins without a name" + where);
      track.open.push_back(OpenSlice{*e.name, ts, current_packet});
      break;
    case kSliceEnd: slice_end(track, e, ts); break;
    case kCounter:
      if (!e.has_counter_value) fail("a counter event without counter_value" + where);
      ++counters_;
      break;
    default: break;  // an instant: nothing to balance
  }
  if (e.extra_counter_values != e.extra_counter_tracks.size())
    fail(std::to_string(e.extra_counter_values) + " extra counter values for " +
         std::to_string(e.extra_counter_tracks.size()) + " extra counter tracks" + where);
  if (e.extra_counter_tracks.size() > kMaxExtraCounters)
    fail(std::to_string(e.extra_counter_tracks.size()) + " extra counter values" + where + ", more than " +
         std::to_string(kMaxExtraCounters));
  for (uint64_t uuid : e.extra_counter_tracks) {
    auto extra = tracks_.find(uuid);
    if (extra == tracks_.end() || !extra->second.counter)
      fail("an extra counter value" + where + " for track " + std::to_string(uuid) + ", not a described counter track");
    ++counters_;
  }
  for (uint64_t id : e.flows) {
    auto [at, fresh] = flow_state_.try_emplace(id, Flow{ts, current_packet});
    if (!fresh)
      fail("flow " + std::to_string(id) + " begins a second time (first in packet " +
           std::to_string(at->second.packet) + ")");
  }
  flow_ends(e, ts);
}

void Checker::slice_end(Track& track, const Event& e, uint64_t ts) {
  if (track.open.empty()) fail("a slice ends with no slice open on track " + in_quotes(track.name));
  OpenSlice slice = std::move(track.open.back());
  track.open.pop_back();
  if (e.name && *e.name != slice.name)
    fail("slice " + in_quotes(*e.name) + " ends while " + in_quotes(slice.name) + " is open on track " +
         in_quotes(track.name));
  ++slices_;
  if (track.goroutine && track.open.empty()) tally(track, slice, ts);
  // A goroutine's regions: slices on a `regions` track under its track.
  if (track.name == "regions" && track.parent) {
    const Track& parent = tracks_.at(*track.parent);
    if (parent.goroutine) regions_[*parent.goroutine].push_back({slice.name, ts - slice.begin});
  }
  // A task: the one slice of a `task <id>` track.
  if (track.name.starts_with("task ")) {
    const std::string digits = track.name.substr(5);
    uint64_t id = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size()) fail("task track " + in_quotes(track.name));
    if (!tasks_.emplace(id, ts - slice.begin).second) fail("task " + std::to_string(id) + " drawn twice");
  }
}

void Checker::tally(const Track& track, const OpenSlice& slice, uint64_t end) {
  if (!is_state_name(slice.name))
    fail("goroutine track " + in_quotes(track.name) + " has a depth-0 slice " + in_quotes(slice.name) +
         ", not a goroutine state");
  GoroutineTally& g = goroutines_.at(*track.goroutine);
  g.by_name[slice.name] += static_cast<int64_t>(end - slice.begin);
  g.last_name = slice.name;
  g.last_begin = slice.begin;
  g.last_end = end;
}

// Perfetto links a terminating id to the flow begun with it earlier in the (time-sorted) trace, so
// an end must come after its beginning in the file, not merely at a time that is not earlier.
void Checker::flow_ends(const Event& e, uint64_t ts) {
  for (uint64_t id : e.terminating_flows) {
    if (std::find(e.flows.begin(), e.flows.end(), id) != e.flows.end())
      fail("flow " + std::to_string(id) + " begins and ends on the same event");
    auto it = flow_state_.find(id);
    if (it == flow_state_.end()) fail("flow " + std::to_string(id) + " ends but was never begun");
    if (it->second.ended) fail("flow " + std::to_string(id) + " ends a second time");
    if (ts < it->second.begin)
      fail("flow " + std::to_string(id) + " ends at " + std::to_string(ts) + ", before it begins at " +
           std::to_string(it->second.begin));
    it->second.ended = true;
    ++flows_;
  }
}

// What may only be judged at the end of the file: slices never ended, flows never ended. The
// earliest one is reported, by the packet that began it.
void Checker::finish() {
  if (packets_ == 0) fail("no packets");
  std::optional<Failure> first;
  auto keep = [&first](uint64_t packet, std::string what) {
    if (!first || packet < first->packet) first = Failure{packet, std::move(what)};
  };
  for (const auto& [uuid, track] : tracks_)
    if (!track.open.empty())
      keep(track.open.front().packet,
           "slice " + in_quotes(track.open.front().name) + " on track " + in_quotes(track.name) + " never ends");
  for (const auto& [id, flow] : flow_state_)
    if (!flow.ended) keep(flow.packet, "flow " + std::to_string(id) + " begins but never ends");
  if (first) throw *first;
}

std::string Checker::counts() const {
  return std::to_string(packets_) + " packets, " + std::to_string(tracks_.size()) + " tracks, " +
         std::to_string(slices_) + " slices, " + std::to_string(flows_) + " flows, " + std::to_string(counters_) +
         " counters";
}

// One goroutine's figures, as --json gives them or as its slices sum to.
struct Figures {
  int64_t exec = 0, sched_wait = 0, syscall = 0, syscall_block = 0;
  std::map<std::string, int64_t> block;  // by reason; "" for `waiting`
  bool in_syscall_at_end = false;        // --json only: final_state is "syscall"
  bool all_zero() const {
    return exec == 0 && sched_wait == 0 && syscall == 0 && syscall_block == 0 &&
           std::all_of(block.begin(), block.end(), [](const auto& kv) { return kv.second == 0; });
  }
};

Figures json_figures(const nlohmann::json& g) {
  Figures f;
  f.exec = g.at("exec_ns").get<int64_t>();
  f.sched_wait = g.at("sched_wait_ns").get<int64_t>();
  f.syscall = g.at("syscall_ns").get<int64_t>();
  f.syscall_block = g.at("syscall_block_ns").get<int64_t>();
  for (const auto& [reason, ns] : g.at("block_ns_by_reason").items()) f.block[reason] = ns.get<int64_t>();
  f.in_syscall_at_end = g.at("final_state").get<std::string>() == "syscall";
  return f;
}

// The timeline's figures for one goroutine, with docs/perfetto.md's exceptions applied; `tail` is
// set to the d of exception 2 when it applies, which --json's final_state tells (`in_syscall`).
Figures timeline_figures(const GoroutineTally& t, uint64_t trace_end, bool in_syscall, int64_t& tail) {
  Figures f;
  for (const auto& [name, ns] : t.by_name) {
    if (name == "running")
      f.exec = ns;
    else if (name == "runnable")
      f.sched_wait = ns;
    else if (name == "syscall")
      f.syscall = ns;
    else if (name == "syscall (blocked)")
      f.syscall_block = ns;
    else if (name == "waiting")
      f.block[""] = ns;
    // Exception 1: Go ends a goroutine blocked forever there; the timeline draws the wait on.
    else if (name != "waiting: forever")
      f.block[name.substr(std::string_view("waiting: ").size())] = ns;
  }
  // Exception 2: a syscall that lost its P and never returned is charged by Go to syscall_ns and
  // sched_wait_ns from the moment the P was taken, and not to syscall_block_ns. The timeline alone
  // cannot tell it from a goroutine that exits in that syscall at the trace's very last event
  // (go122-create-syscall-reuse-thread-id.test: GoDestroySyscall is the last event, and Go
  // charges that syscall as any other), so --json's final_state must also say it is still in it.
  tail = 0;
  if (t.last_name == "syscall (blocked)" && t.last_end == trace_end && in_syscall) {
    tail = static_cast<int64_t>(t.last_end - t.last_begin);
    f.syscall += tail;
    f.sched_wait += tail;
    f.syscall_block -= tail;
  }
  return f;
}

// The first difference between a goroutine's timeline and --json figures, in the words of
// perfetto_check's messages, or "" when they agree.
std::string compare(const Figures& timeline, const Figures& json, int64_t tail) {
  std::string note = tail ? " (with exception 2's " + std::to_string(tail) + " ns)" : "";
  auto differs = [](const char* slice, int64_t have, const std::string& key, int64_t want, const std::string& why) {
    return slice + std::string(" sums to ") + std::to_string(have) + " ns" + why + ", --json " + key + " is " +
           std::to_string(want);
  };
  if (timeline.exec != json.exec) return differs("running", timeline.exec, "exec_ns", json.exec, "");
  if (timeline.sched_wait != json.sched_wait)
    return differs("runnable", timeline.sched_wait, "sched_wait_ns", json.sched_wait, note);
  if (timeline.syscall != json.syscall) return differs("syscall", timeline.syscall, "syscall_ns", json.syscall, note);
  if (timeline.syscall_block != json.syscall_block)
    return differs("syscall (blocked)", timeline.syscall_block, "syscall_block_ns", json.syscall_block, note);
  std::map<std::string, std::pair<int64_t, int64_t>> reasons;  // reason -> (timeline, json)
  for (const auto& [reason, ns] : timeline.block) reasons[reason].first = ns;
  for (const auto& [reason, ns] : json.block) reasons[reason].second = ns;
  for (const auto& [reason, ns] : reasons) {
    if (ns.first == ns.second) continue;
    std::string slice = reason.empty() ? "waiting" : "waiting: " + reason;
    std::string why = reason == "forever" ? " (not counted: exception 1)" : "";
    return differs(slice.c_str(), ns.first, "block_ns_by_reason[\"" + reason + "\"]", ns.second, why);
  }
  return "";
}

size_t Checker::agree(const nlohmann::json& summary) const {
  if (!summary.is_object() || summary.value("schema", "") != "gtanalyze/v1")
    throw Failure{0, "--json: not a gtanalyze/v1 export"};
  std::map<uint64_t, Figures> json;
  const uint64_t duration = summary.at("trace").at("duration_ns").get<uint64_t>();
  for (const auto& g : summary.at("goroutines")) {
    const auto id = g.at("id").get<uint64_t>();
    json[id] = json_figures(g);
    if (std::string diff = compare_regions(id, g, duration); !diff.empty())
      throw Failure{0, "goroutine " + std::to_string(id) + ": " + diff};
  }
  for (const auto& [id, tally] : goroutines_)
    if (!json.contains(id))
      throw Failure{0, "goroutine " + std::to_string(id) + ": has track " + std::to_string(tally.track) + " " +
                           in_quotes(tracks_.at(tally.track).name) + " but is not in --json"};
  // Tasks: drawn over Go's interval (a missing begin or end is the trace's), when they have either.
  std::map<uint64_t, uint64_t> drawn = tasks_;
  for (const auto& t : summary.value("tasks", nlohmann::json::array())) {
    const auto id = t.at("id").get<uint64_t>();
    const bool drawable = !t.at("start_ns").is_null() || !t.at("end_ns").is_null();
    auto it = drawn.find(id);
    if (drawable && it == drawn.end()) throw Failure{0, "task " + std::to_string(id) + ": in --json but not drawn"};
    if (!drawable) continue;
    // Exception 5: a task that ends before it begins lasts less than nothing in Go's summary; it
    // is drawn from the trace's start to its end.
    const auto task_duration = t.at("duration_ns").get<int64_t>();
    const uint64_t want = task_duration < 0 ? t.at("end_ns").get<uint64_t>() : static_cast<uint64_t>(task_duration);
    if (it->second != want)
      throw Failure{0, "task " + std::to_string(id) + ": drawn for " + std::to_string(it->second) +
                           " ns, --json duration_ns is " + std::to_string(task_duration)};
    drawn.erase(it);
  }
  if (!drawn.empty()) throw Failure{0, "task " + std::to_string(drawn.begin()->first) + ": drawn but not in --json"};
  uint64_t trace_end = last_ts_.value_or(0);
  for (const auto& [id, figures] : json) {
    auto it = goroutines_.find(id);
    // A goroutine that --json charges nothing had no state interval to draw (e.g. one seen only
    // in an event at the very end), so it needs no track.
    if (it == goroutines_.end()) {
      if (figures.all_zero()) continue;
      throw Failure{0, "goroutine " + std::to_string(id) + ": in --json with non-zero times but has no track"};
    }
    int64_t tail = 0;
    Figures timeline = timeline_figures(it->second, trace_end, figures.in_syscall_at_end, tail);
    if (std::string diff = compare(timeline, figures, tail); !diff.empty())
      throw Failure{0, "goroutine " + std::to_string(id) + ": " + diff};
  }
  return json.size();
}

// A goroutine's region slices against --json's regions, as multisets of (name, duration): a
// region without a begin is drawn from the trace's start, one without an end to the trace's end
// (--json's times count from the first event, so those are 0 and duration_ns). Synthetic regions
// (no name: a goroutine created inside a region) are not drawn.
std::string Checker::compare_regions(uint64_t id, const nlohmann::json& g, uint64_t duration) const {
  std::vector<std::pair<std::string, uint64_t>> want;
  if (g.contains("regions")) {
    for (const auto& r : g.at("regions")) {
      auto name = r.at("name").get<std::string>();
      if (name.empty()) continue;
      const uint64_t start = r.at("start_ns").is_null() ? 0 : r.at("start_ns").get<uint64_t>();
      const uint64_t end = r.at("end_ns").is_null() ? duration : r.at("end_ns").get<uint64_t>();
      want.emplace_back(std::move(name), end - start);
    }
  }
  auto it = regions_.find(id);
  auto have = it == regions_.end() ? decltype(want){} : it->second;
  std::sort(want.begin(), want.end());
  std::sort(have.begin(), have.end());
  if (have == want) return "";
  auto show = [](const auto& list) {
    std::string text;
    for (const auto& [name, ns] : list) text += (text.empty() ? "" : ", ") + in_quotes(name) + " " + std::to_string(ns);
    return "[" + text + "]";
  };
  return "region slices " + show(have) + " (name, ns), --json regions " + show(want);
}

// Reads the file one TracePacket at a time (Trace is only `repeated TracePacket packet = 1`, so
// the file is a run of tag 0x0a, a varint length and that many bytes), never the whole file.
class PacketStream {
 public:
  explicit PacketStream(std::FILE* file) : file_(file) {}
  // The next packet's bytes into `out`; false at the end of the file.
  bool next(std::string& out) {
    constexpr int kPacketTag = field::kTracePacket << 3 | 2;  // 0x0a: field 1, length-delimited
    int tag = std::getc(file_);
    if (tag == EOF) return false;
    if (tag != kPacketTag)
      fail("byte " + std::to_string(tag) + " where a packet (tag 0x0a) should begin: not a Perfetto trace");
    uint64_t length = 0;
    for (int shift = 0;; shift += 7) {
      int byte = std::getc(file_);
      if (byte == EOF) fail("the file ends inside a packet's length");
      if (shift > 63) fail("a packet's length is not a valid varint");
      length |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
    }
    // Far more than any packet the exporter writes: a larger length is damage, not data.
    if (length > (uint64_t{1} << 28)) fail("a packet's length is " + std::to_string(length) + " bytes");
    out.resize(length);
    if (std::fread(out.data(), 1, length, file_) != length) fail("the file ends inside a packet");
    return true;
  }

 private:
  std::FILE* file_;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string check(const std::string& path, const std::optional<std::string>& json_path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw Failure{0, "cannot open"};
  Checker checker;
  PacketStream stream(file.get());
  std::string bytes;
  for (current_packet = 1; stream.next(bytes); ++current_packet) checker.packet(bytes);
  current_packet = 0;
  checker.finish();
  std::string result = checker.counts();
  if (json_path) {
    std::ifstream in(*json_path);
    if (!in) throw Failure{0, "--json " + *json_path + ": cannot open"};
    nlohmann::json summary = nlohmann::json::parse(in, nullptr, false);
    if (summary.is_discarded()) throw Failure{0, "--json " + *json_path + ": not JSON"};
    result += ", " + std::to_string(checker.agree(summary)) + " goroutines agree with --json";
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::optional<std::string> json_path;
  if (args.size() == 3 && args[1] == "--json") json_path = args[2];
  if (!(args.size() == 1 || json_path) || args[0].starts_with("-")) {
    std::cerr << "usage: perfetto_check FILE.pftrace [--json SUMMARY.json]\n";
    return 2;
  }
  const std::string& path = args[0];
  std::string where;
  try {
    std::cout << "perfetto_check: " << path << ": " << check(path, json_path) << "\n";
    return 0;
  } catch (const Failure& f) {
    where = (f.packet ? "packet " + std::to_string(f.packet) + ": " : "") + f.what;
  } catch (const protozero::exception& e) {
    where = "packet " + std::to_string(current_packet) + ": malformed protobuf (" + e.what() + ")";
  } catch (const nlohmann::json::exception& e) {
    where = std::string("--json: unexpected content (") + e.what() + ")";
  } catch (const std::exception& e) {
    where = "packet " + std::to_string(current_packet) + ": " + e.what();
  }
  std::cerr << "perfetto_check: " << path << ": " << where << "\n";
  return 1;
}

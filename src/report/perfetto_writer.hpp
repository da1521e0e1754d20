// Perfetto's protobuf trace format, written as a stream: tracks, slices, instants, counters and
// flows on one packet sequence, with names and call stacks interned the first time they are used.
// Knows nothing of Go: report/timeline.cpp decides what to draw. Field numbers are those of
// Perfetto's public protos (protos/perfetto/trace/): TracePacket, TrackDescriptor, TrackEvent,
// InternedData and profile_common's Frame and Callstack; docs/perfetto.md lists what is written.
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gtanalyze/ids.hpp"
#include "gtanalyze/summary.hpp"
#include "report/proto_buffer.hpp"

namespace gtanalyze::report {

// What a slice begins with, besides its time and track. Ids of 0 are "none".
struct SliceStart {
  std::uint64_t track = 0;
  std::uint64_t name = 0;       // an event_name() id
  std::uint64_t callstack = 0;  // a callstack() id
  std::int64_t p = -1, m = -1;  // debug annotations "p" and "m", written when >= 0
  std::uint64_t flow_end = 0;   // a flow that ends at this slice
};

// A value of a counter track (no default member values: arrays of them are filled as needed).
struct CounterValue {
  std::uint64_t track;
  std::int64_t value;
};

class PerfettoWriter {
 public:
  // Writes to `out`, which the caller owns and closes.
  explicit PerfettoWriter(std::FILE* out);

  // A track, before any event on it. parent 0: top level. A counter track takes only counter().
  void track(std::uint64_t uuid, std::string_view name, std::uint64_t parent = 0, bool counter = false);
  // Interned ids, each written (in the next packet) the first time it is asked for.
  std::uint64_t event_name(std::string_view name);
  // `stack` (innermost frame first, as in a Go trace) by the caller's own id for it, > 0.
  std::uint64_t callstack(std::uint32_t id, StackView stack);

  void begin(Time t, const SliceStart& slice);
  void end(Time t, std::uint64_t track);
  // An instant on `track`, where the flow `flow_start` begins (0: none). Its name is not interned:
  // instants name what they point at, all different.
  void instant(Time t, std::uint64_t track, std::string_view name, std::uint64_t flow_start);
  // Counter values at one time, in as few bytes as the format allows: as extra counter values of
  // the last event written, when it is at that time (a slice that began or ended with the change,
  // typically), else one counter event with the first value and the others as its extras.
  void counters(Time t, std::span<const CounterValue> values);

  // Added to every timestamp written, which Perfetto wants non-negative: Go's converter of old
  // traces puts their first event (the Sync) at -1 ns. Set before the first timed packet.
  void set_time_offset(Time offset) { time_offset_ = offset; }

  // Writes out what is buffered; false if a write failed (then or before).
  bool flush();
  [[nodiscard]] bool ok() const { return ok_; }             // no write has failed
  [[nodiscard]] int write_error() const { return error_; }  // errno of the first failed write
  [[nodiscard]] std::uint64_t bytes_written() const { return written_ + buffer_.size(); }

 private:
  // A packet with the sequence fields (and the interned data waiting for it).
  class Packet;
  void start_sequence();
  std::uint64_t time_delta(Time t);
  void after_packet();
  bool add_to_last_event(Time t, std::span<const CounterValue> values);
  std::uint64_t intern_function(std::string_view name);
  std::uint64_t intern_frame(std::uint64_t function, std::uint64_t line);

  std::FILE* out_;
  bool ok_ = true;
  int error_ = 0;
  bool first_packet_ = true;
  std::uint64_t written_ = 0;
  Time time_offset_ = 0;
  std::uint64_t last_time_ = 0;  // of the last timed packet, offset added: timestamps are deltas
  ProtoBuffer buffer_;           // encoded packets not yet written
  ProtoBuffer interned_;         // an InternedData body for the next packet
  // The last packet in buffer_, when it is a track event that may take extra counter values: its
  // offset (kNoEvent: none), time, and the lengths of the packet and of its event (its last field).
  static constexpr std::size_t kNoEvent = SIZE_MAX;
  std::size_t last_event_at_ = kNoEvent;
  Time last_event_time_ = 0;
  std::size_t last_packet_length_ = 0, last_event_length_ = 0;
  std::unordered_map<std::string, std::uint64_t> event_names_, function_names_;
  std::unordered_map<std::uint64_t, std::uint64_t> frames_;  // (function, line) → frame iid
  std::vector<bool> callstacks_;                             // by the caller's id: written yet
};

}  // namespace gtanalyze::report

// Encoding of Perfetto packets with libprotozero (see perfetto_writer.hpp).
#include "report/perfetto_writer.hpp"

#include <algorithm>
#include <optional>
#include <protozero/pbf_writer.hpp>
#include <stdexcept>

namespace gtanalyze::report {
namespace {

// Field numbers, from Perfetto's public protos.
namespace trace_field {
constexpr int kPacket = 1;
}
namespace packet_field {
constexpr int kClockSnapshot = 6, kTimestamp = 8, kSequenceId = 10, kTrackEvent = 11, kInternedData = 12,
              kSequenceFlags = 13, kDefaults = 59, kTrackDescriptor = 60;
}
namespace defaults_field {  // TracePacketDefaults
constexpr int kTimestampClockId = 58;
}
namespace clock_field {  // ClockSnapshot, then its Clock
constexpr int kClocks = 1;
constexpr int kId = 1, kTimestamp = 2, kIsIncremental = 3;
}  // namespace clock_field
namespace track_field {
constexpr int kUuid = 1, kName = 2, kParentUuid = 5, kCounter = 8;
}
namespace event_field {
constexpr int kDebugAnnotations = 4, kType = 9, kNameIid = 10, kTrackUuid = 11, kExtraCounterValues = 12, kName = 23,
              kCounterValue = 30, kExtraCounterTrackUuids = 31, kFlowIds = 47, kTerminatingFlowIds = 48,
              kCallstackIid = 56;
}
namespace annotation_field {
constexpr int kNameIid = 1, kIntValue = 4;
}
namespace interned_field {
constexpr int kEventNames = 2, kAnnotationNames = 3, kFunctionNames = 5, kFrames = 6, kCallstacks = 7;
}
namespace entry_field {  // EventName, DebugAnnotationName, InternedString: iid and the string
constexpr int kIid = 1, kName = 2;
}
namespace frame_field {
constexpr int kIid = 1, kFunctionNameId = 2, kLineNumber = 6;
}
namespace callstack_field {
constexpr int kIid = 1, kFrameIds = 2;
}

enum EventTypeValue : std::int32_t { kSliceBegin = 1, kSliceEnd = 2, kInstant = 3, kCounter = 4 };
enum SequenceFlags : std::uint32_t { kStateCleared = 1, kNeedsState = 2 };
constexpr std::uint32_t kSequenceId = 1;
// Timestamps are deltas from the previous timed packet's, on a clock of the sequence's own that the
// first packets declare incremental and equal to the trace clock (boot time) at 0: a delta takes
// 1-3 bytes where a Go trace's absolute time took 6-8.
constexpr std::uint32_t kBootTimeClock = 6, kDeltaClock = 64;
// A counter event carries at most this many extra counter values (Perfetto's importer drops more).
constexpr std::size_t kMaxExtraCounters = 8;
// The debug annotation names, interned in the first packet.
constexpr std::uint64_t kAnnotationP = 1, kAnnotationM = 2;
constexpr std::size_t kFlushAt = 1 << 20;

void add_entry(std::string& interned, int field, std::uint64_t iid, std::string_view name) {
  protozero::pbf_writer data(interned);
  protozero::pbf_writer entry(data, field);
  entry.add_uint64(entry_field::kIid, iid);
  entry.add_string(entry_field::kName, name.data(), name.size());
}

}  // namespace

using PacketWriter = protozero::basic_pbf_writer<ProtoBuffer>;

// The bytes of a field: a varint one, and a length-delimited one of n bytes.
std::size_t varint_field_size(int field, std::uint64_t value) {
  return static_cast<std::size_t>(protozero::length_of_varint(static_cast<std::uint64_t>(field) << 3u) +
                                  protozero::length_of_varint(value));
}
std::size_t bytes_field_size(int field, std::size_t n) {
  return static_cast<std::size_t>(protozero::length_of_varint(static_cast<std::uint64_t>(field) << 3u) +
                                  protozero::length_of_varint(n)) +
         n;
}

// A TracePacket: its TrackEvent or TrackDescriptor is written into `body()`, then the packet
// around it, with every length known up front, so protozero never has to reserve a length's
// bytes and move the message after it (which cost a fifth of the export's instructions).
class PerfettoWriter::Packet {
 public:
  Packet(PerfettoWriter& w, int body_field, Time time, bool timed)
      : writer_(started(w)), body_field_(body_field), body_(cleared(w.body_)) {
    if (timed) delta_ = w.time_delta(time);
  }
  Packet(const Packet&) = delete;
  Packet& operator=(const Packet&) = delete;
  ~Packet() {
    writer_.write_packet(body_field_, delta_);
    writer_.after_packet();
  }
  PacketWriter& body() { return body_; }

 private:
  static PerfettoWriter& started(PerfettoWriter& w) {
    if (w.first_packet_) w.start_sequence();
    return w;
  }
  static ProtoBuffer& cleared(ProtoBuffer& b) {
    b.clear();
    return b;
  }

  PerfettoWriter& writer_;
  int body_field_;
  std::optional<std::uint64_t> delta_;
  PacketWriter body_;
};

// The packet around the body written: the sequence fields and the interned data waiting for it.
void PerfettoWriter::write_packet(int body_field, std::optional<std::uint64_t> delta) {
  const bool event = body_field == packet_field::kTrackEvent;
  const std::size_t size = (delta ? varint_field_size(packet_field::kTimestamp, *delta) : 0) +
                           varint_field_size(packet_field::kSequenceId, kSequenceId) +
                           (event ? varint_field_size(packet_field::kSequenceFlags, kNeedsState) : 0) +
                           (interned_.empty() ? 0 : bytes_field_size(packet_field::kInternedData, interned_.size())) +
                           bytes_field_size(body_field, body_.size());
  const std::size_t start = buffer_.size();
  {
    PacketWriter trace(buffer_);
    PacketWriter packet(trace, trace_field::kPacket, size);
    if (delta) packet.add_uint64(packet_field::kTimestamp, *delta);
    packet.add_uint32(packet_field::kSequenceId, kSequenceId);
    if (event) packet.add_uint32(packet_field::kSequenceFlags, kNeedsState);
    if (!interned_.empty()) {
      packet.add_message(packet_field::kInternedData, interned_);
      interned_.clear();
    }
    packet.add_message(body_field, body_.data(), body_.size());
  }
  if (buffer_.size() - start != bytes_field_size(trace_field::kPacket, size))
    throw std::logic_error("perfetto export: a packet's size was miscounted");
}

PerfettoWriter::PerfettoWriter(std::FILE* out) : out_(out) {}

// The packets before the first one of the caller's: the sequence's state cleared, with its
// defaults (the delta clock) and the clock snapshot that defines that clock.
void PerfettoWriter::start_sequence() {
  first_packet_ = false;
  PacketWriter trace(buffer_);
  {
    PacketWriter packet(trace, trace_field::kPacket);
    packet.add_uint32(packet_field::kSequenceId, kSequenceId);
    packet.add_uint32(packet_field::kSequenceFlags, kStateCleared);
    PacketWriter defaults(packet, packet_field::kDefaults);
    defaults.add_uint32(defaults_field::kTimestampClockId, kDeltaClock);
  }
  {
    PacketWriter packet(trace, trace_field::kPacket);
    packet.add_uint32(packet_field::kSequenceId, kSequenceId);
    PacketWriter snapshot(packet, packet_field::kClockSnapshot);
    for (auto [id, incremental] : {std::pair{kBootTimeClock, false}, std::pair{kDeltaClock, true}}) {
      PacketWriter clock(snapshot, clock_field::kClocks);
      clock.add_uint32(clock_field::kId, id);
      clock.add_uint64(clock_field::kTimestamp, 0);
      if (incremental) clock.add_bool(clock_field::kIsIncremental, true);
    }
  }
  add_entry(interned_, interned_field::kAnnotationNames, kAnnotationP, "p");
  add_entry(interned_, interned_field::kAnnotationNames, kAnnotationM, "m");
}

std::uint64_t PerfettoWriter::time_delta(Time t) {
  const Time at = t + time_offset_;
  // The timeline draws in time order; a time going back is a bug there, not bad input.
  if (at < 0 || static_cast<std::uint64_t>(at) < last_time_)
    throw std::logic_error("perfetto export: a timestamp goes back");
  const std::uint64_t delta = static_cast<std::uint64_t>(at) - last_time_;
  last_time_ = static_cast<std::uint64_t>(at);
  return delta;
}

void PerfettoWriter::after_packet() {
  if (buffer_.size() >= kFlushAt) flush();
}

bool PerfettoWriter::flush() {
  if (!buffer_.empty()) {
    ok_ = std::fwrite(buffer_.data(), 1, buffer_.size(), out_) == buffer_.size() && ok_;
    written_ += buffer_.size();
    buffer_.clear();
  }
  return ok_;
}

void PerfettoWriter::track(std::uint64_t uuid, std::string_view name, std::uint64_t parent, bool counter) {
  Packet packet(*this, packet_field::kTrackDescriptor, 0, false);
  auto& d = packet.body();
  d.add_uint64(track_field::kUuid, uuid);
  d.add_string(track_field::kName, name.data(), name.size());
  if (parent != 0) d.add_uint64(track_field::kParentUuid, parent);
  if (counter) d.add_message(track_field::kCounter, "", 0);
}

std::uint64_t PerfettoWriter::event_name(std::string_view name) {
  auto [it, inserted] = event_names_.try_emplace(std::string(name), event_names_.size() + 1);
  if (inserted) add_entry(interned_, interned_field::kEventNames, it->second, name);
  return it->second;
}

std::uint64_t PerfettoWriter::intern_function(std::string_view name) {
  auto [it, inserted] = function_names_.try_emplace(std::string(name), function_names_.size() + 1);
  if (inserted) add_entry(interned_, interned_field::kFunctionNames, it->second, name);
  return it->second;
}

std::uint64_t PerfettoWriter::intern_frame(std::uint64_t function, std::uint64_t line) {
  const std::uint32_t line32 = line > UINT32_MAX ? 0 : static_cast<std::uint32_t>(line);
  auto [it, inserted] = frames_.try_emplace(function << 32 | line32, frames_.size() + 1);
  if (inserted) {
    protozero::pbf_writer data(interned_);
    protozero::pbf_writer frame(data, interned_field::kFrames);
    frame.add_uint64(frame_field::kIid, it->second);
    frame.add_uint64(frame_field::kFunctionNameId, function);
    if (line32 != 0) frame.add_uint32(frame_field::kLineNumber, line32);
  }
  return it->second;
}

std::uint64_t PerfettoWriter::callstack(std::uint32_t id, const StackInfo& stack) {
  if (id >= callstacks_.size()) callstacks_.resize(id + std::size_t{1} + callstacks_.size() / 2);
  if (callstacks_[id]) return id;
  callstacks_[id] = true;
  std::vector<std::uint64_t> frames;
  frames.reserve(stack.size());
  // Perfetto wants the outermost frame first.
  for (auto f = stack.rbegin(); f != stack.rend(); ++f)
    frames.push_back(intern_frame(intern_function(f->function), f->line));
  protozero::pbf_writer data(interned_);
  protozero::pbf_writer callstack(data, interned_field::kCallstacks);
  callstack.add_uint64(callstack_field::kIid, id);
  callstack.add_packed_uint64(callstack_field::kFrameIds, frames.begin(), frames.end());
  return id;
}

void PerfettoWriter::begin(Time t, const SliceStart& slice) {
  Packet packet(*this, packet_field::kTrackEvent, t, true);
  auto& e = packet.body();
  e.add_enum(event_field::kType, kSliceBegin);
  e.add_uint64(event_field::kTrackUuid, slice.track);
  e.add_uint64(event_field::kNameIid, slice.name);
  if (slice.callstack != 0) e.add_uint64(event_field::kCallstackIid, slice.callstack);
  for (auto [name, value] : {std::pair{kAnnotationP, slice.p}, std::pair{kAnnotationM, slice.m}}) {
    if (value < 0) continue;
    // Encoded apart and added whole: protozero allows a submessage of known size only once per
    // parent writer (it asserts on the second).
    annotation_.clear();
    PacketWriter annotation(annotation_);
    annotation.add_uint64(annotation_field::kNameIid, name);
    annotation.add_int64(annotation_field::kIntValue, value);
    e.add_message(event_field::kDebugAnnotations, annotation_.data(), annotation_.size());
  }
  if (slice.flow_end != 0) e.add_fixed64(event_field::kTerminatingFlowIds, slice.flow_end);
}

void PerfettoWriter::end(Time t, std::uint64_t track) {
  Packet packet(*this, packet_field::kTrackEvent, t, true);
  packet.body().add_enum(event_field::kType, kSliceEnd);
  packet.body().add_uint64(event_field::kTrackUuid, track);
}

void PerfettoWriter::instant(Time t, std::uint64_t track, std::string_view name, std::uint64_t flow_start) {
  Packet packet(*this, packet_field::kTrackEvent, t, true);
  auto& e = packet.body();
  e.add_enum(event_field::kType, kInstant);
  e.add_uint64(event_field::kTrackUuid, track);
  e.add_string(event_field::kName, name.data(), name.size());
  if (flow_start != 0) e.add_fixed64(event_field::kFlowIds, flow_start);
}

void PerfettoWriter::counters(Time t, std::span<const CounterValue> values) {
  while (!values.empty()) {
    const auto batch = values.first(std::min(values.size(), kMaxExtraCounters + 1));
    values = values.subspan(batch.size());
    Packet packet(*this, packet_field::kTrackEvent, t, true);
    auto& e = packet.body();
    e.add_enum(event_field::kType, kCounter);
    e.add_uint64(event_field::kTrackUuid, batch[0].track);
    e.add_int64(event_field::kCounterValue, batch[0].value);
    for (const CounterValue& extra : batch.subspan(1)) {
      e.add_uint64(event_field::kExtraCounterTrackUuids, extra.track);
      e.add_int64(event_field::kExtraCounterValues, extra.value);
    }
  }
}

}  // namespace gtanalyze::report

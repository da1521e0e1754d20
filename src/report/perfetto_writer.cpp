// Encoding of Perfetto packets (see perfetto_writer.hpp).
#include "report/perfetto_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <optional>
#include <stdexcept>
#include <string>

#include "base/utf8.hpp"

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
constexpr std::size_t kMaxField = ProtoWriter::kMaxField;

// Names are written through as_valid_utf8: protobuf strings must be UTF-8 (protoc and Perfetto's
// importer say so of any that is not), and made valid as --json makes them, a slice's name is the
// --json key it adds up to.
void add_entry(ProtoBuffer& interned, int field, std::uint64_t iid, std::string_view raw_name) {
  std::string storage;
  const std::string_view name = as_valid_utf8(raw_name, storage);
  ProtoWriter data(interned, 3 * kMaxField + name.size());
  char* entry = data.open(field);
  data.varint(entry_field::kIid, iid);
  data.bytes(entry_field::kName, name);
  data.close(entry);
  data.finish();
}

}  // namespace

// A TracePacket, written straight into the output buffer: the sequence fields and the interned
// data waiting for it, then its body (a TrackEvent or TrackDescriptor), whose fields the caller
// writes with body(); they take at most max_body bytes. Timed packets carry the delta from the
// previous timed packet's time.
class PerfettoWriter::Packet {
 public:
  Packet(PerfettoWriter& w, int body_field, std::size_t max_body, std::optional<Time> time = std::nullopt)
      : writer_(started(w)), fields_(w.buffer_, 6 * kMaxField + w.interned_.size() + max_body) {
    w.last_event_at_ = body_field == packet_field::kTrackEvent ? w.buffer_.size() : kNoEvent;
    if (time) w.last_event_time_ = *time;
    packet_ = fields_.open(trace_field::kPacket);
    if (time) fields_.varint(packet_field::kTimestamp, w.time_delta(*time));
    fields_.varint(packet_field::kSequenceId, kSequenceId);
    if (body_field == packet_field::kTrackEvent) fields_.varint(packet_field::kSequenceFlags, kNeedsState);
    if (!w.interned_.empty()) {
      fields_.bytes(packet_field::kInternedData, w.interned_.view());
      w.interned_.clear();
    }
    body_ = fields_.open(body_field);
  }
  Packet(const Packet&) = delete;
  Packet& operator=(const Packet&) = delete;
  ~Packet() {
    writer_.last_event_length_ = fields_.length_since(body_);
    fields_.close(body_);
    writer_.last_packet_length_ = fields_.length_since(packet_);
    fields_.close(packet_);
    fields_.finish();
    writer_.after_packet();
  }
  ProtoWriter& body() { return fields_; }

 private:
  static PerfettoWriter& started(PerfettoWriter& w) {
    if (w.first_packet_) w.start_sequence();
    return w;
  }

  PerfettoWriter& writer_;
  ProtoWriter fields_;
  char* packet_ = nullptr;  // the packet's length, and its body's
  char* body_ = nullptr;
};

PerfettoWriter::PerfettoWriter(std::FILE* out) : out_(out) {}

// The packets before the first one of the caller's: the sequence's state cleared, with its
// defaults (the delta clock) and the clock snapshot that defines that clock.
void PerfettoWriter::start_sequence() {
  first_packet_ = false;
  ProtoWriter trace(buffer_, 16 * kMaxField);
  char* packet = trace.open(trace_field::kPacket);
  trace.varint(packet_field::kSequenceId, kSequenceId);
  trace.varint(packet_field::kSequenceFlags, kStateCleared);
  char* defaults = trace.open(packet_field::kDefaults);
  trace.varint(defaults_field::kTimestampClockId, kDeltaClock);
  trace.close(defaults);
  trace.close(packet);

  packet = trace.open(trace_field::kPacket);
  trace.varint(packet_field::kSequenceId, kSequenceId);
  char* snapshot = trace.open(packet_field::kClockSnapshot);
  for (auto [id, incremental] : {std::pair{kBootTimeClock, false}, std::pair{kDeltaClock, true}}) {
    char* clock = trace.open(clock_field::kClocks);
    trace.varint(clock_field::kId, id);
    trace.varint(clock_field::kTimestamp, 0);
    if (incremental) trace.varint(clock_field::kIsIncremental, 1);
    trace.close(clock);
  }
  trace.close(snapshot);
  trace.close(packet);
  trace.finish();
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
  last_event_at_ = kNoEvent;
  if (!buffer_.empty()) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size() && ok_) {
      ok_ = false;
      error_ = errno;
    }
    written_ += buffer_.size();
    buffer_.clear();
  }
  return ok_;
}

void PerfettoWriter::track(std::uint64_t uuid, std::string_view raw_name, std::uint64_t parent, bool counter) {
  std::string storage;
  const std::string_view name = as_valid_utf8(raw_name, storage);
  Packet packet(*this, packet_field::kTrackDescriptor, 4 * kMaxField + name.size());
  auto& d = packet.body();
  d.varint(track_field::kUuid, uuid);
  d.bytes(track_field::kName, name);
  if (parent != 0) d.varint(track_field::kParentUuid, parent);
  if (counter) d.bytes(track_field::kCounter, {});
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
    ProtoWriter data(interned_, 4 * kMaxField);
    char* frame = data.open(interned_field::kFrames);
    data.varint(frame_field::kIid, it->second);
    data.varint(frame_field::kFunctionNameId, function);
    if (line32 != 0) data.varint(frame_field::kLineNumber, line32);
    data.close(frame);
    data.finish();
  }
  return it->second;
}

std::uint64_t PerfettoWriter::callstack(std::uint32_t id, StackView stack) {
  if (id >= callstacks_.size()) callstacks_.resize(id + std::size_t{1} + callstacks_.size() / 2);
  if (callstacks_[id]) return id;
  callstacks_[id] = true;
  std::vector<std::uint64_t> frames;
  frames.reserve(stack.size());
  // Perfetto wants the outermost frame first.
  for (auto f = stack.rbegin(); f != stack.rend(); ++f)
    frames.push_back(intern_frame(intern_function(f->function), f->line));
  ProtoWriter data(interned_, 3 * kMaxField + frames.size() * ProtoWriter::kMaxVarint);
  char* callstack = data.open(interned_field::kCallstacks);
  data.varint(callstack_field::kIid, id);
  data.packed_varints(callstack_field::kFrameIds, frames);
  data.close(callstack);
  data.finish();
  return id;
}

// The three packets written most (a slice's begin and end, counter values) take 8-20 bytes each,
// hundreds of millions of times on a big trace: their fields go straight into the output buffer.
void PerfettoWriter::begin(Time t, const SliceStart& slice) {
  // Four fields, two debug annotations of two fields, a flow.
  Packet packet(*this, packet_field::kTrackEvent, 11 * kMaxField, t);
  auto& e = packet.body();
  e.varint(event_field::kType, kSliceBegin);
  e.varint(event_field::kTrackUuid, slice.track);
  e.varint(event_field::kNameIid, slice.name);
  if (slice.callstack != 0) e.varint(event_field::kCallstackIid, slice.callstack);
  const auto annotate = [&e](std::uint64_t name, std::int64_t value) {
    if (value < 0) return;
    char* annotation = e.open(event_field::kDebugAnnotations);
    e.varint(annotation_field::kNameIid, name);
    e.int64(annotation_field::kIntValue, value);
    e.close(annotation);
  };
  annotate(kAnnotationP, slice.p);
  annotate(kAnnotationM, slice.m);
  if (slice.flow_end != 0) e.fixed64(event_field::kTerminatingFlowIds, slice.flow_end);
}

void PerfettoWriter::end(Time t, std::uint64_t track) {
  Packet packet(*this, packet_field::kTrackEvent, 2 * kMaxField, t);
  packet.body().varint(event_field::kType, kSliceEnd);
  packet.body().varint(event_field::kTrackUuid, track);
}

void PerfettoWriter::instant(Time t, std::uint64_t track, std::string_view raw_name, std::uint64_t flow_start) {
  std::string storage;
  const std::string_view name = as_valid_utf8(raw_name, storage);
  Packet packet(*this, packet_field::kTrackEvent, 4 * kMaxField + name.size(), t);
  auto& e = packet.body();
  e.varint(event_field::kType, kInstant);
  e.varint(event_field::kTrackUuid, track);
  e.bytes(event_field::kName, name);
  if (flow_start != 0) e.fixed64(event_field::kFlowIds, flow_start);
}

// The values as extra counter values of the last packet, a track event at time t: 4-6 bytes a
// value where a packet of their own takes ~19. Its event is its last field, so the values go at
// the end of the buffer and the two lengths before them are written again, in place: when one
// would take another byte (a packet crossing 128 bytes), the values get a packet of their own.
bool PerfettoWriter::add_to_last_event(Time t, std::span<const CounterValue> values) {
  if (last_event_at_ == kNoEvent || last_event_time_ != t || values.size() > kMaxExtraCounters) return false;
  const std::size_t event_end = buffer_.size();
  ProtoWriter w(buffer_, 2 * kMaxField * values.size());
  for (const CounterValue& v : values) {
    w.varint(event_field::kExtraCounterTrackUuids, v.track);
    w.int64(event_field::kExtraCounterValues, v.value);
  }
  w.finish();
  const std::size_t added = buffer_.size() - event_end;
  const std::size_t event_length = last_event_length_ + added, packet_length = last_packet_length_ + added;
  char* const data = buffer_.data();
  if (packet_length < 0x80) {
    // Nearly always: both lengths were one byte and stay so (the event is inside the packet).
    data[last_event_at_ + 1] = static_cast<char>(packet_length);  // after the packet's one-byte key
    data[event_end - last_event_length_ - 1] = static_cast<char>(event_length);
  } else {
    if (varint_size(event_length) != varint_size(last_event_length_) ||
        varint_size(packet_length) != varint_size(last_packet_length_)) {
      buffer_.truncate(event_end);
      return false;
    }
    write_varint(data + last_event_at_ + 1, packet_length);
    write_varint(data + event_end - last_event_length_ - varint_size(last_event_length_), event_length);
  }
  last_event_at_ = kNoEvent;  // one set of extra values an event
  return true;
}

void PerfettoWriter::counters(Time t, std::span<const CounterValue> values) {
  if (add_to_last_event(t, values)) return;
  while (!values.empty()) {
    const auto batch = values.first(std::min(values.size(), kMaxExtraCounters + 1));
    values = values.subspan(batch.size());
    Packet packet(*this, packet_field::kTrackEvent, (3 + 2 * kMaxExtraCounters) * kMaxField, t);
    auto& e = packet.body();
    e.varint(event_field::kType, kCounter);
    e.varint(event_field::kTrackUuid, batch[0].track);
    e.int64(event_field::kCounterValue, batch[0].value);
    for (const CounterValue& extra : batch.subspan(1)) {
      e.varint(event_field::kExtraCounterTrackUuids, extra.track);
      e.int64(event_field::kExtraCounterValues, extra.value);
    }
  }
  last_event_at_ = kNoEvent;  // its extras are taken
}

}  // namespace gtanalyze::report

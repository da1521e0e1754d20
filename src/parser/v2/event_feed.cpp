// Decoding batches into runs of events (see event_feed.hpp).
#include "parser/v2/event_feed.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "parser/spec.hpp"
#include "parser/wire.hpp"

namespace gtanalyze::parser::v2 {
namespace {

// Runs hold this many events, fewer when a generation has so many Ms that their runs would take
// more than kRunBudget bytes together (a process with thousands of threads).
constexpr std::size_t kRunEvents = 256;
constexpr std::size_t kMinRunEvents = 8;
constexpr std::size_t kRunBudget = 4 << 20;

}  // namespace

// --- BatchDecoder ---------------------------------------------------------------------------

void BatchDecoder::start(const Generation& g, std::uint32_t first_batch, std::uint32_t end_batch) {
  batch_ = first_batch;
  batch_end_ = end_batch;
  size_ = data_off_ = 0;
  last_ts_ = 0;
  if (batch_ < batch_end_) enter(g);
}

void BatchDecoder::enter(const Generation& g) {
  const Batch& b = g.batches[batch_];
  data_ = reinterpret_cast<const std::uint8_t*>(g.blocks[b.block].data()) + b.offset;
  size_ = b.size;
  data_off_ = 0;
  stream_offset_ = b.stream_offset;
  batch_time_ = b.time;
  last_ts_ = 0;
}

std::pair<std::size_t, EventRun::Then> BatchDecoder::decode(const Generation& g, std::span<RawEvent> out) {
  std::size_t n = 0;
  while (n < out.size()) {
    if (data_off_ == size_) {
      if (batch_ == batch_end_ || ++batch_ == batch_end_) return {n, EventRun::Then::End};
      enter(g);
      continue;
    }
    // The events of the current batch, with the cursor in locals: the compiler would otherwise
    // reload the members after every store to `out`, which might alias them.
    const std::uint8_t* const data = data_;
    const std::size_t size = size_;
    const std::uint64_t stream_offset = stream_offset_;
    const Frequency freq = g.freq;
    std::size_t off = data_off_;
    Time last_ts = last_ts_;
    bool failed = false;
    for (; n < out.size() && off < size; n++) {
      RawEvent& ev = out[n];
      if (last_ts == 0) last_ts = freq.mul(batch_time_);  // as Go: also after an event at time 0
      const std::uint8_t* p = data + off;
      const std::size_t left = size - off;
      ev.offset = stream_offset + off;
      const std::uint8_t type = p[0];
      const std::size_t count = spec_of(static_cast<EventType>(type)).timed_values;
      if (count == 0) {
        failed = bad_type(ev, type);
        break;
      }
      ev.type = static_cast<EventType>(type);
      // Each value goes straight to its slot with a scalar store: gathering them in a local
      // array and copying it into ev.args made the CPU stall on store forwarding.
      ev.args[0] = ev.args[1] = ev.args[2] = ev.args[3] = 0;
      // The values are read first and their end checked after: the batch is followed by
      // kEventPadding bytes, as many as an event can take (a cut-off value reads zeros there).
      std::uint64_t ts = 0;
      std::size_t used = 1 + padded_uvarint(p + 1, ts);
      if (used == 1 || used > left) {
        failed = bad_value(ev, true);
        break;
      }
      bool overflow = false;
      const auto value = [&](std::uint64_t& slot) {
        const std::size_t k = padded_uvarint(p + used, slot);
        used += k;
        overflow |= k == 0;
      };
      // One case per argument count (the spec's at most kMaxTimedArgs): slots known at compile
      // time, and no loop to run for the usual one or two values.
      static_assert(kMaxTimedArgs == 4);
      switch (count) {
        case 2: value(ev.args[0]); break;
        case 3:
          value(ev.args[0]);
          value(ev.args[1]);
          break;
        case 4:
          value(ev.args[0]);
          value(ev.args[1]);
          value(ev.args[2]);
          break;
        case 5:
          value(ev.args[0]);
          value(ev.args[1]);
          value(ev.args[2]);
          value(ev.args[3]);
          break;
        default: break;
      }
      if (overflow || used > left) {
        failed = bad_value(ev, false);
        break;
      }
      ev.time = wrapping_add(freq.mul(ts), last_ts);
      last_ts = ev.time;
      off += used;
    }
    data_off_ = static_cast<std::uint32_t>(off);
    last_ts_ = last_ts;
    if (failed) return {n, EventRun::Then::Failed};
  }
  return {n, EventRun::Then::More};
}

// The errors. They return true: decoding failed.
bool BatchDecoder::bad_type(const RawEvent& ev, std::uint8_t type) {
  error_ = make_error(ErrorCode::Corrupt, ev.offset,
                      type >= kSpecCount ? fmt::format("found invalid event type: {}", type)
                                         : fmt::format("found event without a timestamp: type={}", type));
  return true;
}

bool BatchDecoder::bad_value(const RawEvent& ev, bool timestamp) {
  error_ = make_error(ErrorCode::Corrupt, ev.offset,
                      timestamp ? "found invalid uvarint for timestamp" : "found invalid uvarint");
  return true;
}

// --- EventFeed ------------------------------------------------------------------------------

EventFeed::EventFeed(ByteSource& source, Version version) : input_(source, version) {}

Result<bool> EventFeed::next_generation() {
  auto r = input_.next(gen_);
  info_ = GenerationInfo{};
  decoders_.clear();
  if (!r || !*r) return r;
  info_.number = gen_.number;
  info_.start = gen_.freq.mul(gen_.min_ts);
  info_.ms = gen_.ms;
  info_.cpu_samples.swap(gen_.cpu_samples);
  info_.experimental_batches = gen_.experimental_batches;
  info_.unmarked_end = gen_.unmarked_end;
  info_.tables = gen_.tables;
  const std::size_t n = gen_.ms.size();
  decoders_.resize(n);
  for (std::size_t i = 0; i < n; i++) decoders_[i].start(gen_, gen_.m_first_batch[i], gen_.m_end_batch[i]);
  run_events_ = std::clamp(n == 0 ? kRunEvents : kRunBudget / (n * sizeof(RawEvent)), kMinRunEvents, kRunEvents);
  runs_.resize(n * run_events_);
  return r;
}

EventRun EventFeed::next_run(std::size_t m) {
  RawEvent* events = runs_.data() + m * run_events_;
  const auto [count, then] = decoders_[m].decode(gen_, std::span<RawEvent>(events, run_events_));
  return EventRun{events, events + count, then};
}

std::optional<std::uint64_t> EventFeed::find_event(EventType type, Time time, std::size_t arg,
                                                   std::uint64_t value) const {
  std::vector<RawEvent> run(kRunEvents);
  for (std::size_t m = 0; m < gen_.ms.size(); m++) {
    BatchDecoder decoder;
    decoder.start(gen_, gen_.m_first_batch[m], gen_.m_end_batch[m]);
    for (;;) {
      const auto [count, then] = decoder.decode(gen_, run);
      for (std::size_t i = 0; i < count; i++) {
        const RawEvent& ev = run[i];
        if (ev.type == type && ev.time == time && ev.args[arg] == value) return ev.offset;
      }
      if (then != EventRun::Then::More) break;
    }
  }
  return std::nullopt;
}

}  // namespace gtanalyze::parser::v2

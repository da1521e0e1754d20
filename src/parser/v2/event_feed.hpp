// The events of a Go 1.22+ trace as the ordering takes them: generation after generation, and
// in each the events of every M, decoded from its batches a run at a time. A run is decoded in one
// tight loop when the ordering has used up the one before, rather than an event per call.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/error.hpp"
#include "gtanalyze/event.hpp"
#include "gtanalyze/version.hpp"
#include "parser/v2/generation.hpp"
#include "parser/v2/generation_supply.hpp"
#include "parser/v2/ordering.hpp"

namespace gtanalyze::parser::v2 {

// A generation as the ordering sees it: all of it but the batch payloads.
struct GenerationInfo {
  std::uint64_t number = 0;
  Time start = 0;                      // of its earliest batch: the time of its Sync event
  std::vector<ThreadId> ms;            // the Ms with event batches, in order of first batch
  std::vector<CpuSample> cpu_samples;  // sorted by time
  std::uint64_t experimental_batches = 0;
  std::shared_ptr<GenerationTables> tables;
  bool unmarked_end = false;  // Generation::unmarked_end
};

// Some decoded events of one M, and what follows them.
struct EventRun {
  enum class Then : std::uint8_t { More, End, Failed };
  RawEvent* begin = nullptr;
  RawEvent* end = nullptr;
  Then then = Then::More;
};

// Decodes the timed events of one M's batches in a generation (Go's batchCursor.nextEvent).
class BatchDecoder {
 public:
  void start(const Generation& g, std::uint32_t first_batch, std::uint32_t end_batch);
  // Decodes up to out.size() events into `out`: how many, and whether more follow.
  std::pair<std::size_t, EventRun::Then> decode(const Generation& g, std::span<RawEvent> out);
  [[nodiscard]] const Error& error() const { return error_; }

 private:
  bool bad_type(const RawEvent& ev, std::uint8_t type);
  bool bad_value(const RawEvent& ev, bool timestamp);
  void enter(const Generation& g);

  Time last_ts_ = 0;
  std::uint32_t batch_ = 0, batch_end_ = 0;  // into Generation::batches; batch_ is the current one
  // The current batch: its payload, size, stream offset and raw time, and the read position.
  const std::uint8_t* data_ = nullptr;
  std::uint32_t size_ = 0, data_off_ = 0;
  std::uint64_t stream_offset_ = 0, batch_time_ = 0;
  Error error_;
};

class EventFeed {
 public:
  EventFeed(ByteSource& source, Version version);

  // Reads each generation on a thread of its own while the one before is ordered (see
  // GenerationSupply). Call before the first next_generation().
  void read_ahead() { input_.read_ahead(); }
  // Moves to the next generation, as GenerationReader::read: false at a clean end of the trace;
  // an error with code Truncated when the input ends inside it.
  Result<bool> next_generation();
  [[nodiscard]] const GenerationInfo& generation() const { return info_; }
  // The next events of M `m` (an index into generation().ms), valid until the next call for the
  // same m or the next generation. Call again while `then` is More.
  EventRun next_run(std::size_t m);
  // Why M m's events failed, after a run whose `then` is Failed.
  [[nodiscard]] const Error& error(std::size_t m) const { return decoders_[m].error(); }
  // Bytes of the trace stream read up to the end of the current generation.
  [[nodiscard]] std::uint64_t offset() const { return input_.offset(); }
  // Where in the stream the current generation holds a timed event of this type and time whose
  // value `arg` is `value`; nullopt if none. For errors found past the ordering, whose events
  // keep no offsets: it decodes the generation again.
  [[nodiscard]] std::optional<std::uint64_t> find_event(EventType type, Time time, std::size_t arg,
                                                        std::uint64_t value) const;

 private:
  GenerationSupply input_;
  Generation gen_;  // the generation being ordered, with its payloads
  GenerationInfo info_;
  std::vector<BatchDecoder> decoders_;  // per M of the generation
  std::size_t run_events_ = 0;          // per run of each M
  std::vector<RawEvent> runs_;          // each M's current run, run_events_ apiece
};

}  // namespace gtanalyze::parser::v2

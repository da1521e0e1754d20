// Reads a trace of any supported version as one ordered stream of Events.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/error.hpp"
#include "gtanalyze/event.hpp"
#include "gtanalyze/version.hpp"

namespace gtanalyze {

struct ReaderStats {
  std::uint64_t events = 0;                // events returned by next()
  std::uint64_t generations = 0;           // generations read (1 for old formats)
  std::uint64_t experimental_batches = 0;  // skipped, counted
  std::uint64_t bytes = 0;                 // bytes of the (decompressed) trace consumed
  // Times are CPU ticks, not nanoseconds: an old-format trace cut before its Frequency record.
  bool times_in_ticks = false;
  // Read up to where the program misused runtime/trace (a warning says where): the last of the
  // `generations` is not whole. `go tool trace -pprof` profiles only the events before it.
  bool ended_at_misuse = false;
};

// Events in order that share one generation's tables, and a handle that keeps those tables alive
// for as long as it is held (null when they live as long as the reader).
struct EventBatch {
  std::span<const Event> events;
  std::shared_ptr<const void> tables;
};

class TraceReader {
 public:
  // Reads the header and prepares the decoder for its version. The source must outlive the reader.
  static Result<std::unique_ptr<TraceReader>> open(ByteSource& source);

  virtual ~TraceReader() = default;
  virtual Version version() const = 0;

  // The next event in the one valid order, into `out`; false at the end of the trace. A trace
  // that breaks off after at least one complete generation (old formats: a truncated trailing
  // batch) ends normally, with a warning naming the offset; any other damage is an Error.
  virtual Result<bool> next(Event& out) = 0;

  // The next events in order, the same as calls of next() would give, without a call per event:
  // valid until the next call of next() or next_batch(); empty at the end of the trace. An error
  // comes after the events read before it. Use next() or next_batch(), not both.
  virtual Result<EventBatch> next_batch();
  // The same, with the events in `storage`, which the caller keeps (the reader takes its old
  // capacity for later batches): for a caller that holds batches past the next call, such as
  // one handing them to another thread. The events are the first of `storage`, not all of it.
  virtual Result<EventBatch> next_batch(std::vector<Event>& storage);

  // Recoverable anomalies, one line each, in the order they were met.
  virtual const std::vector<std::string>& warnings() const = 0;
  virtual ReaderStats stats() const = 0;
  // Keeps the tables (strings, stacks) of the event last returned by next() valid while the
  // handle lives, even after the reader has moved on. Null when they live as long as the reader.
  virtual std::shared_ptr<const void> pin_tables() const { return nullptr; }
  // Reads the input on a thread of its own, a stage ahead of the decoding, where the format has
  // such a stage (Go 1.22+: each generation's bytes and tables while the one before is ordered);
  // otherwise nothing. Call before the first event.
  virtual void read_input_ahead() {}

 private:
  // next_batch() made of next() calls, for readers without a batch of their own.
  std::vector<Event> batch_;
  bool holds_next_ = false;  // batch_.back() is the first event of the next batch
  std::optional<Error> batch_error_;
};

// Runs `reader` on a thread of its own and hands its events over in chunks, so that decoding
// overlaps with whatever the caller does with the events; its input is read ahead on a third
// (read_input_ahead). Of the three stages, reading is the smallest: the three threads keep two
// cores busy. Same events, warnings and errors, in
// the same order; warnings() is complete once next() has returned false or an error.
// `chunk_events`: about how many events a hand-over holds (0: the default, 65536; tests use small
// chunks so that small traces cross many).
std::unique_ptr<TraceReader> read_ahead(std::unique_ptr<TraceReader> reader, std::size_t chunk_events = 0);

}  // namespace gtanalyze

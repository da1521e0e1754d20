// Old-format (Go 1.5–1.21) decoding: index the whole trace once, order its per-P batches into
// one stream (as Go's order.go), then replay that order as OldEvents, decoded again on the fly.
//
// Why replay instead of storing events: an old trace must be ordered as a whole, and a stored
// event costs ~64 bytes against ~4 bytes on the wire. The order is kept as one 16-bit stream
// index per event; only events that leave their stream's place (syscall exits carrying their
// real time stamp, CPU samples, every event of a 1.5 trace) are stored as records. Peak memory
// measured 2.0× the input on a 106 MB Go 1.21 trace, where Go 1.26's parser needs 24×.
//
// Speed: each event is decoded four times (index, order, check, convert), so decoding must not
// allocate or copy: records decode into fixed arrays, events are handed out by pointer, tables
// indexed by goroutine or P id are IdMaps, and the converter's replay skips the checks the
// first replay made.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/id_map.hpp"
#include "gtanalyze/error.hpp"
#include "parser/v1/events.hpp"

namespace gtanalyze::parser::v1 {

// Which Go parser's semantics to follow where they differ. Go126 (tracev1 in Go 1.26) feeds the
// converter; Go119 (internal/trace in Go 1.19) reproduces `go tool trace -d` of Go 1.19, the only
// reference for 1.5–1.10 traces: it zeroes G on GC/STW events, keeps STW per P before 1.10 and
// does not move timer-unblocked netpoll wakeups to the netpoll P.
enum class Dialect : std::uint8_t { Go126, Go119 };

struct PcFrame {
  std::uint64_t func = 0;  // string ids (0 in 1.5 traces, which carry bare PCs)
  std::uint64_t file = 0;
  std::uint64_t line = 0;
};

class OldTrace {
 public:
  // `bytes` is everything after the 16-byte header; `minor` the N of "go 1.N trace".
  OldTrace(std::string bytes, unsigned minor, Dialect dialect);

  // Index, check and order the whole trace. Errors carry the byte offset of the bad record.
  Status load();

  unsigned minor() const { return minor_; }
  Dialect dialect() const { return dialect_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  bool truncated() const { return truncated_; }            // the records end part way, or without the footer
  bool times_in_ticks() const { return times_in_ticks_; }  // no Frequency record: ticks taken as ns
  std::uint64_t event_count() const { return order_count_; }

  // Tables, for the converter and the dump.
  const std::unordered_map<std::uint64_t, std::string_view>& strings() const { return strings_; }
  const std::vector<std::string_view>& inline_strings() const { return inline_strings_; }
  // The PCs of stack `id`; empty when the trace has no such stack.
  std::span<const std::uint64_t> stack_pcs(std::uint32_t id) const;
  // The ids of the stacks with frames, each once.
  const std::vector<std::uint32_t>& stack_ids() const { return stack_ids_; }
  // The first frame the trace gave for a PC (Go keys frames by PC, first one wins).
  const PcFrame* frame(std::uint64_t pc) const;
  // Whether the trace declares stack `id` (possibly with no frames).
  bool has_stack(std::uint32_t id) const { return stacks_.find(id) != nullptr; }
  std::string_view string(std::uint64_t id) const;

  struct Raw;  // one wire record (records.hpp)

  // Yields the events in their final order with Go's post-processing applied: times in ns
  // from the first event, timer/syscall/netpoll/GC events moved to their fake Ps, stack ids of
  // missing stacks zeroed (Go126), consistency checked. Construct one per pass.
  class Replay {
   public:
    // With `netpoll`, a pass over a trace a first Replay yielded without error: only the
    // post-processing's rewrites, `netpoll[i]` telling whether the i-th event, a GoUnblock, moved
    // to the netpoll P (the one rewrite that needs all the checks' state).
    explicit Replay(const OldTrace& trace, const std::vector<bool>* netpoll = nullptr);
    ~Replay();
    Replay(const Replay&) = delete;
    Replay& operator=(const Replay&) = delete;
    // The next event, nullptr at the end, valid until the next call (events are not copied out:
    // that cost more than decoding them); an Error when the post-processing checks fail.
    Result<const OldEvent*> next();
    std::uint64_t index() const { return emitted_; }  // events yielded so far
    // Events so far that named a stack the trace does not declare (a sign of a cut-off tail),
    // and the byte offset of the first.
    std::uint64_t missing_stacks() const;
    std::uint64_t first_missing_stack_offset() const;

   private:
    struct State;
    const OldTrace& trace_;
    const std::vector<bool>* netpoll_;
    std::unique_ptr<State> state_;
    std::uint64_t emitted_ = 0;
  };

 private:
  friend class Replay;
  struct Batch {
    std::uint64_t begin = 0, end = 0;  // the batch header .. the next batch header (or the end)
  };
  struct Stream {
    std::int32_t pid = 0;
    std::vector<Batch> batches;
  };
  // Position of one stream while decoding it.
  struct Cursor {
    std::uint32_t stream = 0;
    std::size_t batch = 0;
    std::uint64_t pos = 0, end = 0;
    std::int64_t last_ts = 0;
    std::int64_t last_seq = 0;
    std::uint64_t last_g = 0;
    bool started = false;
    void start_batch(const Raw& header, unsigned minor);  // at a batch's header record
  };
  // An event stored outside its stream: sorted by (key, index in the merged order).
  struct Moved {
    std::int64_t key = 0;
    std::uint64_t index = 0;
    OldEvent ev;
    bool operator<(const Moved& o) const { return key != o.key ? key < o.key : index < o.index; }
  };
  class Indexer;        // index.cpp
  class SequenceOrder;  // order.cpp

  Status index();
  Status order_by_sequence();                                      // Go 1.7+
  Status order_by_seq_1_5();                                       // Go 1.5
  void stop_at_first_missing(std::vector<std::int64_t>& numbers);  // of a cut Go 1.5 trace
  // The next event of a stream (false at its end); CPU samples come from cpu_samples_.
  bool next_in_stream(Cursor& c, OldEvent& out, std::int64_t* seq, Raw& raw) const;
  Error error_at(ErrorCode code, std::uint64_t pos, std::string message) const;

  std::string data_;
  unsigned minor_;
  std::uint64_t known_types_;  // bit t: event type t exists in this version
  Dialect dialect_;
  std::vector<std::string> warnings_;
  bool truncated_ = false;
  bool times_in_ticks_ = false;

  std::unordered_map<std::uint64_t, std::string_view> strings_;
  std::vector<std::string_view> inline_strings_;
  std::unordered_map<std::string_view, std::uint32_t> inline_ids_;
  std::vector<std::uint64_t> stack_data_;
  struct StackSpan {
    std::uint32_t first = 0, size = 0;  // in stack_data_; size 0: declared with no frames
  };
  base::IdMap<StackSpan> stacks_;  // looked up for every event with a stack
  std::vector<std::uint32_t> stack_ids_;
  std::unordered_map<std::uint64_t, PcFrame> frames_;
  std::int64_t ticks_per_sec_ = 0;
  std::unordered_set<std::uint64_t> timer_goids_;
  std::vector<Stream> streams_;  // sorted by P id; the CPU-sample stream is index streams_.size()
  std::vector<OldEvent> cpu_samples_;

  std::uint64_t stream_events_ = 0;   // events in the batches (CPU samples aside)
  std::vector<std::uint16_t> order_;  // stream index per merged event; kMovedBit: emitted from moved_
  std::vector<Moved> moved_;
  std::uint64_t order_count_ = 0;  // events in the final order
  bool clamp_ts_ = false;          // time stamps were out of order: replay repairs them
};

inline constexpr std::uint16_t kMovedBit = 0x8000;

}  // namespace gtanalyze::parser::v1

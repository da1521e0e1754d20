// One generation of a Go 1.22+ trace: its event batches grouped by thread, its string and stack
// tables, CPU samples, frequency and clock snapshot. Read whole before any of its events is
// ordered, because the tables come last in the stream (Go's generation.go).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/error.hpp"
#include "gtanalyze/event.hpp"
#include "gtanalyze/version.hpp"
#include "parser/go_arith.hpp"
#include "parser/spec.hpp"

namespace gtanalyze::parser::v2 {

// An error at stream offset `offset` in generation `gen` (0 when not known yet).
Error gen_error(ErrorCode code, std::uint64_t offset, std::uint64_t gen, std::string message);
// The byte that stands for event type t on the wire.
constexpr std::uint8_t type_byte(EventType t) { return static_cast<std::uint8_t>(t); }

// Nanoseconds per timestamp tick, applied exactly as Go's frequency.mul: one float64 product,
// truncated toward zero (out-of-range products give INT64_MIN, as amd64's CVTTSD2SQ does).
class Frequency {
 public:
  Frequency() = default;
  explicit Frequency(double ns_per_tick) : ns_per_tick_(ns_per_tick) {
    // Go's own clock ticks every 64 ns (a power of two): then the product is a shift, exact
    // while the ticks convert to a double exactly (< 2^53) and the result fits in 63 bits.
    for (unsigned k = 0; k <= 20; k++) {
      if (ns_per_tick == static_cast<double>(1u << k)) {
        shift_ = k;
        shift_limit_ = std::uint64_t{1} << std::min(53u, 63u - k);
      }
    }
  }
  [[nodiscard]] Time mul(std::uint64_t ticks) const {
    if (ticks < shift_limit_) return static_cast<Time>(ticks << shift_);
    return go_float_to_int64(static_cast<double>(ticks) * ns_per_tick_);
  }

 private:
  double ns_per_tick_ = 0;
  unsigned shift_ = 0;
  std::uint64_t shift_limit_ = 0;  // ticks below this take the shift; 0 when there is none
};

// Maps the sparse 64-bit ids of the wire format to dense indices: a flat vector while ids are
// small (the usual case: the runtime numbers from 1), a hash map beyond.
class IdIndex {
 public:
  static constexpr std::uint32_t kAbsent = ~std::uint32_t{0};
  // False if the id is already present.
  bool insert(std::uint64_t id, std::uint32_t index);
  [[nodiscard]] std::uint32_t find(std::uint64_t id) const {
    if (id < dense_.size()) return dense_[id];
    if (sparse_.empty()) return kAbsent;
    auto it = sparse_.find(id);
    return it == sparse_.end() ? kAbsent : it->second;
  }

 private:
  static constexpr std::uint64_t kDenseLimit = 1 << 20;
  static constexpr std::uint64_t kDenseSlack = 4096, kDenseSpread = 16;  // dense below slack + spread x entries
  void grow_dense(std::size_t size);
  std::vector<std::uint32_t> dense_;
  std::unordered_map<std::uint64_t, std::uint32_t> sparse_;
  std::uint64_t inserted_ = 0;
};

// Strings, stacks and made-up strings of one generation (the EventTables of its events).
class GenerationTables final : public EventTables {
 public:
  std::string_view string(std::uint64_t id) const override {
    const std::uint32_t i = string_index_.find(id);
    return i == IdIndex::kAbsent ? std::string_view{} : strings_[i];
  }
  Stack stack(std::uint64_t id) const override {
    const std::uint32_t i = stack_index_.find(id);
    if (i == IdIndex::kAbsent) return {};
    const StackRange& r = stacks_[i];
    return Stack(frames_.data() + r.first, r.count);
  }
  std::string_view extra_string(std::uint64_t id) const override {
    std::lock_guard lock(extra_mutex_);
    return id == 0 || id > extra_strings_.size() ? std::string_view{} : std::string_view(extra_strings_[id - 1]);
  }
  const ClockSnapshot* clock_snapshot() const override { return has_clock_ ? &clock_ : nullptr; }

  // Go's table lookups treat id 0 as present (the empty string, the empty stack).
  [[nodiscard]] bool has_string(std::uint64_t id) const {
    return id == 0 || string_index_.find(id) != IdIndex::kAbsent;
  }
  [[nodiscard]] bool has_stack(std::uint64_t id) const { return id == 0 || stack_index_.find(id) != IdIndex::kAbsent; }
  // Interns a string the ordering made up (e.g. a task's type on its end event); 0 for "".
  // The only change to a complete generation's tables: it may run on a reader thread while
  // another thread looks up extra strings of earlier events, hence the lock (both are rare).
  std::uint64_t add_extra_string(std::string_view s);

 private:
  friend class GenerationReader;
  struct StackRange {
    std::uint32_t first = 0, count = 0;
    std::uint64_t id = 0, at = 0;  // the stack's id and its record's offset, for errors
  };
  struct RawFrame {
    std::uint64_t pc = 0, func = 0, file = 0, line = 0;
  };
  // Filled while reading the generation.
  std::string string_bytes_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> string_spans_;  // offset, length
  std::vector<std::uint64_t> stack_pcs_;
  std::vector<StackRange> stack_pc_ranges_;
  std::unordered_map<std::uint64_t, RawFrame> pc_frames_;  // first frame seen for each pc, as Go
  // Final, after the generation is complete.
  IdIndex string_index_, stack_index_;
  std::vector<std::string_view> strings_;
  std::vector<StackFrame> frames_;
  std::vector<StackRange> stacks_;
  std::deque<std::string> extra_strings_;                     // deque: views of earlier strings stay valid
  std::unordered_map<std::string, std::uint64_t> extra_ids_;  // used by the ordering's thread only
  mutable std::mutex extra_mutex_;                            // guards extra_strings_
  ClockSnapshot clock_;
  bool has_clock_ = false;
};

struct Batch {
  ThreadId m = kNoThread;
  std::uint64_t time = 0;   // raw ticks
  std::uint32_t block = 0;  // the payload: in Generation::blocks[block], from offset
  std::uint32_t offset = 0;
  std::uint32_t size = 0;
  std::uint64_t stream_offset = 0;  // of the payload in the trace stream
};

struct CpuSample {
  Time time = 0;
  GoId g = kNoGoroutine;
  ProcId p = kNoProc;
  ThreadId m = kNoThread;
  std::uint64_t stack = 0;
};

struct Generation {
  std::uint64_t number = 0;
  std::uint64_t min_ts = 0;
  Frequency freq;
  bool has_freq = false;
  // Payloads of the event batches, in blocks of about kPayloadBlock bytes that never move: one
  // string grown to a generation's size copied it all and held it twice at the peak. Blocks are
  // kept for the next generation; the first `blocks_used` hold this one's.
  std::vector<std::string> blocks;
  std::uint32_t blocks_used = 0;
  std::vector<Batch> batches;                // event batches, grouped by M (stable)
  std::vector<ThreadId> ms;                  // Ms in the order their first batch appeared
  std::vector<std::uint32_t> m_first_batch;  // per entry of ms: [first, end) into batches
  std::vector<std::uint32_t> m_end_batch;
  std::vector<CpuSample> cpu_samples;  // sorted by time
  std::uint64_t experimental_batches = 0;
  // Shared so that events may outlive the reader's move to the next generation (a consumer on
  // another thread pins them): read() makes new tables for each generation.
  std::shared_ptr<GenerationTables> tables;
  // The input ends after it, and its last batch is not its string table, which the runtime writes
  // last (Go 1.22-1.25 mark no generation's end): a first generation so is read as whole, as Go
  // reads it, but an error in it is most likely the cut's.
  bool unmarked_end = false;
};

// `e` with the hint that a generation whose end is unmarked (Generation::unmarked_end) gives it.
Error with_cut_hint(Error e);

// Reads the trace stream after the header, one generation at a time.
class GenerationReader {
 public:
  GenerationReader(ByteSource& source, Version version);

  // The next complete generation into `gen` (its storage is reused); false at a clean end of
  // the trace. An error with code Truncated means the input ended inside the generation.
  Result<bool> read(Generation& gen);
  [[nodiscard]] std::uint64_t offset() const { return base_ + pos_; }

 private:
  struct RawBatch {
    std::uint8_t kind = 0;  // first byte: EventBatch, ExperimentalBatch or EndOfGeneration
    std::uint64_t gen = 0;
    ThreadId m = kNoThread;
    std::uint64_t time = 0;
    std::uint64_t start = 0;           // stream offset of the batch header
    std::uint64_t payload_offset = 0;  // stream offset of the payload
    std::uint32_t block = 0;           // where read_batch() put the payload in Generation::blocks
    std::uint32_t payload_at = 0;
  };
  static constexpr std::size_t kPayloadBlock = 1 << 20;
  // Reads one batch, its payload appended to a block of g. False at the end of the input before
  // any byte of a batch.
  Result<bool> read_batch(RawBatch& b, Generation& g);
  // The block of g that `size` more payload bytes go to, at its end (b.block, b.payload_at).
  std::string& payload_block(Generation& g, std::size_t size, RawBatch& b);
  Result<bool> read_to_end_event(Generation& g);
  Result<bool> read_to_next_generation(Generation& g);
  Result<bool> cut_in_batch(Generation& g, const RawBatch& b, Error e);
  Result<bool> ended_at_eof(Generation& g);
  [[nodiscard]] bool seems_whole() const;
  // Files a batch of g: an event batch under its M, a table batch decoded into g's tables.
  Status process_batch(Generation& g, const RawBatch& b);
  Status finish(Generation& g);
  Status add_strings(Generation& g, const RawBatch& b, std::string_view payload);
  Status add_stacks(Generation& g, const RawBatch& b, std::string_view payload);
  Status add_cpu_samples(Generation& g, const RawBatch& b, std::string_view payload);
  Status set_sync(Generation& g, const RawBatch& b, std::string_view payload);

  bool fill();
  bool byte(std::uint8_t& out);
  Status uvarint(std::uint64_t& out, const char* what, std::uint64_t gen);

  ByteSource& source_;
  Version version_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  std::uint64_t base_ = 0;  // stream offset of buf_[0]
  bool eof_ = false;
  Error read_error_;
  bool has_read_error_ = false;
  // Before Go 1.26 a generation ends at the first batch of the next one: that batch is kept here.
  std::optional<RawBatch> spill_;
  std::optional<Error> deferred_error_;  // a cut found just after a complete generation
  bool last_batch_strings_ = false;      // the generation's last batch so far is a string table
  std::uint64_t last_number_ = 0;        // of the last generation read whole; 0 before the first
  std::string spill_payload_;
  std::string scratch_;
  // Per-M batch lists while a generation is being read.
  std::unordered_map<ThreadId, std::uint32_t> m_slot_;
  std::vector<std::vector<Batch>> m_batches_;
};

}  // namespace gtanalyze::parser::v2

// Ordering an old trace's per-P batches into one stream (Go's order.go): an event is merged when
// its goroutine is in the state it expects; among those, the earliest goes first.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "parser/v1/records.hpp"

namespace gtanalyze::parser::v1 {
namespace {

// Goroutine ordering state (Go's order.go).
constexpr std::uint64_t kUnordered = ~std::uint64_t{0};
constexpr std::uint64_t kGarbage = ~std::uint64_t{0} - 1;
constexpr std::uint64_t kNoSeq = ~std::uint64_t{0};
constexpr std::uint64_t kSeqInc = ~std::uint64_t{0} - 1;
enum : std::uint8_t { kGDead, kGRunnable, kGRunning, kGWaiting };

struct GState {
  std::uint64_t seq = 0;
  std::uint8_t status = kGDead;
};

struct Transition {
  std::uint64_t g = kUnordered;
  GState init, next;
};

// What state a goroutine must be in for the event to be merged, and the state after it.
Transition state_transition(const OldEvent& ev) {
  switch (ev.type) {
    case OldType::GoCreate: return {ev.args[0], {0, kGDead}, {1, kGRunnable}};
    case OldType::GoWaiting:
    case OldType::GoInSyscall: return {ev.g, {1, kGRunnable}, {2, kGWaiting}};
    case OldType::GoStart:
    case OldType::GoStartLabel: return {ev.g, {ev.args[1], kGRunnable}, {ev.args[1] + 1, kGRunning}};
    case OldType::GoStartLocal:
      // Emitted on the P of the event that made it runnable, so that one is already merged.
      return {ev.g, {kNoSeq, kGRunnable}, {kSeqInc, kGRunning}};
    case OldType::GoSched:
    case OldType::GoPreempt: return {ev.g, {kNoSeq, kGRunning}, {kNoSeq, kGRunnable}};
    case OldType::GoUnblock:
    case OldType::GoSysExit: return {ev.args[0], {ev.args[1], kGWaiting}, {ev.args[1] + 1, kGRunnable}};
    case OldType::GoUnblockLocal:
    case OldType::GoSysExitLocal: return {ev.args[0], {kNoSeq, kGWaiting}, {kSeqInc, kGRunnable}};
    case OldType::GCStart: return {kGarbage, {ev.args[0], kGDead}, {ev.args[0] + 1, kGDead}};
    default:
      if (is_block(ev.type) || ev.type == OldType::GoSysBlock) {
        return {ev.g, {kNoSeq, kGRunning}, {kNoSeq, kGWaiting}};
      }
      return {};
  }
}

bool transition_ready(const Transition& t, const GState& cur) {
  return t.g == kUnordered || ((t.init.seq == kNoSeq || t.init.seq == cur.seq) && t.init.status == cur.status);
}

}  // namespace

// The merge of order_by_sequence(): each stream's next event (its head), the streams whose heads
// wait for their goroutine's state, and a heap of the heads that can be merged.
class OldTrace::SequenceOrder {
 public:
  explicit SequenceOrder(OldTrace& trace);
  // Merges every event that can be: an error when a head waits for a goroutine state that
  // never comes (a warning instead when the trace was cut off).
  Status run();
  void finish();

 private:
  struct Head {
    OldEvent ev;
    Transition tr;  // of ev, worked out once (read in place: a copy stalls on the fresh stores)
    bool valid = false;
  };
  // Streams whose heads can be merged, keyed by their heads' times (the head is not read on every
  // comparison). Which of two heads at one time goes first: for the formats Go 1.26 reads
  // (1.11+), its binary heap's choice (order.go: heapUp, heapDown, strict comparisons), copied
  // exactly; on most traces it does not depend on the map order Go starts from (README: Trace
  // formats). Go 1.19 alone reads 1.7-1.10, where the choice follows map order: the lower P goes
  // first there, one of its orders.
  struct Ready {
    std::int64_t ts = 0;
    std::int32_t pid = 0;
    std::uint32_t stream = 0;
  };
  struct LaterOrHigherP {  // 1.7-1.10's order (a type, not a function pointer: its calls inline)
    bool operator()(const Ready& a, const Ready& b) const { return a.ts != b.ts ? a.ts > b.ts : a.pid > b.pid; }
  };
  [[nodiscard]] std::int32_t pid_of(std::uint32_t s) const {
    return s < trace_.streams_.size() ? trace_.streams_[s].pid : kProfileP;
  }
  void push_ready(Ready r);
  std::uint32_t pop_earliest();
  // Small steps of run(), inlined into it.
  void unlist(std::size_t i) {  // drops available_[i]
    available_[i] = available_.back();
    available_.pop_back();
  }
  [[nodiscard]] bool can_merge(const Transition& tr) const {
    if (tr.g == kUnordered) return true;
    const auto* it = gs_.find(static_cast<std::int64_t>(tr.g));
    return transition_ready(tr, it == nullptr ? GState{} : it->second);
  }
  bool advance_goroutine(const Transition& tr);
  void keep_time_monotonic(OldEvent& ev);
  Status stuck();
  Status move_syscall_exit(const OldEvent& ev);
  Error impossible_transition(const OldEvent& ev) const;

  OldTrace& trace_;
  const bool go126_heap_;  // ties as Go 1.26's heap orders them (1.11+), else to the lower P
  std::vector<Cursor> cursors_;
  std::vector<Head> heads_;
  std::vector<std::uint32_t> available_;  // streams whose heads are not in the frontier
  std::vector<Ready> frontier_;
  // By goroutine id (as int64: one to one; kGarbage, GC's sequence, goes to the sparse part).
  base::IdMap<GState> gs_;
  base::IdMap<std::int64_t> last_sys_block_;
  Raw raw_;
  std::int64_t last_ts_ = std::numeric_limits<std::int64_t>::min();
  std::uint64_t out_of_order_ = 0, first_bad_offset_ = 0;
  std::uint64_t changed_ = kUnordered;  // the goroutine whose state the last merged event changed
};

OldTrace::SequenceOrder::SequenceOrder(OldTrace& trace) : trace_(trace), go126_heap_(trace.minor_ >= 11) {
  const auto nstreams = static_cast<std::uint32_t>(trace_.streams_.size() + 1);
  cursors_.resize(nstreams);
  heads_.resize(nstreams);
  available_.resize(nstreams);
  for (std::uint32_t s = 0; s < nstreams; s++) cursors_[s].stream = available_[s] = s;
  trace_.order_.reserve(trace_.stream_events_ +
                        trace_.cpu_samples_.size());  // exact unless ordering stops early: no regrowth
}

Status OldTrace::SequenceOrder::stuck() {
  const OldEvent& ev = heads_[available_.front()].ev;
  if (trace_.truncated_) {
    std::uint64_t left = 0;
    for (auto s : available_) left += heads_[s].valid ? 1 : 0;
    trace_.warnings_.push_back(
        fmt::format("ordering stopped after {} events: the events waiting in {} P streams (first at byte offset {}) "
                    "depend on events the truncation cut off",
                    trace_.order_.size(), left, ev.offset));
    return {};
  }
  return make_error(ErrorCode::Corrupt, ev.offset,
                    fmt::format("no consistent ordering of events possible: {} on P {} waits for a goroutine "
                                "state that never comes (after {} ordered events)",
                                old_spec(ev.type).name, ev.p, trace_.order_.size()));
}

// Proposing and merging in one loop, the per-event steps inlined: as calls per event, the
// ordering took 0.3 G more instructions on go1.21-15M (callgrind, +4%).
Status OldTrace::SequenceOrder::run() {
  for (;;) {
    // Move the heads that can be merged now to the frontier.
    for (std::size_t i = 0; i < available_.size();) {
      const std::uint32_t s = available_[i];
      Head& h = heads_[s];
      if (!h.valid) {
        if (!trace_.next_in_stream(cursors_[s], h.ev, nullptr, raw_)) {
          unlist(i);  // the stream is done
          continue;
        }
        h.tr = state_transition(h.ev);
        h.valid = true;
      } else if (h.tr.g != changed_) {
        i++;  // it waited at the last look, and its goroutine's state has not changed since
        continue;
      }
      if (!can_merge(h.tr)) {
        i++;
        continue;
      }
      push_ready(Ready{h.ev.ts, pid_of(s), s});
      unlist(i);
    }
    if (frontier_.empty()) break;
    // Merge the earliest.
    const std::uint32_t s = pop_earliest();
    OldEvent& ev = heads_[s].ev;
    const Transition& tr = heads_[s].tr;
    drop_local(ev);
    if (!advance_goroutine(tr)) return impossible_transition(ev);
    keep_time_monotonic(ev);
    auto entry = static_cast<std::uint16_t>(s);
    if (ev.type == OldType::GoSysBlock || ev.type == OldType::GoInSyscall) {
      last_sys_block_[static_cast<std::int64_t>(ev.g)] = ev.ts;
    } else if (ev.type == OldType::GoSysExit && ev.args[2] != 0) {
      GTA_TRY(move_syscall_exit(ev));
      entry |= kMovedBit;
    }
    trace_.order_.push_back(entry);
    heads_[s].valid = false;
    available_.push_back(s);
  }
  return available_.empty() ? Status{} : stuck();
}

// Adds a head to the frontier. Go 1.26's heapUp: the new entry rises while strictly earlier than
// its parent (1.7-1.10: the standard heap, ties to the lower P).
void OldTrace::SequenceOrder::push_ready(Ready r) {
  frontier_.push_back(r);
  if (!go126_heap_) {
    std::push_heap(frontier_.begin(), frontier_.end(), LaterOrHigherP{});
    return;
  }
  for (std::size_t j = frontier_.size() - 1; j > 0;) {
    const std::size_t parent = (j - 1) / 2;
    if (!(frontier_[j].ts < frontier_[parent].ts)) break;
    std::swap(frontier_[parent], frontier_[j]);
    j = parent;
  }
}

// Takes the earliest head's stream. Go 1.26's Pop: the last entry replaces the root and sinks
// (heapDown: the right child only when strictly earlier than the left, a swap only when strictly
// earlier than the parent).
std::uint32_t OldTrace::SequenceOrder::pop_earliest() {
  const std::uint32_t earliest = frontier_.front().stream;
  if (!go126_heap_) {
    std::pop_heap(frontier_.begin(), frontier_.end(), LaterOrHigherP{});
    frontier_.pop_back();
    return earliest;
  }
  const std::size_t n = frontier_.size() - 1;
  std::swap(frontier_.front(), frontier_[n]);
  for (std::size_t i = 0;;) {
    const std::size_t left = 2 * i + 1;
    if (left >= n) break;
    std::size_t j = left;
    if (left + 1 < n && frontier_[left + 1].ts < frontier_[left].ts) j = left + 1;
    if (!(frontier_[j].ts < frontier_[i].ts)) break;
    std::swap(frontier_[i], frontier_[j]);
    i = j;
  }
  frontier_.pop_back();
  return earliest;
}

// Moves the event's goroutine to its next state: false if it is not in the state the event needs.
bool OldTrace::SequenceOrder::advance_goroutine(const Transition& tr) {
  changed_ = tr.g;
  if (tr.g == kUnordered) return true;
  GState& curr = gs_[static_cast<std::int64_t>(tr.g)];
  if (!transition_ready(tr, curr)) return false;
  GState next = tr.next;
  if (next.seq == kNoSeq) next.seq = curr.seq;
  if (next.seq == kSeqInc) next.seq = curr.seq + 1;
  curr = next;
  return true;
}

// Time must follow the order; when it does not (CPUs with skewed clocks), keep the sound order
// and repair the times instead of rejecting the trace as Go does.
void OldTrace::SequenceOrder::keep_time_monotonic(OldEvent& ev) {
  if (ev.ts < last_ts_) {
    if (out_of_order_++ == 0) first_bad_offset_ = ev.offset;
    trace_.clamp_ts_ = true;
    ev.ts = last_ts_;
  }
  last_ts_ = ev.ts;
}

Error OldTrace::SequenceOrder::impossible_transition(const OldEvent& ev) const {
  return make_error(ErrorCode::Corrupt, ev.offset,
                    fmt::format("encountered impossible goroutine state transition (event {})", trace_.order_.size()));
}

// A syscall exit recorded when the goroutine got a P back: it goes to the moved list at its
// real time, an argument.
Status OldTrace::SequenceOrder::move_syscall_exit(const OldEvent& ev) {
  const auto real = static_cast<std::int64_t>(ev.args[2]);
  const auto* it = last_sys_block_.find(static_cast<std::int64_t>(ev.g));
  const std::int64_t block = it == nullptr ? 0 : it->second;
  if (block == 0)
    return make_error(ErrorCode::Corrupt, ev.offset,
                      fmt::format("stray syscall exit (event {})", trace_.order_.size()));
  if (real < block) {
    return make_error(
        ErrorCode::Corrupt, ev.offset,
        fmt::format("time stamps out of order: syscall exit before its block (event {})", trace_.order_.size()));
  }
  OldEvent moved = ev;
  moved.ts = real;
  trace_.moved_.push_back(Moved{real, trace_.order_.size(), moved});
  return {};
}

void OldTrace::SequenceOrder::finish() {
  if (out_of_order_ > 0) {
    trace_.warnings_.push_back(fmt::format(
        "time stamps out of order: {} events carry a time before the event ordered ahead of them (first at byte "
        "offset {}); their times were raised to keep the stream monotonic",
        out_of_order_, first_bad_offset_));
  }
  std::sort(trace_.moved_.begin(), trace_.moved_.end());
  trace_.order_count_ = trace_.order_.size();
  trace_.order_.shrink_to_fit();
}

Status OldTrace::order_by_sequence() {
  SequenceOrder order(*this);
  GTA_TRY(order.run());
  order.finish();
  return {};
}

// A cut may take events of any number, not only the last ones: each P's buffer is written when it
// fills. The events after the first missing number may depend on it (a goroutine unblocked while
// its syscall exit was cut off), and Go 1.5 traces have no per-goroutine sequence to tell: keep
// only the events before it.
void OldTrace::stop_at_first_missing(std::vector<std::int64_t>& numbers) {
  std::sort(numbers.begin(), numbers.end());
  for (std::size_t i = 1; i < numbers.size(); i++) {
    if (numbers[i] - numbers[i - 1] <= 1) continue;
    const std::int64_t missing = numbers[i - 1] + 1;
    const auto kept = std::lower_bound(moved_.begin(), moved_.end(), missing,
                                       [](const Moved& m, std::int64_t key) { return m.key < key; });
    warnings_.push_back(fmt::format(
        "ordering stopped after {} events: event number {} was cut off, and the {} events after it may depend on it",
        kept - moved_.begin(), missing, moved_.end() - kept));
    moved_.erase(kept, moved_.end());
    return;
  }
}

Status OldTrace::order_by_seq_1_5() {
  // Go 1.5 numbered every event globally: the order is the sequence numbers' order.
  Raw raw;
  std::uint64_t n = 0;
  std::vector<std::int64_t> numbers;  // every number the events used: a cut trace's are checked for gaps
  for (std::uint32_t s = 0; s < streams_.size(); s++) {
    Cursor c;
    c.stream = s;
    OldEvent ev;
    std::int64_t seq = 0;
    while (next_in_stream(c, ev, &seq, raw)) {
      if (truncated_) numbers.push_back(seq);
      if (ev.type == OldType::GoSysExit) {
        // Emitted once the thread had a P again: its real sequence number and time are arguments.
        seq = static_cast<std::int64_t>(ev.args[1]);
        if (ev.args[2] != 0) ev.ts = static_cast<std::int64_t>(ev.args[2]);
        if (truncated_) numbers.push_back(seq);
      }
      drop_local(ev);
      moved_.push_back(Moved{seq, n++, ev});
    }
  }
  std::sort(moved_.begin(), moved_.end());
  if (truncated_) stop_at_first_missing(numbers);
  std::uint64_t bad = 0, first_bad = 0;
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  for (auto& m : moved_) {
    if (m.ev.ts < last) {
      if (bad++ == 0) first_bad = m.ev.offset;
      m.ev.ts = last;
    }
    last = m.ev.ts;
  }
  if (bad > 0) {
    warnings_.push_back(
        fmt::format("time stamps out of order: {} events (first at byte offset {}) carry a time before an event with a "
                    "lower sequence number; ordered by sequence number and their times raised",
                    bad, first_bad));
  }
  order_count_ = moved_.size();
  return {};
}

}  // namespace gtanalyze::parser::v1

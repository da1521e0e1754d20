// The ordering state machine (Go's order.go): emulates goroutine, proc and thread state to decide
// whether the next event of a thread may happen now, validates it, and queues the resulting
// events (some wire events expand into several, some carry facts worked out here in spare args).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/id_map.hpp"
#include "gtanalyze/error.hpp"
#include "gtanalyze/event.hpp"
#include "gtanalyze/version.hpp"
#include "parser/event_extras.hpp"
#include "parser/v2/generation.hpp"

namespace gtanalyze::parser::v2 {

// An event as read from a batch, before ordering: its type, absolute time and wire arguments
// after the timestamp.
struct RawEvent {
  EventType type = EventType::None;
  Time time = 0;
  std::array<std::uint64_t, 4> args{};
  std::uint64_t offset = 0;  // in the trace stream, for errors
};

struct MState {
  GoId g = kNoGoroutine;
  ProcId p = kNoProc;
};

// Status names for error messages, as Go spells them.
std::string_view go_status_name(WireGoStatus s);
std::string_view proc_status_name(WireProcStatus s);

class Ordering {
 public:
  // What advance() did with an event: it happened (its events are in events()), it cannot happen
  // yet, or it broke the trace (error() says how).
  enum class Step : std::uint8_t { Done, NotYet, Failed };

  // Tries to advance `ev`, read from thread m's batches in generation `gen`. `ms` caches m's
  // state between calls (null until the first call creates it).
  Step advance(RawEvent& ev, GenerationTables* tables, ThreadId m, std::uint64_t gen, MState*& ms);
  // Why the last advance() failed. Errors are kept here rather than returned, so that the
  // handlers, run once per event, return a byte in a register.
  [[nodiscard]] const Error& error() const { return error_; }

  // The events advance() produced since the last clear(), in order. The reader hands them out
  // in batches: one buffer, filled and emptied whole, so no event is copied through a queue.
  [[nodiscard]] std::span<Event> events() { return {out_.data(), out_size_}; }
  void clear() { out_size_ = 0; }
  // Hands the events over in their buffer, swapped with `storage` (whose capacity the ordering
  // reuses): how many of `storage` they are. The ordering's events are then empty.
  std::size_t take_events(std::vector<Event>& storage) {
    const std::size_t n = out_size_;
    out_.swap(storage);
    out_size_ = 0;
    return n;
  }
  // Drops the events from `size` on (the reader found one of them invalid).
  void truncate(std::size_t size) { out_size_ = std::min(out_size_, size); }
  // Appends an event the reader makes itself (Sync, CPU samples), in reader order.
  void emit(const Event& e) { next_slot() = e; }

 private:
  struct SchedCtx {
    GoId g = kNoGoroutine;
    ProcId p = kNoProc;
    ThreadId m = kNoThread;
  };
  struct Seq {
    std::uint64_t gen = 0, seq = 0;
    [[nodiscard]] bool succeeds(const Seq& b) const { return gen == b.gen && seq == b.seq + 1; }
  };
  // A special range in flight on a resource: its begin event type and optional string id.
  struct RangeType {
    EventType type = EventType::None;
    std::uint64_t desc = 0;
    bool operator==(const RangeType&) const = default;
  };
  struct UserRegion {
    TaskId task = 0;
    std::string_view name;  // kept by names_
    bool operator==(const UserRegion&) const = default;
  };
  // A goroutine's state: looked up for nearly every event, so kept small (40 bytes an entry).
  struct GState {
    Seq seq;
    WireGoStatus status = WireGoStatus::Bad;
  };
  using GoStates = base::IdMap<GState>;  // goroutine states by id
  // What few goroutines have, beside their GState: user regions and special ranges in flight.
  struct GoRanges {
    std::vector<UserRegion> regions;
    std::vector<RangeType> ranges;
  };
  struct PState {
    WireProcStatus status = WireProcStatus::Bad;
    Seq seq;
    std::vector<RangeType> ranges;
  };
  struct TaskState {
    std::string_view name;  // kept by names_
    TaskId parent = kNoTask;
  };
  enum class GcState : std::uint8_t { Undetermined, NotRunning, Running };
  enum class Need : std::uint8_t { MustNotHave, MayHave, MustHave };

  // Room for one more output event; the buffer only grows (to the reader's batch size and a few).
  Event& next_slot() {
    if (out_size_ == out_.size()) out_.resize(out_.empty() ? 64 : out_.size() * 2);
    return out_[out_size_++];
  }
  // Queues the event as delivered: inline, as it runs once per event.
  void push(const RawEvent& ev, GenerationTables* t, const SchedCtx& ctx) {
    Event& e = next_slot();
    e.type = ev.type;
    e.time = ev.time;
    e.g = ctx.g;
    e.p = ctx.p;
    e.m = ctx.m;
    e.args = ev.args;
    e.tables = t;
  }
  void push(EventType type, Time time, GenerationTables* t, const SchedCtx& ctx, std::uint64_t a0 = 0,
            std::uint64_t a1 = 0);
  // Records the error of `ev`: Step::Failed for handlers, false for the checks they call. The
  // message is formatted here, out of line, so that the busy handlers set up no strings.
  // Kept: callgrind go1.26-100M --json +7.6% Ir without the hints, dump --decode-only +10.1% (2026-12-05).
  template <class... Args>
  [[gnu::noinline, gnu::cold]] Step fail(const RawEvent& ev, fmt::format_string<Args...> format, Args&&... args) {
    error_ = make_error(ErrorCode::Corrupt, ev.offset, fmt::format(format, std::forward<Args>(args)...));
    return Step::Failed;
  }
  template <class... Args>
  [[gnu::noinline, gnu::cold]] bool rejected(const RawEvent& ev, fmt::format_string<Args...> format, Args&&... args) {
    fail(ev, format, std::forward<Args>(args)...);
    return false;
  }
  using PStates = base::IdMap<PState>;  // proc states by id
  using PEntry = PStates::Entry;
  // The state of the goroutine or proc the event needs, or null with the error saying it is missing.
  GoStates::Entry* existing_g(const RawEvent& ev, GoId id) {
    if (auto* e = g_states_.find(id)) return e;
    missing_g(ev, id);
    return nullptr;
  }
  void missing_g(const RawEvent& ev, GoId id);
  // The goroutine is gone: its state and any ranges.
  void forget_g(GoStates::Entry* it) {
    if (!g_ranges_.empty()) g_ranges_.erase(it->first);
    g_states_.erase(it);
  }
  PEntry* initialized_p(const RawEvent& ev, ProcId id) {
    if (auto* e = p_states_.find(id)) return e;
    missing_p(ev, id);
    return nullptr;
  }
  void missing_p(const RawEvent& ev, ProcId id);
  // Whether the context has (or lacks) the thread, proc and goroutine the event needs. Inline:
  // it runs for most events, with constant needs, and almost always passes.
  bool validate(const RawEvent& ev, const SchedCtx& ctx, Need m, Need p, Need g) {
    const auto holds = [](Need need, bool present) {
      return need == Need::MayHave || present == (need == Need::MustHave);
    };
    if (holds(m, ctx.m != kNoThread) && holds(p, ctx.p != kNoProc) && holds(g, ctx.g != kNoGoroutine)) return true;
    return context_error(ev, ctx, m, p, g);
  }
  // Records the error validate() reports, for the first need the context does not meet.
  bool context_error(const RawEvent& ev, SchedCtx ctx, Need m, Need p, Need g);
  bool user_go(const RawEvent& ev, const SchedCtx& ctx) {
    return validate(ev, ctx, Need::MustHave, Need::MustHave, Need::MustHave);
  }
  static EventType range_start(EventType t);
  // False, with the error recorded, when the range is not in the state the event needs.
  bool begin_range(const RawEvent& ev, std::vector<RangeType>& ranges, RangeType r);
  bool active_range(const RawEvent& ev, std::vector<RangeType>& ranges, RangeType r, bool initial_gen);
  bool end_range(const RawEvent& ev, std::vector<RangeType>& ranges, std::uint64_t& desc);

  // advance() for the events it does not handle itself.
  Step handle_other(RawEvent& ev, GenerationTables* tables, std::uint64_t gen, SchedCtx& cur, SchedCtx& next);
  // One handler per group of wire events; `cur` is the context before the event, `next` after.
  // Goroutine transitions (ordering.cpp). The busiest five inline into advance(). Kept: callgrind
  // go1.26-100M dump --decode-only +12.1% Ir without always_inline (2026-12-05).
  Step go_create(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step go_switch(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  [[gnu::always_inline]] inline Step go_stop_exec(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur,
                                                  SchedCtx& next);
  [[gnu::always_inline]] inline Step go_start(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur,
                                              SchedCtx& next);
  [[gnu::always_inline]] inline Step go_unblock(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur,
                                                SchedCtx& next);
  [[gnu::always_inline]] inline Step go_syscall_begin(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur,
                                                      SchedCtx& next);
  [[gnu::always_inline]] inline Step go_syscall_end(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur,
                                                    SchedCtx& next);
  // The statuses each generation starts with (ordering_status.cpp).
  Step proc_status(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step go_status(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  // Procs, and syscalls that lose their proc or have none (ordering_proc.cpp).
  Step proc_start(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step proc_stop(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step proc_steal(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step go_syscall_end_blocked(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step go_create_syscall(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step go_destroy_syscall(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  // Ranges, GC, user annotations and the events that need only a context check (ordering_range.cpp).
  Step user_task_begin(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step user_task_end(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step user_region(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step annotation(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step gc_active(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step gc_begin(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step gc_end(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step heap_metric(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step sweep_begin(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step sweep_active(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step sweep_end(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step go_range_begin(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step go_range_active(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step go_range_end(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);
  Step alloc_free(RawEvent&, GenerationTables*, std::uint64_t, SchedCtx& cur, SchedCtx& next);

  GoStates g_states_;
  std::unordered_map<GoId, GoRanges> g_ranges_;  // only for goroutines that have any
  PStates p_states_;
  std::unordered_map<ThreadId, MState> m_states_;
  std::unordered_map<TaskId, TaskState> active_tasks_;
  // The names of the regions and tasks in flight, each once: they outlive their generation's
  // strings, and a copy each took 3 GB for 3 million nested regions of a 1 KB name.
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_set<std::string, NameHash, std::equal_to<>> names_;
  std::string_view keep_name(std::string_view name) {
    auto it = names_.find(name);  // before emplace, which would build a string to find it is there
    if (it == names_.end()) it = names_.emplace(name).first;
    return *it;
  }
  std::uint64_t gc_seq_ = 0;
  GcState gc_state_ = GcState::Undetermined;
  std::uint64_t initial_gen_ = 0;
  Error error_;             // of the last advance() that failed
  std::vector<Event> out_;  // events produced since clear(): the first out_size_ are valid
  std::size_t out_size_ = 0;
};

}  // namespace gtanalyze::parser::v2

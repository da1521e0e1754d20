// Each goroutine's life cut into state intervals — running, runnable, in a syscall (with or without
// its P), waiting for a reason — handed on one at a time as each ends, so that a trace of any size
// is cut in bounded memory. They follow the timeline's slices (docs/perfetto.md): summed per
// goroutine they give its --json figures, with the timeline's documented exceptions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "analysis/interning.hpp"
#include "base/id_map.hpp"
#include "gtanalyze/event.hpp"

namespace gtanalyze::analysis {

enum class IntervalState : std::uint8_t { Running, Runnable, Syscall, SyscallBlocked, Waiting };
// "running", "runnable", "syscall", "syscall_blocked", "waiting".
const char* interval_state_name(IntervalState s);

struct StateInterval {
  GoId goroutine = 0;
  IntervalState state = IntervalState::Running;
  std::uint32_t reason = 0;  // waiting: an Interning name id ("" when the trace has none)
  Time start = 0, end = 0;
  // Where the event that began it happened (none when it began at a generation's start), and the
  // stack it gave the goroutine (an Interning stack id; 0: none).
  ProcId p = kNoProc;
  ThreadId m = kNoThread;
  std::uint32_t stack = 0;
  // Runnable after being created or unblocked by another goroutine: that goroutine and the
  // stack it did it from.
  GoId cause = kNoGoroutine;
  std::uint32_t cause_stack = 0;
};

class StateIntervals {
 public:
  using Sink = std::function<void(const StateInterval&)>;
  // Names and stacks are interned into `interning`, which the intervals' ids then refer to.
  StateIntervals(Interning& interning, Sink sink) : interning_(interning), sink_(std::move(sink)) {}

  // The next events in order.
  void on_events(std::span<const Event> events);
  // Ends every interval still open at the last event.
  void finish();

 private:
  struct Open {
    StateInterval interval;  // while `open`
    bool open = false;
    ProcId syscall_p = kNoProc;  // the P its syscall holds, while it does
  };
  void on_event(const Event& ev);
  void on_goroutine(const Event& ev, const StateChange& st);
  void first_seen(const Event& ev, Open& g, GoId id, GoState to);
  void enter(const Event& ev, Open& g, GoId id, IntervalState state, GoState from);
  void on_proc_idle(const Event& ev, ProcId p);
  void leave(Open& g);
  void end(Open& g, Time t);  // hands the open interval on, ending at t

  Interning& interning_;
  Sink sink_;
  base::IdMap<Open> open_;
  base::IdMap<GoId> syscall_on_p_;  // P → the goroutine in a syscall holding it
  Time sync_time_ = 0, last_ = 0;
};

}  // namespace gtanalyze::analysis

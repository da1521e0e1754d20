// The one event model every decoder produces and every analysis consumes: an ordered, validated
// event of the Go 1.22+ vocabulary. Old-format traces (Go 1.5–1.21) are converted into it at the
// decoder, as Go 1.26's own reader does, so nothing downstream ever asks which version it reads.
//
// An Event is a small value: a wire event type, a time, the scheduling context and up to four
// arguments. Strings and stacks are ids into the EventTables of the event's generation; the
// views below (state_transition(), range(), …) interpret them the way Go's trace.Event does.
// An Event and its views are valid until the reader moves to the next generation.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "gtanalyze/ids.hpp"

namespace gtanalyze {

// Wire event types of the Go 1.22+ format, numbered as on the wire (Go's tracev2 package), plus
// Sync, which the reader synthesises once per generation.
enum class EventType : std::uint8_t {
  None = 0,
  // Structural: framing and tables; never surfaced as Events.
  EventBatch = 1, Stacks, Stack, Strings, String, CPUSamples, CPUSample, Frequency,
  // Timed events.
  ProcsChange = 9, ProcStart, ProcStop, ProcSteal, ProcStatus,
  GoCreate = 14, GoCreateSyscall, GoStart, GoDestroy, GoDestroySyscall, GoStop, GoBlock, GoUnblock,
  GoSyscallBegin, GoSyscallEnd, GoSyscallEndBlocked, GoStatus,
  STWBegin = 26, STWEnd,
  GCActive = 28, GCBegin, GCEnd, GCSweepActive, GCSweepBegin, GCSweepEnd, GCMarkAssistActive,
  GCMarkAssistBegin, GCMarkAssistEnd, HeapAlloc, HeapGoal,
  GoLabel = 39, UserTaskBegin, UserTaskEnd, UserRegionBegin, UserRegionEnd, UserLog,
  GoSwitch = 45, GoSwitchDestroy, GoCreateBlocked,  // Go 1.23
  GoStatusStack = 48,                               // Go 1.23
  ExperimentalBatch = 49,                           // Go 1.23 (structural)
  SyncBatch = 50, ClockSnapshot = 51,               // Go 1.25 (SyncBatch is structural)
  EndOfGeneration = 52,                             // Go 1.26 (structural)
  // Experimental events (AllocFree experiment, Go 1.23+).
  Span = 128, SpanAlloc, SpanFree, HeapObject, HeapObjectAlloc, HeapObjectFree, GoroutineStack,
  GoroutineStackAlloc, GoroutineStackFree,
  Sync = 255,  // synthesised by the reader at the start of each generation
};

// What an event means, as Go's trace.EventKind.
enum class EventKind : std::uint8_t {
  Bad, Sync, Metric, Label, StackSample, RangeBegin, RangeActive, RangeEnd, TaskBegin, TaskEnd,
  RegionBegin, RegionEnd, Log, StateTransition, Experimental,
};

enum class ResourceKind : std::uint8_t { None, Goroutine, Proc, Thread };

std::string_view event_kind_name(EventKind k);
// The wire name ("GoCreate"); "Sync" for the synthesised event.
std::string_view event_type_name(EventType t);

struct ResourceId {
  ResourceKind kind = ResourceKind::None;
  std::int64_t id = -1;
};

struct StackFrame {
  std::uint64_t pc = 0;
  std::string_view func;
  std::string_view file;
  std::uint64_t line = 0;
};

// A stack: the frames, innermost first. Empty for "no stack".
using Stack = std::span<const StackFrame>;

// A near-simultaneous reading of the trace, monotonic and wall clocks, taken at the start of a
// generation (Go 1.25+; the Sync event of that generation carries it).
struct ClockSnapshot {
  Time trace = 0;           // the trace clock, in the same units as Event::time
  std::uint64_t mono = 0;   // the system's monotonic clock, ns
  std::int64_t wall_sec = 0;   // the wall clock: seconds since the Unix epoch…
  std::int64_t wall_nsec = 0;  // …and nanoseconds in [0, 1e9)
};

// Strings and stacks of one generation (the whole trace for old formats). Lookups of ids the
// decoder has validated never fail; an unknown id gives "" or an empty stack.
class EventTables {
 public:
  virtual ~EventTables() = default;
  virtual std::string_view string(std::uint64_t id) const = 0;
  virtual Stack stack(std::uint64_t id) const = 0;
  // Strings the decoder made up (e.g. a task's type on its end event), by their own ids.
  virtual std::string_view extra_string(std::uint64_t id) const = 0;
  // The generation's clock snapshot, when the trace has one (Go 1.25+).
  virtual const ClockSnapshot* clock_snapshot() const { return nullptr; }
};

struct StateTransition {
  ResourceId resource;
  GoState go_from = GoState::Undetermined, go_to = GoState::Undetermined;          // goroutines
  ProcState proc_from = ProcState::Undetermined, proc_to = ProcState::Undetermined;  // procs
  std::string_view reason;
  Stack stack;  // the stack of the goroutine that changes state, when known
};

// state_transition() without the reason and the stack (table lookups): 16 bytes, returned in
// registers, for consumers that look at every transition and need those only for some.
struct StateChange {
  std::int64_t id = -1;  // of the goroutine or proc
  ResourceKind kind = ResourceKind::None;
  GoState go_from = GoState::Undetermined, go_to = GoState::Undetermined;          // goroutines
  ProcState proc_from = ProcState::Undetermined, proc_to = ProcState::Undetermined;  // procs
};

struct Range {
  // "GC concurrent mark phase", "GC incremental sweep", "GC mark assist", or
  // "stop-the-world (KIND)" (the decoder interns that one as an extra string of its generation).
  std::string_view name;
  ResourceId scope;
};

struct Metric {
  std::string_view name;
  std::uint64_t value = 0;
};

struct Task {
  TaskId id = 0;
  TaskId parent = kNoTask;
  std::string_view type;
};

struct Region {
  TaskId task = 0;
  std::string_view type;
};

struct Log {
  TaskId task = 0;
  std::string_view category;
  std::string_view message;
};

// The table ids behind an event's strings and stacks (see Event::transition_table_ids()).
inline constexpr std::uint64_t kNoTableId = ~std::uint64_t{0};  // nothing to look up: "" or no stack
struct TableIds {
  std::uint64_t string = kNoTableId;
  std::uint64_t stack = kNoTableId;
};

namespace detail {
// EventKind by EventType, for the inline Event::kind() (asked for every event).
extern const std::array<EventKind, 256> kEventKinds;

// For the inline Event::state_change(): by EventType, the transition the type makes whatever its
// arguments but the resource id, and where that id is. Kind None: the type makes no transition,
// or one that depends on its arguments. A constant expression, so that a consumer can also
// handle a type's transition with its states known at compile time.
enum class ChangeId : std::uint8_t { Arg0, G, P };
struct FixedChange {
  StateChange change;
  ChangeId id_from = ChangeId::Arg0;
};

constexpr std::array<FixedChange, 256> make_fixed_changes() {
  std::array<FixedChange, 256> c{};
  using E = EventType;
  using I = ChangeId;
  using G = GoState;
  using P = ProcState;
  auto go = [&c](E t, I id, G from, G to) {
    FixedChange& f = c[static_cast<std::size_t>(t)];
    f.change.kind = ResourceKind::Goroutine;
    f.change.go_from = from;
    f.change.go_to = to;
    f.id_from = id;
  };
  auto proc = [&c](E t, I id, P from, P to) {
    FixedChange& f = c[static_cast<std::size_t>(t)];
    f.change.kind = ResourceKind::Proc;
    f.change.proc_from = from;
    f.change.proc_to = to;
    f.id_from = id;
  };
  proc(E::ProcStart, I::Arg0, P::Idle, P::Running);
  proc(E::ProcStop, I::P, P::Running, P::Idle);
  go(E::GoCreate, I::Arg0, G::NotExist, G::Runnable);
  go(E::GoCreateBlocked, I::Arg0, G::NotExist, G::Waiting);
  go(E::GoCreateSyscall, I::Arg0, G::NotExist, G::Syscall);
  go(E::GoStart, I::Arg0, G::Runnable, G::Running);
  go(E::GoDestroy, I::G, G::Running, G::NotExist);
  go(E::GoDestroySyscall, I::G, G::Syscall, G::NotExist);
  go(E::GoStop, I::G, G::Running, G::Runnable);
  go(E::GoBlock, I::G, G::Running, G::Waiting);
  // A switch first unblocks the goroutine it names, with the same arguments as GoUnblock.
  for (E t : {E::GoUnblock, E::GoSwitch, E::GoSwitchDestroy}) go(t, I::Arg0, G::Waiting, G::Runnable);
  go(E::GoSyscallBegin, I::G, G::Running, G::Syscall);
  go(E::GoSyscallEnd, I::G, G::Syscall, G::Running);
  go(E::GoSyscallEndBlocked, I::G, G::Syscall, G::Runnable);
  return c;
}
inline constexpr std::array<FixedChange, 256> kFixedChanges = make_fixed_changes();

// For the inline Event::transition_table_ids(): by EventType, the arguments that hold the ids of
// a transition's reason (a string) and stack, or -1. A context stack is the stack of the event's
// execution context, which is "no stack" when its id is 0 or the event has no tables.
struct TransitionIdArgs {
  std::int8_t string = -1, stack = -1;
  bool context_stack = false;
};
extern const std::array<TransitionIdArgs, 256> kTransitionIdArgs;
}  // namespace detail

struct Event {
  EventType type = EventType::None;
  Time time = 0;
  // The execution context: who was running where. For a state transition these describe the
  // state before it (a goroutine starting to run has g == kNoGoroutine).
  GoId g = kNoGoroutine;
  ProcId p = kNoProc;
  ThreadId m = kNoThread;
  // The wire arguments after the timestamp; the decoder may fill unused slots with facts it
  // worked out while ordering (as Go's reader does), which the views below read.
  std::array<std::uint64_t, 4> args{};
  const EventTables* tables = nullptr;

  EventKind kind() const { return detail::kEventKinds[static_cast<std::size_t>(type)]; }
  // The stack of the current execution context, if the event has one.
  Stack stack() const;
  StateTransition state_transition() const;  // kind() == StateTransition
  // state_transition() in parts, for consumers that need the reason and the stack (table
  // lookups) only for some transitions: the resource and states, then each of the two.
  StateChange state_change() const {
    const detail::FixedChange& f = detail::kFixedChanges[static_cast<std::size_t>(type)];
    if (f.change.kind == ResourceKind::None) return state_change_from_args();
    StateChange c = f.change;
    c.id = change_id(f.id_from);
    return c;
  }
  // The id of the goroutine or proc a fixed transition changes (detail::kFixedChanges).
  std::int64_t change_id(detail::ChangeId from) const {
    return from == detail::ChangeId::G ? g : from == detail::ChangeId::P ? p : static_cast<std::int64_t>(args[0]);
  }
  StateChange state_change_from_args() const;  // state_change() of the types not in the table
  std::string_view transition_reason() const;
  Stack transition_stack() const;
  // The ids these two look up in `tables`, for consumers that cache by them: within a
  // generation, equal ids give equal reasons and stacks.
  TableIds transition_table_ids() const {
    const detail::TransitionIdArgs& t = detail::kTransitionIdArgs[static_cast<std::size_t>(type)];
    TableIds ids;
    if (t.string >= 0) ids.string = args[static_cast<std::size_t>(t.string)];
    if (t.stack >= 0) {
      const std::uint64_t id = args[static_cast<std::size_t>(t.stack)];
      if (!t.context_stack || (id != 0 && tables != nullptr)) ids.stack = id;
    }
    return ids;
  }
  Range range() const;                       // kind() is RangeBegin, RangeActive or RangeEnd
  Metric metric() const;                     // kind() == Metric
  std::string_view label() const;            // kind() == Label
  Task task() const;                         // kind() is TaskBegin or TaskEnd
  Region region() const;                     // kind() is RegionBegin or RegionEnd
  Log log() const;                           // kind() == Log
  std::uint64_t sync_number() const { return args[0]; }  // kind() == Sync: the Nth generation
};

}  // namespace gtanalyze

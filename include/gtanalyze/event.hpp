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
// Laid out by hand: grouped as Go's tracev2 numbers them.
// clang-format off
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
// clang-format on

// What an event means, as Go's trace.EventKind.
enum class EventKind : std::uint8_t {
  Bad,
  Sync,
  Metric,
  Label,
  StackSample,
  RangeBegin,
  RangeActive,
  RangeEnd,
  TaskBegin,
  TaskEnd,
  RegionBegin,
  RegionEnd,
  Log,
  StateTransition,
  Experimental,
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
  Time trace = 0;              // the trace clock, in the same units as Event::time
  std::uint64_t mono = 0;      // the system's monotonic clock, ns
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
  GoState go_from = GoState::Undetermined, go_to = GoState::Undetermined;            // goroutines
  ProcState proc_from = ProcState::Undetermined, proc_to = ProcState::Undetermined;  // procs
  std::string_view reason;
  Stack stack;  // the stack of the goroutine that changes state, when known
};

// state_transition() without the reason and the stack (table lookups): 16 bytes, returned in
// registers, for consumers that look at every transition and need those only for some.
struct StateChange {
  std::int64_t id = -1;  // of the goroutine or proc
  ResourceKind kind = ResourceKind::None;
  GoState go_from = GoState::Undetermined, go_to = GoState::Undetermined;            // goroutines
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

  EventKind kind() const;
  // The stack of the current execution context, if the event has one.
  Stack stack() const;
  StateTransition state_transition() const;  // kind() == StateTransition
  // state_transition() in parts, for consumers that need the reason and the stack (table
  // lookups) only for some transitions: the resource and states, then each of the two.
  StateChange state_change() const;
  std::string_view transition_reason() const;
  Stack transition_stack() const;
  // The ids these two look up in `tables`, for consumers that cache by them: within a
  // generation, equal ids give equal reasons and stacks.
  TableIds transition_table_ids() const;
  Range range() const;                                   // kind() is RangeBegin, RangeActive or RangeEnd
  Metric metric() const;                                 // kind() == Metric
  std::string_view label() const;                        // kind() == Label
  Task task() const;                                     // kind() is TaskBegin or TaskEnd
  Region region() const;                                 // kind() is RegionBegin or RegionEnd
  Log log() const;                                       // kind() == Log
  std::uint64_t sync_number() const { return args[0]; }  // kind() == Sync: the Nth generation
};

}  // namespace gtanalyze

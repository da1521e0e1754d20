// Everything known about an event type whatever the event's arguments, in one row per type: its
// wire format (Go's tracev2 spec), what events of the type mean (the parts of Go's trace.Event
// methods that depend on the type alone), and columns derived from those for the lookups made
// for every event. The decoder, the ordering, the event views, the text-trace converter and the
// dumps all read this table; a new event type is a new row here.
//
// The table is a constant expression in this header, so that lookups of a known type fold away
// and a consumer can specialise its handling of a type at compile time (analysis's FixedStates).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "gtanalyze/event.hpp"
#include "gtanalyze/version.hpp"

namespace gtanalyze::parser {

// Experiments that may own experimental events or batches (Go's tracev2.Experiment).
enum class Experiment : std::uint8_t { None = 0, AllocFree = 1 };

std::string_view experiment_name(std::uint64_t id);

// Number of wire rows of the table (the highest experimental event + 1).
inline constexpr std::size_t kSpecCount = 137;
// Limits of the wire format (Go's tracev2).
inline constexpr std::size_t kMaxBatchSize = 64 << 10;
inline constexpr std::size_t kMaxFramesPerStack = 128;
inline constexpr std::size_t kMaxStringSize = 1 << 10;
// Timed events carry at most this many arguments after the timestamp delta.
inline constexpr std::size_t kMaxTimedArgs = 4;

// Where the id of the goroutine or proc a type's transition changes comes from.
enum class ChangeId : std::uint8_t { Arg0, G, P };

// The transition every event of a type makes, whatever its arguments but the resource id.
struct FixedChange {
  StateChange change;  // kind None: the type makes no transition, or one that its arguments say
  ChangeId id_from = ChangeId::Arg0;

  // The id of the goroutine or proc that `ev` changes.
  std::int64_t id(const Event& ev) const {
    return id_from == ChangeId::G ? ev.g : id_from == ChangeId::P ? ev.p : static_cast<std::int64_t>(ev.args[0]);
  }
};

// What a transition tells beside its states (Go's StateTransition.Reason and .Stack).
enum class TransitionInfo : std::uint8_t {
  None,
  ContextStack,           // the stack of the event's execution context
  ReasonAndContextStack,  // also a reason: the first string argument
  NewGoroutineStack,      // the created goroutine's stack: the second stack argument
};

// Which arguments of an event (indices into Event::args, after the timestamp delta) are stack ids
// and which string ids: the spec's lists in a flat row, for the per-event checks and lookups.
// The first stack is the execution context's.
struct IdArgs {
  std::uint8_t stacks = 0, strings = 0;
  std::array<std::uint8_t, kMaxTimedArgs> stack{}, string{};
};

// The arguments that hold the ids of a transition's reason (a string) and stack, or -1. A context
// stack is "no stack" when its id is 0 or the event has no tables.
struct TransitionIdArgs {
  std::int8_t string = -1, stack = -1;
  bool context_stack = false;
};

// 128 bytes a row, so that finding a type's row is a shift (callgrind, go1.26-100M dump
// --decode-only: +6.2% instructions with the natural 112, against +0.2% with 128).
struct alignas(128) EventSpec {
  // The wire format (Go's tracev2.Spec).
  std::string_view name;  // empty for a hole in the numbering
  // Argument names in wire order. For timed events the first is the timestamp delta "dt".
  std::span<const std::string_view> args;
  // Indices into `args` of string-id and stack-id arguments. The first stack index is the stack of
  // the event's own execution context.
  std::span<const std::uint8_t> string_args;
  std::span<const std::uint8_t> stack_args;
  // For the end of a range (e.g. GCEnd) the event type that begins it; None otherwise.
  EventType start_event = EventType::None;
  bool timed = false;     // surfaced in the event stream (has a timestamp delta)
  bool has_data = false;  // followed by a uvarint length and that many bytes
  bool is_stack = false;  // followed by nframes × {pc, func, file, line}
  Experiment experiment = Experiment::None;

  // What events of the type mean: Go's Event.Kind, and for transitions what StateTransition says
  // whatever the arguments (the views in event.cpp read the rest from the arguments).
  EventKind kind = EventKind::Bad;
  FixedChange change;
  TransitionInfo transition = TransitionInfo::None;

  // Derived from the columns above once, by the table's constructor.
  // Wire values after the type byte in an event batch (timestamp delta first); 0 for types that
  // cannot appear in an event batch's stream of timed events.
  std::uint8_t timed_values = 0;
  IdArgs ids;
  TransitionIdArgs transition_ids;
};

namespace detail {

using A = std::string_view;
using I = std::uint8_t;

// Argument-name and index lists, one constant per distinct shape.
inline constexpr A kBatchArgs[] = {"gen", "m", "time", "size"};
inline constexpr A kStackArgs[] = {"id", "nframes"};
inline constexpr A kIdArgs[] = {"id"};
inline constexpr A kCPUSampleArgs[] = {"time", "m", "p", "g", "stack"};
inline constexpr A kFreqArgs[] = {"freq"};
inline constexpr A kExpBatchArgs[] = {"exp", "gen", "m", "time"};
inline constexpr A kProcsChangeArgs[] = {"dt", "procs_value", "stack"};
inline constexpr A kProcStartArgs[] = {"dt", "p", "p_seq"};
inline constexpr A kDtArgs[] = {"dt"};
inline constexpr A kProcStealArgs[] = {"dt", "p", "p_seq", "m"};
inline constexpr A kProcStatusArgs[] = {"dt", "p", "pstatus"};
inline constexpr A kGoCreateArgs[] = {"dt", "new_g", "new_stack", "stack"};
inline constexpr A kNewGArgs[] = {"dt", "new_g"};
inline constexpr A kGoSeqArgs[] = {"dt", "g", "g_seq"};
inline constexpr A kReasonArgs[] = {"dt", "reason_string", "stack"};
inline constexpr A kGoUnblockArgs[] = {"dt", "g", "g_seq", "stack"};
inline constexpr A kSyscallBeginArgs[] = {"dt", "p_seq", "stack"};
inline constexpr A kGoStatusArgs[] = {"dt", "g", "m", "gstatus"};
inline constexpr A kSTWBeginArgs[] = {"dt", "kind_string", "stack"};
inline constexpr A kGCSeqArgs[] = {"dt", "gc_seq"};
inline constexpr A kGCBeginArgs[] = {"dt", "gc_seq", "stack"};
inline constexpr A kPArgs[] = {"dt", "p"};
inline constexpr A kDtStackArgs[] = {"dt", "stack"};
inline constexpr A kSweepEndArgs[] = {"dt", "swept_value", "reclaimed_value"};
inline constexpr A kGArgs[] = {"dt", "g"};
inline constexpr A kHeapAllocArgs[] = {"dt", "heapalloc_value"};
inline constexpr A kHeapGoalArgs[] = {"dt", "heapgoal_value"};
inline constexpr A kLabelArgs[] = {"dt", "label_string"};
inline constexpr A kTaskBeginArgs[] = {"dt", "task", "parent_task", "name_string", "stack"};
inline constexpr A kTaskEndArgs[] = {"dt", "task", "stack"};
inline constexpr A kRegionArgs[] = {"dt", "task", "name_string", "stack"};
inline constexpr A kLogArgs[] = {"dt", "task", "key_string", "value_string", "stack"};
inline constexpr A kGoStatusStackArgs[] = {"dt", "g", "m", "gstatus", "stack"};
inline constexpr A kClockArgs[] = {"dt", "mono", "sec", "nsec"};
inline constexpr A kSpanArgs[] = {"dt", "id", "npages_value", "kindclass"};
inline constexpr A kDtIdArgs[] = {"dt", "id"};
inline constexpr A kHeapObjectArgs[] = {"dt", "id", "type"};
inline constexpr A kGoroutineStackArgs[] = {"dt", "id", "order"};

inline constexpr I k1[] = {1};
inline constexpr I k2[] = {2};
inline constexpr I k3[] = {3};
inline constexpr I k4[] = {4};
inline constexpr I k3and2[] = {3, 2};
inline constexpr I k2and3[] = {2, 3};

// A row being written: the setters below make each row one statement.
struct Row : EventSpec {
  constexpr Row means(EventKind k) const {
    Row r = *this;
    r.kind = k;
    return r;
  }
  constexpr Row stacks(std::span<const I> indices) const {
    Row r = *this;
    r.stack_args = indices;
    return r;
  }
  constexpr Row with_data() const {
    Row r = *this;
    r.has_data = true;
    return r;
  }
  constexpr Row with_frames() const {
    Row r = *this;
    r.is_stack = true;
    return r;
  }
  // A transition whose states its arguments say.
  constexpr Row transition_by_args(TransitionInfo info = TransitionInfo::None) const {
    Row r = means(EventKind::StateTransition);
    r.transition = info;
    return r;
  }
  constexpr Row go(ChangeId id, GoState from, GoState to, TransitionInfo info = TransitionInfo::None) const {
    Row r = transition_by_args(info);
    r.change.change.kind = ResourceKind::Goroutine;
    r.change.change.go_from = from;
    r.change.change.go_to = to;
    r.change.id_from = id;
    return r;
  }
  constexpr Row proc(ChangeId id, ProcState from, ProcState to) const {
    Row r = transition_by_args();
    r.change.change.kind = ResourceKind::Proc;
    r.change.change.proc_from = from;
    r.change.change.proc_to = to;
    r.change.id_from = id;
    return r;
  }
};

constexpr Row structural(A name, std::span<const A> args = {}) {
  Row r;
  r.name = name;
  r.args = args;
  return r;
}

constexpr Row timed(A name, std::span<const A> args, std::span<const I> stacks = {}, std::span<const I> strings = {},
                    EventType start = EventType::None) {
  Row r;
  r.name = name;
  r.args = args;
  r.stack_args = stacks;
  r.string_args = strings;
  r.start_event = start;
  r.timed = true;
  return r;
}

constexpr Row experimental(A name, std::span<const A> args) {
  Row r = timed(name, args).means(EventKind::Experimental);
  r.experiment = Experiment::AllocFree;
  return r;
}

// The derived columns of a row.
constexpr void derive(EventSpec& s) {
  if (s.timed) s.timed_values = static_cast<std::uint8_t>(s.args.size());
  // Spec indices count the timestamp delta first; no event has more than kMaxTimedArgs after it.
  IdArgs& ids = s.ids;
  for (std::uint8_t i : s.stack_args) {
    if (i >= 1 && i <= kMaxTimedArgs && ids.stacks < kMaxTimedArgs) ids.stack[ids.stacks++] = static_cast<I>(i - 1);
  }
  for (std::uint8_t i : s.string_args) {
    if (i >= 1 && i <= kMaxTimedArgs && ids.strings < kMaxTimedArgs) ids.string[ids.strings++] = static_cast<I>(i - 1);
  }
  TransitionIdArgs& t = s.transition_ids;
  switch (s.transition) {
    case TransitionInfo::None: break;
    case TransitionInfo::ReasonAndContextStack: t.string = static_cast<std::int8_t>(ids.string[0]); [[fallthrough]];
    case TransitionInfo::ContextStack:
      if (ids.stacks > 0) t.stack = static_cast<std::int8_t>(ids.stack[0]);
      t.context_stack = true;
      break;
    case TransitionInfo::NewGoroutineStack: t.stack = static_cast<std::int8_t>(ids.stack[1]); break;
  }
}

constexpr std::array<EventSpec, 256> make_table() {
  std::array<EventSpec, 256> t{};
  using E = EventType;
  using K = EventKind;
  using G = GoState;
  using P = ProcState;
  using Id = ChangeId;
  using T = TransitionInfo;
  auto at = [&t](E e) -> EventSpec& { return t[static_cast<std::size_t>(e)]; };
  at(E::EventBatch) = structural("EventBatch", kBatchArgs);
  at(E::Stacks) = structural("Stacks");
  at(E::Stack) = structural("Stack", kStackArgs).with_frames();
  at(E::Strings) = structural("Strings");
  at(E::String) = structural("String", kIdArgs).with_data();
  at(E::CPUSamples) = structural("CPUSamples");
  at(E::CPUSample) = structural("CPUSample", kCPUSampleArgs).stacks(k4).means(K::StackSample);
  at(E::Frequency) = structural("Frequency", kFreqArgs);
  at(E::ProcsChange) = timed("ProcsChange", kProcsChangeArgs, k2).means(K::Metric);
  at(E::ProcStart) = timed("ProcStart", kProcStartArgs).proc(Id::Arg0, P::Idle, P::Running);
  at(E::ProcStop) = timed("ProcStop", kDtArgs).proc(Id::P, P::Running, P::Idle);
  at(E::ProcSteal) = timed("ProcSteal", kProcStealArgs).transition_by_args();
  at(E::ProcStatus) = timed("ProcStatus", kProcStatusArgs).transition_by_args();
  at(E::GoCreate) =
      timed("GoCreate", kGoCreateArgs, k3and2).go(Id::Arg0, G::NotExist, G::Runnable, T::NewGoroutineStack);
  at(E::GoCreateSyscall) = timed("GoCreateSyscall", kNewGArgs).go(Id::Arg0, G::NotExist, G::Syscall);
  at(E::GoStart) = timed("GoStart", kGoSeqArgs).go(Id::Arg0, G::Runnable, G::Running);
  at(E::GoDestroy) = timed("GoDestroy", kDtArgs).go(Id::G, G::Running, G::NotExist);
  at(E::GoDestroySyscall) = timed("GoDestroySyscall", kDtArgs).go(Id::G, G::Syscall, G::NotExist);
  at(E::GoStop) = timed("GoStop", kReasonArgs, k2, k1).go(Id::G, G::Running, G::Runnable, T::ReasonAndContextStack);
  at(E::GoBlock) = timed("GoBlock", kReasonArgs, k2, k1).go(Id::G, G::Running, G::Waiting, T::ReasonAndContextStack);
  at(E::GoUnblock) = timed("GoUnblock", kGoUnblockArgs, k3).go(Id::Arg0, G::Waiting, G::Runnable);
  at(E::GoSyscallBegin) =
      timed("GoSyscallBegin", kSyscallBeginArgs, k2).go(Id::G, G::Running, G::Syscall, T::ContextStack);
  at(E::GoSyscallEnd) = timed("GoSyscallEnd", kDtArgs, {}, {}, E::GoSyscallBegin).go(Id::G, G::Syscall, G::Running);
  at(E::GoSyscallEndBlocked) =
      timed("GoSyscallEndBlocked", kDtArgs, {}, {}, E::GoSyscallBegin).go(Id::G, G::Syscall, G::Runnable);
  at(E::GoStatus) = timed("GoStatus", kGoStatusArgs).transition_by_args(T::ContextStack);
  at(E::STWBegin) = timed("STWBegin", kSTWBeginArgs, k2, k1).means(K::RangeBegin);
  at(E::STWEnd) = timed("STWEnd", kDtArgs, {}, {}, E::STWBegin).means(K::RangeEnd);
  at(E::GCActive) = timed("GCActive", kGCSeqArgs, {}, {}, E::GCBegin).means(K::RangeActive);
  at(E::GCBegin) = timed("GCBegin", kGCBeginArgs, k2).means(K::RangeBegin);
  at(E::GCEnd) = timed("GCEnd", kGCSeqArgs, {}, {}, E::GCBegin).means(K::RangeEnd);
  at(E::GCSweepActive) = timed("GCSweepActive", kPArgs, {}, {}, E::GCSweepBegin).means(K::RangeActive);
  at(E::GCSweepBegin) = timed("GCSweepBegin", kDtStackArgs, k1).means(K::RangeBegin);
  at(E::GCSweepEnd) = timed("GCSweepEnd", kSweepEndArgs, {}, {}, E::GCSweepBegin).means(K::RangeEnd);
  at(E::GCMarkAssistActive) = timed("GCMarkAssistActive", kGArgs, {}, {}, E::GCMarkAssistBegin).means(K::RangeActive);
  at(E::GCMarkAssistBegin) = timed("GCMarkAssistBegin", kDtStackArgs, k1).means(K::RangeBegin);
  at(E::GCMarkAssistEnd) = timed("GCMarkAssistEnd", kDtArgs, {}, {}, E::GCMarkAssistBegin).means(K::RangeEnd);
  at(E::HeapAlloc) = timed("HeapAlloc", kHeapAllocArgs).means(K::Metric);
  at(E::HeapGoal) = timed("HeapGoal", kHeapGoalArgs).means(K::Metric);
  at(E::GoLabel) = timed("GoLabel", kLabelArgs, {}, k1).means(K::Label);
  at(E::UserTaskBegin) = timed("UserTaskBegin", kTaskBeginArgs, k4, k3).means(K::TaskBegin);
  at(E::UserTaskEnd) = timed("UserTaskEnd", kTaskEndArgs, k2).means(K::TaskEnd);
  at(E::UserRegionBegin) = timed("UserRegionBegin", kRegionArgs, k3, k2).means(K::RegionBegin);
  at(E::UserRegionEnd) = timed("UserRegionEnd", kRegionArgs, k3, k2, E::UserRegionBegin).means(K::RegionEnd);
  at(E::UserLog) = timed("UserLog", kLogArgs, k4, k2and3).means(K::Log);
  // A switch first unblocks the goroutine it names, with the same arguments as GoUnblock.
  at(E::GoSwitch) = timed("GoSwitch", kGoSeqArgs).go(Id::Arg0, G::Waiting, G::Runnable);
  at(E::GoSwitchDestroy) = timed("GoSwitchDestroy", kGoSeqArgs).go(Id::Arg0, G::Waiting, G::Runnable);
  at(E::GoCreateBlocked) =
      timed("GoCreateBlocked", kGoCreateArgs, k3and2).go(Id::Arg0, G::NotExist, G::Waiting, T::NewGoroutineStack);
  at(E::GoStatusStack) = timed("GoStatusStack", kGoStatusStackArgs, k4).transition_by_args(T::ContextStack);
  // With data, as Go has it: simplest for text and raw readers.
  at(E::ExperimentalBatch) = structural("ExperimentalBatch", kExpBatchArgs).with_data();
  at(E::SyncBatch) = structural("Sync");
  at(E::ClockSnapshot) = timed("ClockSnapshot", kClockArgs);
  at(E::EndOfGeneration) = structural("EndOfGeneration");
  at(E::Span) = experimental("Span", kSpanArgs);
  at(E::SpanAlloc) = experimental("SpanAlloc", kSpanArgs);
  at(E::SpanFree) = experimental("SpanFree", kDtIdArgs);
  at(E::HeapObject) = experimental("HeapObject", kHeapObjectArgs);
  at(E::HeapObjectAlloc) = experimental("HeapObjectAlloc", kHeapObjectArgs);
  at(E::HeapObjectFree) = experimental("HeapObjectFree", kDtIdArgs);
  at(E::GoroutineStack) = experimental("GoroutineStack", kGoroutineStackArgs);
  at(E::GoroutineStackAlloc) = experimental("GoroutineStackAlloc", kGoroutineStackArgs);
  at(E::GoroutineStackFree) = experimental("GoroutineStackFree", kDtIdArgs);
  // Not on the wire: the reader makes one at the start of each generation.
  at(E::Sync).kind = K::Sync;
  for (EventSpec& row : t) derive(row);
  return t;
}

// The table, indexed by the type byte: every byte has a row (those of no event type are empty).
inline constexpr std::array<EventSpec, 256> kSpecs = make_table();

}  // namespace detail

// Inline: asked for every event.
constexpr const EventSpec& spec_of(EventType t) { return detail::kSpecs[static_cast<std::size_t>(t)]; }

// The wire rows (Go's tracev2.Specs()). Decoders use them for every version, as Go does: a
// version only restricts what its text form may name.
constexpr std::span<const EventSpec> all_specs() {
  return std::span<const EventSpec>(detail::kSpecs).first(kSpecCount);
}

// The valid prefix of the wire rows for a generational version (empty for older versions):
// 1.22 ends at UserLog, 1.23 at ExperimentalBatch, 1.25 at ClockSnapshot, 1.26 has all.
std::span<const EventSpec> specs_for(Version v);

// The row for a type byte, or nullptr when the byte names no event on the wire.
inline const EventSpec* find_spec(std::uint8_t type) {
  if (type >= kSpecCount || detail::kSpecs[type].name.empty()) return nullptr;
  return &detail::kSpecs[type];
}

}  // namespace gtanalyze::parser

// The Go 1.22+ wire specification table (after Go's tracev2/events.go) and the names of the
// public enums declared in event.hpp.
#include "parser/spec.hpp"

#include <array>

namespace gtanalyze::parser {
namespace {

using A = std::string_view;
using I = std::uint8_t;

// Argument-name and index lists, one constant per distinct shape.
constexpr A kBatchArgs[] = {"gen", "m", "time", "size"};
constexpr A kStackArgs[] = {"id", "nframes"};
constexpr A kIdArgs[] = {"id"};
constexpr A kCPUSampleArgs[] = {"time", "m", "p", "g", "stack"};
constexpr A kFreqArgs[] = {"freq"};
constexpr A kExpBatchArgs[] = {"exp", "gen", "m", "time"};
constexpr A kProcsChangeArgs[] = {"dt", "procs_value", "stack"};
constexpr A kProcStartArgs[] = {"dt", "p", "p_seq"};
constexpr A kDtArgs[] = {"dt"};
constexpr A kProcStealArgs[] = {"dt", "p", "p_seq", "m"};
constexpr A kProcStatusArgs[] = {"dt", "p", "pstatus"};
constexpr A kGoCreateArgs[] = {"dt", "new_g", "new_stack", "stack"};
constexpr A kNewGArgs[] = {"dt", "new_g"};
constexpr A kGoSeqArgs[] = {"dt", "g", "g_seq"};
constexpr A kReasonArgs[] = {"dt", "reason_string", "stack"};
constexpr A kGoUnblockArgs[] = {"dt", "g", "g_seq", "stack"};
constexpr A kSyscallBeginArgs[] = {"dt", "p_seq", "stack"};
constexpr A kGoStatusArgs[] = {"dt", "g", "m", "gstatus"};
constexpr A kSTWBeginArgs[] = {"dt", "kind_string", "stack"};
constexpr A kGCSeqArgs[] = {"dt", "gc_seq"};
constexpr A kGCBeginArgs[] = {"dt", "gc_seq", "stack"};
constexpr A kPArgs[] = {"dt", "p"};
constexpr A kDtStackArgs[] = {"dt", "stack"};
constexpr A kSweepEndArgs[] = {"dt", "swept_value", "reclaimed_value"};
constexpr A kGArgs[] = {"dt", "g"};
constexpr A kHeapAllocArgs[] = {"dt", "heapalloc_value"};
constexpr A kHeapGoalArgs[] = {"dt", "heapgoal_value"};
constexpr A kLabelArgs[] = {"dt", "label_string"};
constexpr A kTaskBeginArgs[] = {"dt", "task", "parent_task", "name_string", "stack"};
constexpr A kTaskEndArgs[] = {"dt", "task", "stack"};
constexpr A kRegionArgs[] = {"dt", "task", "name_string", "stack"};
constexpr A kLogArgs[] = {"dt", "task", "key_string", "value_string", "stack"};
constexpr A kGoStatusStackArgs[] = {"dt", "g", "m", "gstatus", "stack"};
constexpr A kClockArgs[] = {"dt", "mono", "sec", "nsec"};
constexpr A kSpanArgs[] = {"dt", "id", "npages_value", "kindclass"};
constexpr A kDtIdArgs[] = {"dt", "id"};
constexpr A kHeapObjectArgs[] = {"dt", "id", "type"};
constexpr A kGoroutineStackArgs[] = {"dt", "id", "order"};

constexpr I k1[] = {1};
constexpr I k2[] = {2};
constexpr I k3[] = {3};
constexpr I k4[] = {4};
constexpr I k3and2[] = {3, 2};
constexpr I k2and3[] = {2, 3};

constexpr EventSpec structural(A name, std::span<const A> args = {}) {
  EventSpec s;
  s.name = name;
  s.args = args;
  return s;
}

constexpr EventSpec timed(A name, std::span<const A> args, std::span<const I> stacks = {},
                          std::span<const I> strings = {}, EventType start = EventType::None) {
  EventSpec s;
  s.name = name;
  s.args = args;
  s.stack_args = stacks;
  s.string_args = strings;
  s.start_event = start;
  s.timed = true;
  return s;
}

constexpr EventSpec experimental(A name, std::span<const A> args) {
  EventSpec s = timed(name, args);
  s.experiment = Experiment::AllocFree;
  return s;
}

constexpr std::array<EventSpec, kSpecCount> make_table() {
  std::array<EventSpec, kSpecCount> t{};
  using E = EventType;
  auto at = [&t](E e) -> EventSpec& { return t[static_cast<std::size_t>(e)]; };
  at(E::EventBatch) = structural("EventBatch", kBatchArgs);
  at(E::Stacks) = structural("Stacks");
  at(E::Stack) = structural("Stack", kStackArgs);
  at(E::Stack).is_stack = true;
  at(E::Strings) = structural("Strings");
  at(E::String) = structural("String", kIdArgs);
  at(E::String).has_data = true;
  at(E::CPUSamples) = structural("CPUSamples");
  at(E::CPUSample) = structural("CPUSample", kCPUSampleArgs);
  at(E::CPUSample).stack_args = k4;
  at(E::Frequency) = structural("Frequency", kFreqArgs);
  at(E::ProcsChange) = timed("ProcsChange", kProcsChangeArgs, k2);
  at(E::ProcStart) = timed("ProcStart", kProcStartArgs);
  at(E::ProcStop) = timed("ProcStop", kDtArgs);
  at(E::ProcSteal) = timed("ProcSteal", kProcStealArgs);
  at(E::ProcStatus) = timed("ProcStatus", kProcStatusArgs);
  at(E::GoCreate) = timed("GoCreate", kGoCreateArgs, k3and2);
  at(E::GoCreateSyscall) = timed("GoCreateSyscall", kNewGArgs);
  at(E::GoStart) = timed("GoStart", kGoSeqArgs);
  at(E::GoDestroy) = timed("GoDestroy", kDtArgs);
  at(E::GoDestroySyscall) = timed("GoDestroySyscall", kDtArgs);
  at(E::GoStop) = timed("GoStop", kReasonArgs, k2, k1);
  at(E::GoBlock) = timed("GoBlock", kReasonArgs, k2, k1);
  at(E::GoUnblock) = timed("GoUnblock", kGoUnblockArgs, k3);
  at(E::GoSyscallBegin) = timed("GoSyscallBegin", kSyscallBeginArgs, k2);
  at(E::GoSyscallEnd) = timed("GoSyscallEnd", kDtArgs, {}, {}, E::GoSyscallBegin);
  at(E::GoSyscallEndBlocked) = timed("GoSyscallEndBlocked", kDtArgs, {}, {}, E::GoSyscallBegin);
  at(E::GoStatus) = timed("GoStatus", kGoStatusArgs);
  at(E::STWBegin) = timed("STWBegin", kSTWBeginArgs, k2, k1);
  at(E::STWEnd) = timed("STWEnd", kDtArgs, {}, {}, E::STWBegin);
  at(E::GCActive) = timed("GCActive", kGCSeqArgs, {}, {}, E::GCBegin);
  at(E::GCBegin) = timed("GCBegin", kGCBeginArgs, k2);
  at(E::GCEnd) = timed("GCEnd", kGCSeqArgs, {}, {}, E::GCBegin);
  at(E::GCSweepActive) = timed("GCSweepActive", kPArgs, {}, {}, E::GCSweepBegin);
  at(E::GCSweepBegin) = timed("GCSweepBegin", kDtStackArgs, k1);
  at(E::GCSweepEnd) = timed("GCSweepEnd", kSweepEndArgs, {}, {}, E::GCSweepBegin);
  at(E::GCMarkAssistActive) = timed("GCMarkAssistActive", kGArgs, {}, {}, E::GCMarkAssistBegin);
  at(E::GCMarkAssistBegin) = timed("GCMarkAssistBegin", kDtStackArgs, k1);
  at(E::GCMarkAssistEnd) = timed("GCMarkAssistEnd", kDtArgs, {}, {}, E::GCMarkAssistBegin);
  at(E::HeapAlloc) = timed("HeapAlloc", kHeapAllocArgs);
  at(E::HeapGoal) = timed("HeapGoal", kHeapGoalArgs);
  at(E::GoLabel) = timed("GoLabel", kLabelArgs, {}, k1);
  at(E::UserTaskBegin) = timed("UserTaskBegin", kTaskBeginArgs, k4, k3);
  at(E::UserTaskEnd) = timed("UserTaskEnd", kTaskEndArgs, k2);
  at(E::UserRegionBegin) = timed("UserRegionBegin", kRegionArgs, k3, k2);
  at(E::UserRegionEnd) = timed("UserRegionEnd", kRegionArgs, k3, k2, E::UserRegionBegin);
  at(E::UserLog) = timed("UserLog", kLogArgs, k4, k2and3);
  at(E::GoSwitch) = timed("GoSwitch", kGoSeqArgs);
  at(E::GoSwitchDestroy) = timed("GoSwitchDestroy", kGoSeqArgs);
  at(E::GoCreateBlocked) = timed("GoCreateBlocked", kGoCreateArgs, k3and2);
  at(E::GoStatusStack) = timed("GoStatusStack", kGoStatusStackArgs, k4);
  at(E::ExperimentalBatch) = structural("ExperimentalBatch", kExpBatchArgs);
  at(E::ExperimentalBatch).has_data = true;  // as Go: simplest for text and raw readers
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
  return t;
}

constexpr std::array<EventSpec, kSpecCount> kSpecs = make_table();

constexpr std::array<IdArgs, 256> make_id_args() {
  std::array<IdArgs, 256> table{};
  for (std::size_t type = 0; type < kSpecs.size(); type++) {
    IdArgs& row = table[type];
    // Spec indices count the timestamp delta first; no event has more than kMaxTimedArgs after it.
    for (std::uint8_t i : kSpecs[type].stack_args) {
      if (i >= 1 && i <= kMaxTimedArgs && row.stacks < kMaxTimedArgs) row.stack[row.stacks++] = static_cast<std::uint8_t>(i - 1);
    }
    for (std::uint8_t i : kSpecs[type].string_args) {
      if (i >= 1 && i <= kMaxTimedArgs && row.strings < kMaxTimedArgs) row.string[row.strings++] = static_cast<std::uint8_t>(i - 1);
    }
  }
  return table;
}

}  // namespace

constinit const std::array<IdArgs, 256> kIdArgs = make_id_args();

std::span<const EventSpec> all_specs() { return kSpecs; }

std::span<const EventSpec> specs_for(Version v) {
  std::span<const EventSpec> all = kSpecs;
  switch (v) {
    case Version::Go1_22: return all.first(static_cast<std::size_t>(EventType::UserLog) + 1);
    case Version::Go1_23: return all.first(static_cast<std::size_t>(EventType::ExperimentalBatch) + 1);
    case Version::Go1_25: return all.first(static_cast<std::size_t>(EventType::ClockSnapshot) + 1);
    case Version::Go1_26: return all;
    default: return {};
  }
}

std::string_view experiment_name(std::uint64_t id) {
  switch (id) {
    case 0: return "None";
    case 1: return "AllocFree";
    default: return "";
  }
}

}  // namespace gtanalyze::parser

namespace gtanalyze {

std::string_view event_type_name(EventType t) {
  if (t == EventType::Sync) return "Sync";
  if (const auto* spec = parser::find_spec(static_cast<std::uint8_t>(t))) return spec->name;
  return "Invalid";
}

std::string_view event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::Bad: return "Bad";
    case EventKind::Sync: return "Sync";
    case EventKind::Metric: return "Metric";
    case EventKind::Label: return "Label";
    case EventKind::StackSample: return "StackSample";
    case EventKind::RangeBegin: return "RangeBegin";
    case EventKind::RangeActive: return "RangeActive";
    case EventKind::RangeEnd: return "RangeEnd";
    case EventKind::TaskBegin: return "TaskBegin";
    case EventKind::TaskEnd: return "TaskEnd";
    case EventKind::RegionBegin: return "RegionBegin";
    case EventKind::RegionEnd: return "RegionEnd";
    case EventKind::Log: return "Log";
    case EventKind::StateTransition: return "StateTransition";
    case EventKind::Experimental: return "Experimental";
  }
  return "Bad";
}

std::string_view go_state_name(GoState s) {
  switch (s) {
    case GoState::Undetermined: return "Undetermined";
    case GoState::NotExist: return "NotExist";
    case GoState::Runnable: return "Runnable";
    case GoState::Running: return "Running";
    case GoState::Waiting: return "Waiting";
    case GoState::Syscall: return "Syscall";
  }
  return "Bad";
}

std::string_view proc_state_name(ProcState s) {
  switch (s) {
    case ProcState::Undetermined: return "Undetermined";
    case ProcState::NotExist: return "NotExist";
    case ProcState::Running: return "Running";
    case ProcState::Idle: return "Idle";
  }
  return "Bad";
}

}  // namespace gtanalyze

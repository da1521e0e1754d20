// The Event views: what an event means, read from its type, context and arguments exactly as
// Go's trace.Event methods do (including the facts the ordering leaves in spare arguments).
#include "gtanalyze/event.hpp"

#include <array>

#include "parser/event_extras.hpp"
#include "parser/spec.hpp"

namespace gtanalyze {
namespace {

constexpr std::array<EventKind, 256> make_kinds() {
  std::array<EventKind, 256> k{};
  auto set = [&k](EventType t, EventKind kind) { k[static_cast<std::size_t>(t)] = kind; };
  using E = EventType;
  using K = EventKind;
  set(E::CPUSample, K::StackSample);
  set(E::ProcsChange, K::Metric);
  for (E t : {E::ProcStart, E::ProcStop, E::ProcSteal, E::ProcStatus, E::GoCreate, E::GoCreateSyscall, E::GoStart,
              E::GoDestroy, E::GoDestroySyscall, E::GoStop, E::GoBlock, E::GoUnblock, E::GoSyscallBegin,
              E::GoSyscallEnd, E::GoSyscallEndBlocked, E::GoStatus, E::GoSwitch, E::GoSwitchDestroy,
              E::GoCreateBlocked, E::GoStatusStack}) {
    set(t, K::StateTransition);
  }
  set(E::STWBegin, K::RangeBegin);
  set(E::STWEnd, K::RangeEnd);
  set(E::GCActive, K::RangeActive);
  set(E::GCBegin, K::RangeBegin);
  set(E::GCEnd, K::RangeEnd);
  set(E::GCSweepActive, K::RangeActive);
  set(E::GCSweepBegin, K::RangeBegin);
  set(E::GCSweepEnd, K::RangeEnd);
  set(E::GCMarkAssistActive, K::RangeActive);
  set(E::GCMarkAssistBegin, K::RangeBegin);
  set(E::GCMarkAssistEnd, K::RangeEnd);
  set(E::HeapAlloc, K::Metric);
  set(E::HeapGoal, K::Metric);
  set(E::GoLabel, K::Label);
  set(E::UserTaskBegin, K::TaskBegin);
  set(E::UserTaskEnd, K::TaskEnd);
  set(E::UserRegionBegin, K::RegionBegin);
  set(E::UserRegionEnd, K::RegionEnd);
  set(E::UserLog, K::Log);
  for (auto t = static_cast<std::size_t>(E::Span); t <= static_cast<std::size_t>(E::GoroutineStackFree); t++) {
    k[t] = K::Experimental;
  }
  set(E::Sync, K::Sync);
  return k;
}

constexpr StateChange go_transition(GoId id, GoState from, GoState to) {
  StateChange s;
  s.id = id;
  s.kind = ResourceKind::Goroutine;
  s.go_from = from;
  s.go_to = to;
  return s;
}

constexpr StateChange proc_transition(ProcId id, ProcState from, ProcState to) {
  StateChange s;
  s.id = id;
  s.kind = ResourceKind::Proc;
  s.proc_from = from;
  s.proc_to = to;
  return s;
}

// The id of the execution context's stack in the event's tables.
std::uint64_t context_stack_id(const Event& ev) {
  if (ev.type == EventType::Sync || ev.tables == nullptr) return kNoTableId;
  if (ev.type == EventType::CPUSample) return ev.args[0];
  const parser::IdArgs& ids = parser::kIdArgs[static_cast<std::size_t>(ev.type)];
  if (ids.stacks == 0) return kNoTableId;
  const std::uint64_t id = ev.args[ids.stack[0]];
  return id == 0 ? kNoTableId : id;
}

}  // namespace

constinit const std::array<EventKind, 256> detail::kEventKinds = make_kinds();

// The reason and stack of each transition (Go's StateTransition.Reason and Stack). Built from the
// spec's kIdArgs, which is constant-initialised and so complete before this runs.
const std::array<detail::TransitionIdArgs, 256> detail::kTransitionIdArgs = [] {
  // Filled explicitly: with `t{}`, GCC 12 at -O2 and -O3 leaves all but the first rows zero
  // (the rows' default member initialisers are not applied past them; a miscompilation).
  std::array<detail::TransitionIdArgs, 256> t;
  t.fill(detail::TransitionIdArgs{});
  using E = EventType;
  auto context_stack = [&t](E type) {
    const parser::IdArgs& ids = parser::kIdArgs[static_cast<std::size_t>(type)];
    detail::TransitionIdArgs& row = t[static_cast<std::size_t>(type)];
    if (ids.stacks > 0) row.stack = static_cast<std::int8_t>(ids.stack[0]);
    row.context_stack = true;
  };
  for (E type : {E::GoCreate, E::GoCreateBlocked}) t[static_cast<std::size_t>(type)].stack = 1;  // the new goroutine's
  for (E type : {E::GoStop, E::GoBlock}) {
    t[static_cast<std::size_t>(type)].string = 0;  // the reason
    context_stack(type);
  }
  for (E type : {E::GoSyscallBegin, E::GoStatus, E::GoStatusStack}) context_stack(type);
  return t;
}();

Stack Event::stack() const {
  const std::uint64_t id = context_stack_id(*this);
  return id == kNoTableId ? Stack{} : tables->stack(id);
}

StateTransition Event::state_transition() const {
  const StateChange c = state_change();
  StateTransition s;
  s.resource = {c.kind, c.id};
  s.go_from = c.go_from;
  s.go_to = c.go_to;
  s.proc_from = c.proc_from;
  s.proc_to = c.proc_to;
  s.reason = transition_reason();
  s.stack = transition_stack();
  return s;
}

StateChange Event::state_change_from_args() const {
  using E = EventType;
  switch (type) {
    case E::ProcSteal: {
      const ProcState before = parser::steal_from(args) == parser::WireProcStatus::SyscallAbandoned ? ProcState::Idle : ProcState::Running;
      return proc_transition(static_cast<ProcId>(args[0]), before, ProcState::Idle);
    }
    case E::ProcStatus:
      return proc_transition(static_cast<ProcId>(args[0]), parser::proc_status_from(args),
                             parser::proc_state_of(static_cast<parser::WireProcStatus>(args[1])));
    case E::GoStatus:
    case E::GoStatusStack:
      return go_transition(static_cast<GoId>(args[0]), parser::go_status_from(args), parser::go_state_of(parser::go_status_to(args)));
    default: return {};
  }
}

std::string_view Event::transition_reason() const {
  const std::uint64_t id = transition_table_ids().string;
  return id == kNoTableId ? std::string_view{} : tables->string(id);
}

Stack Event::transition_stack() const {
  const std::uint64_t id = transition_table_ids().stack;
  return id == kNoTableId ? Stack{} : tables->stack(id);
}

Range Event::range() const {
  using E = EventType;
  Range r;
  switch (type) {
    case E::STWBegin:
    case E::STWEnd:
      // The decoder interns "stop-the-world (KIND)" as an extra string (see dump for Go's text).
      r.name = tables->extra_string(parser::stw_name(args));
      r.scope = {ResourceKind::Goroutine, g};
      break;
    case E::GCBegin: case E::GCActive: case E::GCEnd:
      r.name = "GC concurrent mark phase";
      r.scope = {ResourceKind::None, -1};
      break;
    case E::GCSweepBegin: case E::GCSweepActive: case E::GCSweepEnd:
      r.name = "GC incremental sweep";
      r.scope = {ResourceKind::Proc, type == E::GCSweepActive ? static_cast<std::int64_t>(args[0]) : p};
      break;
    case E::GCMarkAssistBegin: case E::GCMarkAssistActive: case E::GCMarkAssistEnd:
      r.name = "GC mark assist";
      r.scope = {ResourceKind::Goroutine, type == E::GCMarkAssistActive ? static_cast<std::int64_t>(args[0]) : g};
      break;
    default: break;
  }
  return r;
}

Metric Event::metric() const {
  switch (type) {
    case EventType::ProcsChange: return {"/sched/gomaxprocs:threads", args[0]};
    case EventType::HeapAlloc: return {"/memory/classes/heap/objects:bytes", args[0]};
    case EventType::HeapGoal: return {"/gc/heap/goal:bytes", args[0]};
    default: return {};
  }
}

std::string_view Event::label() const { return type == EventType::GoLabel ? tables->string(args[0]) : std::string_view{}; }

Task Event::task() const {
  Task t;
  t.id = args[0];
  if (type == EventType::UserTaskBegin) {
    t.parent = args[1];
    t.type = tables->string(args[2]);
  } else if (type == EventType::UserTaskEnd) {
    // Parent and type of a task end come from its begin, found by the ordering.
    t.parent = parser::task_end_parent(args);
    t.type = tables->extra_string(parser::task_end_type(args));
  }
  return t;
}

Region Event::region() const { return Region{args[0], tables->string(args[1])}; }

Log Event::log() const { return Log{args[0], tables->string(args[1]), tables->string(args[2])}; }

}  // namespace gtanalyze

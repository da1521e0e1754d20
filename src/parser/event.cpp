// The Event views: what an event means, read from its type, context and arguments exactly as
// Go's trace.Event methods do (including the facts the ordering leaves in spare arguments). What a
// type means whatever its arguments is in its row of the spec table.
#include "gtanalyze/event.hpp"

#include "parser/event_extras.hpp"
#include "parser/spec.hpp"

namespace gtanalyze {
namespace {

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
  const parser::IdArgs& ids = parser::spec_of(ev.type).ids;
  if (ids.stacks == 0) return kNoTableId;
  const std::uint64_t id = ev.args[ids.stack[0]];
  return id == 0 ? kNoTableId : id;
}

// The transitions whose states depend on the arguments (the spec rows without a fixed change).
StateChange state_change_from_args(const Event& ev) {
  using E = EventType;
  const auto& args = ev.args;
  switch (ev.type) {
    case E::ProcSteal: {
      const ProcState before =
          parser::steal_from(args) == parser::WireProcStatus::SyscallAbandoned ? ProcState::Idle : ProcState::Running;
      return proc_transition(static_cast<ProcId>(args[0]), before, ProcState::Idle);
    }
    case E::ProcStatus:
      return proc_transition(static_cast<ProcId>(args[0]), parser::proc_status_from(args),
                             parser::proc_state_of(static_cast<parser::WireProcStatus>(args[1])));
    case E::GoStatus:
    case E::GoStatusStack:
      return go_transition(static_cast<GoId>(args[0]), parser::go_status_from(args),
                           parser::go_state_of(parser::go_status_to(args)));
    default: return {};
  }
}

}  // namespace

EventKind Event::kind() const { return parser::spec_of(type).kind; }

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

StateChange Event::state_change() const {
  const parser::FixedChange& f = parser::spec_of(type).change;
  if (f.change.kind == ResourceKind::None) return state_change_from_args(*this);
  StateChange c = f.change;
  c.id = f.id(*this);
  return c;
}

TableIds Event::transition_table_ids() const {
  const parser::TransitionIdArgs& t = parser::spec_of(type).transition_ids;
  TableIds ids;
  if (t.string >= 0) ids.string = args[static_cast<std::size_t>(t.string)];
  if (t.stack >= 0) {
    const std::uint64_t id = args[static_cast<std::size_t>(t.stack)];
    if (!t.context_stack || (id != 0 && tables != nullptr)) ids.stack = id;
  }
  return ids;
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
    case E::GCBegin:
    case E::GCActive:
    case E::GCEnd:
      r.name = "GC concurrent mark phase";
      r.scope = {ResourceKind::None, -1};
      break;
    case E::GCSweepBegin:
    case E::GCSweepActive:
    case E::GCSweepEnd:
      r.name = "GC incremental sweep";
      r.scope = {ResourceKind::Proc, type == E::GCSweepActive ? static_cast<std::int64_t>(args[0]) : p};
      break;
    case E::GCMarkAssistBegin:
    case E::GCMarkAssistActive:
    case E::GCMarkAssistEnd:
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

std::string_view Event::label() const {
  return type == EventType::GoLabel ? tables->string(args[0]) : std::string_view{};
}

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

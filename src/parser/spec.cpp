// The version prefixes of the spec table (spec.hpp) and the names of the public enums declared
// in event.hpp.
#include "parser/spec.hpp"

namespace gtanalyze::parser {

namespace {

// What the rows must agree on, checked when this file compiles: each timed row's arguments fit an
// Event after the timestamp delta, and the derived columns and the meaning agree with the rows.
constexpr bool row_ok(const EventSpec& s) {
  if (s.timed) {
    if (s.args.empty() || s.args[0] != "dt" || s.args.size() > 1 + kMaxTimedArgs) return false;
    if (s.timed_values != s.args.size()) return false;
    if (s.ids.stacks != s.stack_args.size() || s.ids.strings != s.string_args.size()) return false;
    for (std::size_t k = 0; k < s.stack_args.size(); k++) {
      if (s.ids.stack[k] + 1 != s.stack_args[k]) return false;
    }
    for (std::size_t k = 0; k < s.string_args.size(); k++) {
      if (s.ids.string[k] + 1 != s.string_args[k]) return false;
    }
  } else if (s.timed_values != 0) {
    return false;
  }
  const bool transition = s.kind == EventKind::StateTransition;
  if (!transition && (s.change.change.kind != ResourceKind::None || s.transition != TransitionInfo::None)) return false;
  const auto arg_ok = [&s](std::int8_t i) { return i < 0 || static_cast<std::size_t>(i) + 1 < s.args.size(); };
  return arg_ok(s.transition_ids.string) && arg_ok(s.transition_ids.stack);
}

constexpr bool rows_ok() {
  for (const EventSpec& s : detail::kSpecs) {
    if (!row_ok(s)) return false;
  }
  return true;
}
static_assert(rows_ok());

}  // namespace

std::span<const EventSpec> specs_for(Version v) {
  const std::span<const EventSpec> all = all_specs();
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

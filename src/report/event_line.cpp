// Renders one event on one line: position, time, type, context, what it means, where, and what
// it is linked to.
#include "report/event_line.hpp"

#include <fmt/format.h>

#include <iterator>

namespace gtanalyze::report {
namespace {

void append_details(std::string& out, const Event& ev) {
  auto it = std::back_inserter(out);
  switch (ev.kind()) {
    case EventKind::StateTransition: {
      const StateTransition st = ev.state_transition();
      if (st.resource.kind == ResourceKind::Goroutine) {
        fmt::format_to(it, " g={} {}->{}", st.resource.id, go_state_name(st.go_from), go_state_name(st.go_to));
      } else {
        fmt::format_to(it, " p={} {}->{}", st.resource.id, proc_state_name(st.proc_from), proc_state_name(st.proc_to));
      }
      if (!st.reason.empty()) fmt::format_to(it, " reason=\"{}\"", st.reason);
      break;
    }
    case EventKind::RangeBegin:
    case EventKind::RangeActive:
    case EventKind::RangeEnd: {
      const Range r = ev.range();
      fmt::format_to(it, " range=\"{}\"", r.name);
      break;
    }
    case EventKind::Metric: {
      const Metric m = ev.metric();
      fmt::format_to(it, " {}={}", m.name, m.value);
      break;
    }
    case EventKind::Label: fmt::format_to(it, " label=\"{}\"", ev.label()); break;
    case EventKind::TaskBegin:
    case EventKind::TaskEnd: {
      const Task t = ev.task();
      fmt::format_to(it, " task={} type=\"{}\"", t.id, t.type);
      break;
    }
    case EventKind::RegionBegin:
    case EventKind::RegionEnd: {
      const Region r = ev.region();
      fmt::format_to(it, " task={} type=\"{}\"", r.task, r.type);
      break;
    }
    case EventKind::Log: {
      const Log l = ev.log();
      fmt::format_to(it, " task={} {}=\"{}\"", l.task, l.category, l.message);
      break;
    }
    case EventKind::Sync: fmt::format_to(it, " generation={}", ev.sync_number()); break;
    default: break;
  }
}

}  // namespace

void append_event_line(std::string& out, std::uint64_t index, Time origin, const Event& ev,
                       const std::optional<analysis::Link>& link, bool stacks) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{:>8} {:>14} {:<19} G={} P={} M={}", index, ev.time - origin, event_type_name(ev.type), ev.g,
                 ev.p, ev.m);
  append_details(out, ev);
  // The most telling stack: the transitioning goroutine's, else the event's own.
  Stack stack = ev.kind() == EventKind::StateTransition ? ev.state_transition().stack : Stack{};
  if (stack.empty()) stack = ev.stack();
  if (!stack.empty()) fmt::format_to(it, "  {} ({}:{})", stack.front().func, stack.front().file, stack.front().line);
  if (link) fmt::format_to(it, "  linked {}@{}", event_type_name(link->type), link->index);
  out += '\n';
  if (stacks) {
    for (const StackFrame& f : stack)
      fmt::format_to(it, "           {} ({}:{}) pc=0x{:x}\n", f.func, f.file, f.line, f.pc);
  }
}

}  // namespace gtanalyze::report

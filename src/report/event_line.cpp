// Renders one event on one line: position, time, type, context, what it means, where, and what
// it is linked to.
#include "report/event_line.hpp"

#include <fmt/format.h>

#include <iterator>

#include "base/printable.hpp"

namespace gtanalyze::report {
namespace {

// A string of the trace (a name, a reason, a message) on the line: escaped as printable() when it
// holds control characters or bytes that are not UTF-8, so an event stays one line and no escape
// sequence reaches the terminal.
void append_text(std::string& out, std::string_view s) {
  if (is_plain(s))
    out.append(s);
  else
    append_printable(out, s);
}

// `INDENT FUNC (FILE:LINE`.
void append_frame(std::string& out, std::string_view indent, const StackFrame& f) {
  out.append(indent);
  append_text(out, f.func);
  out += " (";
  append_text(out, f.file);
  fmt::format_to(std::back_inserter(out), ":{}", f.line);
}

// ` KEY="TEXT"` (a log's key is the trace's text too).
void append_quoted(std::string& out, std::string_view key, std::string_view text) {
  out += ' ';
  append_text(out, key);
  out += "=\"";
  append_text(out, text);
  out += '"';
}

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
      if (!st.reason.empty()) append_quoted(out, "reason", st.reason);
      break;
    }
    case EventKind::RangeBegin:
    case EventKind::RangeActive:
    case EventKind::RangeEnd: {
      append_quoted(out, "range", ev.range().name);
      break;
    }
    case EventKind::Metric: {
      const Metric m = ev.metric();
      out += ' ';
      append_text(out, m.name);
      fmt::format_to(it, "={}", m.value);
      break;
    }
    case EventKind::Label: append_quoted(out, "label", ev.label()); break;
    case EventKind::TaskBegin:
    case EventKind::TaskEnd: {
      const Task t = ev.task();
      fmt::format_to(it, " task={}", t.id);
      append_quoted(out, "type", t.type);
      break;
    }
    case EventKind::RegionBegin:
    case EventKind::RegionEnd: {
      const Region r = ev.region();
      fmt::format_to(it, " task={}", r.task);
      append_quoted(out, "type", r.type);
      break;
    }
    case EventKind::Log: {
      const Log l = ev.log();
      fmt::format_to(it, " task={}", l.task);
      append_quoted(out, l.category, l.message);
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
  if (!stack.empty()) {
    append_frame(out, "  ", stack.front());
    out += ')';
  }
  if (link) fmt::format_to(it, "  linked {}@{}", event_type_name(link->type), link->index);
  out += '\n';
  if (stacks) {
    for (const StackFrame& f : stack) {
      append_frame(out, "           ", f);
      fmt::format_to(it, ") pc=0x{:x}\n", f.pc);
    }
  }
}

}  // namespace gtanalyze::report

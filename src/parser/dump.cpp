// Go's Event.String() reproduced field by field, with Go's %q quoting and RFC 3339 times, so our
// dump of a trace can be compared byte for byte with `go tool trace -d=parsed`.
#include "parser/dump.hpp"

#include <fmt/format.h>

#include <ctime>
#include <iterator>

#include "base/utf8.hpp"
#include "parser/spec.hpp"

namespace gtanalyze::parser {
namespace {

// An approximation of Go's unicode.IsPrint outside ASCII: everything but C1 controls, the
// no-break and soft hyphen specials, format characters, separators and noncharacters.
bool is_print(std::int32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (r < 0xA1 || r == 0xAD) return false;
  if ((r >= 0x200B && r <= 0x200F) || (r >= 0x2028 && r <= 0x202E) || (r >= 0x2060 && r <= 0x206F)) return false;
  if (r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) || (r & 0xFFFE) == 0xFFFE) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;  // private use
  return true;
}

void append_frames(std::string& out, Stack frames) {
  auto it = std::back_inserter(out);
  for (const StackFrame& f : frames) {
    fmt::format_to(it, "\t{} @ {:#x}\n\t\t{}:{}\n", f.func, f.pc, f.file, f.line);
  }
}

void append_resource(std::string& out, ResourceKind kind, std::int64_t id) {
  switch (kind) {
    case ResourceKind::None: out += "None"; return;
    case ResourceKind::Goroutine: fmt::format_to(std::back_inserter(out), "Goroutine({})", id); return;
    case ResourceKind::Proc: fmt::format_to(std::back_inserter(out), "Proc({})", id); return;
    case ResourceKind::Thread: fmt::format_to(std::back_inserter(out), "Thread({})", id); return;
  }
}

}  // namespace

void append_go_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    std::size_t width = 1;
    const std::int32_t r = decode_rune(s, i, width);
    if (r < 0) {
      const auto b = static_cast<std::uint8_t>(s[i]);
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
      i++;
      continue;
    }
    if (r == '"' || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
    } else if (is_print(r)) {
      out.append(s.substr(i, width));
    } else {
      switch (r) {
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          if (r < ' ' || r == 0x7F) {
            out += "\\x";
            out.push_back(kHex[(r >> 4) & 15]);
            out.push_back(kHex[r & 15]);
          } else if (r < 0x10000) {
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", r);
          } else {
            fmt::format_to(std::back_inserter(out), "\\U{:08x}", r);
          }
      }
    }
    i += width;
  }
  out.push_back('"');
}

std::string format_rfc3339_nano(std::int64_t sec, std::int64_t nsec) {
  const auto t = static_cast<std::time_t>(sec);
  std::tm tm{};
  localtime_r(&t, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (nsec != 0) {
    // Nine digits with trailing zeros dropped (the ".999999999" layout).
    std::string frac = fmt::format("{:09}", nsec);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    out += '.';
    out += frac;
  }
  const long off = tm.tm_gmtoff;
  if (off == 0) {
    out += 'Z';
  } else {
    const long a = off < 0 ? -off : off;
    out += fmt::format("{}{:02}:{:02}", off < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
  }
  return out;
}

namespace {

void append_range(std::string& out, const Event& ev, EventKind kind) {
  const Range r = ev.range();
  out += " Name=";
  append_go_quoted(out, r.name);
  out += " Scope=";
  append_resource(out, r.scope.kind, r.scope.id);
  if (kind == EventKind::RangeEnd) {
    out += " Attributes=[";
    if (ev.type == EventType::GCSweepEnd) {
      fmt::format_to(std::back_inserter(out),
                     "\"bytes swept\"=Value{{Uint64({})}} \"bytes reclaimed\"=Value{{Uint64({})}}", ev.args[0],
                     ev.args[1]);
    }
    out += "]";
  }
}

// Go prints a transition stack whenever the event carries a stack handle: creations always do
// (even stack id 0), the others when their stack id is non-zero.
bool has_transition_stack(const Event& ev) {
  const TransitionIdArgs& ids = spec_of(ev.type).transition_ids;
  return ids.stack >= 0 && (!ids.context_stack || ev.args[static_cast<std::size_t>(ids.stack)] != 0);
}

void append_state_transition(std::string& out, const Event& ev) {
  const StateTransition s = ev.state_transition();
  auto it = std::back_inserter(out);
  if (s.resource.kind == ResourceKind::Goroutine) {
    fmt::format_to(it, " GoID={} {}->{}", s.resource.id, go_state_name(s.go_from), go_state_name(s.go_to));
  } else if (s.resource.kind == ResourceKind::Proc) {
    fmt::format_to(it, " ProcID={} {}->{}", s.resource.id, proc_state_name(s.proc_from), proc_state_name(s.proc_to));
  }
  out += " Reason=";
  append_go_quoted(out, s.reason);
  if (has_transition_stack(ev)) {
    out += "\nTransitionStack=\n";
    append_frames(out, s.stack);
  }
}

// Experimental events print their spec's argument names; arguments named *string are string ids.
void append_experimental(std::string& out, const Event& ev) {
  const EventSpec& spec = spec_of(ev.type);
  auto it = std::back_inserter(out);
  fmt::format_to(it, " Name={} Args=[", spec.name);
  for (std::size_t i = 1; i < spec.args.size(); i++) {
    if (i != 1) out += ", ";
    const std::string_view arg = spec.args[i];
    out += arg;
    out += '=';
    if (arg.size() >= 6 && arg.substr(arg.size() - 6) == "string") {
      out += ev.tables->string(ev.args[i - 1]);
    } else {
      fmt::format_to(it, "Value{{Uint64({})}}", ev.args[i - 1]);
    }
  }
  out += "]";
}

void append_sync(std::string& out, const Event& ev) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, " N={}", ev.sync_number());
  const ClockSnapshot* c = ev.tables != nullptr ? ev.tables->clock_snapshot() : nullptr;
  if (c != nullptr) {
    fmt::format_to(it, " Trace={} Mono={} Wall={}", c->trace, c->mono, format_rfc3339_nano(c->wall_sec, c->wall_nsec));
  }
}

// The event's own stack: CPU samples always carry a handle; other events when their id is set.
bool has_own_stack(const Event& ev) {
  if (ev.type == EventType::CPUSample) return true;
  const IdArgs& ids = spec_of(ev.type).ids;
  return ids.stacks > 0 && ev.args[ids.stack[0]] != 0;
}

}  // namespace

void append_event(std::string& out, const Event& ev) {
  auto it = std::back_inserter(out);
  const EventKind kind = ev.kind();
  fmt::format_to(it, "M={} P={} G={} {} Time={}", ev.m, ev.p, ev.g, event_kind_name(kind), ev.time);
  switch (kind) {
    case EventKind::Metric: {
      const Metric m = ev.metric();
      out += " Name=";
      append_go_quoted(out, m.name);
      fmt::format_to(it, " Value=Value{{Uint64({})}}", m.value);
      break;
    }
    case EventKind::Label:
      out += " Label=";
      append_go_quoted(out, ev.label());
      fmt::format_to(it, " Resource=Goroutine({})", ev.g);
      break;
    case EventKind::RangeBegin:
    case EventKind::RangeActive:
    case EventKind::RangeEnd: append_range(out, ev, kind); break;
    case EventKind::TaskBegin:
    case EventKind::TaskEnd: {
      const Task t = ev.task();
      fmt::format_to(it, " ID={} Parent={} Type=", t.id, t.parent);
      append_go_quoted(out, t.type);
      break;
    }
    case EventKind::RegionBegin:
    case EventKind::RegionEnd: {
      const Region r = ev.region();
      fmt::format_to(it, " Task={} Type=", r.task);
      append_go_quoted(out, r.type);
      break;
    }
    case EventKind::Log: {
      const Log l = ev.log();
      fmt::format_to(it, " Task={} Category=", l.task);
      append_go_quoted(out, l.category);
      out += " Message=";
      append_go_quoted(out, l.message);
      break;
    }
    case EventKind::StateTransition: append_state_transition(out, ev); break;
    case EventKind::Experimental: append_experimental(out, ev); break;
    case EventKind::Sync: append_sync(out, ev); break;
    default: break;
  }
  if (has_own_stack(ev)) {
    out += "\nStack=\n";
    append_frames(out, ev.stack());
  }
  out += '\n';
}

}  // namespace gtanalyze::parser

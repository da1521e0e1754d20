// The old events before conversion, printed as Go 1.19's `go tool trace -d` prints them: the
// reference we compare 1.5–1.10 traces with, since no newer Go reads them.
#include <fmt/format.h>

#include "gtanalyze/trace_header.hpp"
#include "parser/v1/parser.hpp"
#include "parser/v1/v1_reader.hpp"

namespace gtanalyze::parser {

namespace {

// Go 1.19 attaches these strings to events while parsing; its dump prints them after the
// numeric arguments.
void append_sargs(const v1::OldTrace& trace, const v1::OldEvent& ev, std::string& out) {
  using v1::OldType;
  switch (ev.type) {
    case OldType::GoStartLabel: fmt::format_to(std::back_inserter(out), " label={}", trace.string(ev.args[2])); break;
    case OldType::STWStart: out += ev.args[0] == 0 ? " kind=mark termination" : " kind=sweep termination"; break;
    case OldType::UserTaskCreate:
    case OldType::UserRegion: fmt::format_to(std::back_inserter(out), " name={}", trace.string(ev.args[2])); break;
    case OldType::UserLog:
      fmt::format_to(std::back_inserter(out), " category={} message={}", trace.string(ev.args[1]),
                     trace.inline_strings()[ev.args[3]]);
      break;
    default: break;
  }
}

}  // namespace

Result<std::string> dump_v1_old_events(std::string bytes, std::vector<std::string>* warnings) {
  auto version = parse_trace_header(bytes);
  if (!version) return std::move(version).error();
  if (is_generational(*version)) {
    return make_error(ErrorCode::UnsupportedVersion, 0, "not an old-format (Go 1.5–1.21) trace");
  }
  v1::OldTrace trace(bytes.substr(kTraceHeaderSize), static_cast<unsigned>(*version), v1::Dialect::Go119);
  bytes.clear();
  GTA_TRY(trace.load());
  std::string out;
  v1::OldTrace::Replay replay(trace);
  for (;;) {
    auto r = replay.next();
    if (!r) return std::move(r).error();
    if (*r == nullptr) break;
    const v1::OldEvent& ev = **r;
    const auto& spec = v1::old_spec(ev.type);
    fmt::format_to(std::back_inserter(out), "{} {} p={} g={} off={}", ev.ts, spec.name, ev.p, ev.g, ev.offset);
    for (std::size_t i = 0; i < spec.arg_count; i++) {
      fmt::format_to(std::back_inserter(out), " {}={}", spec.args[i], ev.args[i]);
    }
    append_sargs(trace, ev, out);
    out += '\n';
  }
  if (warnings != nullptr) *warnings = trace.warnings();
  return out;
}

}  // namespace gtanalyze::parser

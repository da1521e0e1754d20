// `gtanalyze dump TRACE`: every event in trace order as it is read (the first line appears
// before the file is read to the end), in our one-line format with linked events, or in the
// format of Go's `go tool trace -d=parsed` (--format go).
#include <fnmatch.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "analysis/links.hpp"
#include "cli/commands.hpp"
#include "cli/open_trace.hpp"
#include "parser/dump.hpp"
#include "report/event_line.hpp"

namespace gtanalyze::cli {
namespace {

bool selected(const DumpOptions& o, const Event& ev, Time relative) {
  if (o.from && relative < *o.from) return false;
  if (o.to && relative > *o.to) return false;
  if (!o.type.empty() && fnmatch(o.type.c_str(), std::string(event_type_name(ev.type)).c_str(), 0) != 0) return false;
  if (o.goroutine) {
    bool mine = ev.g == *o.goroutine;
    if (ev.kind() == EventKind::StateTransition) {
      const StateTransition st = ev.state_transition();
      mine = mine || (st.resource.kind == ResourceKind::Goroutine && st.resource.id == *o.goroutine);
    }
    if (!mine) return false;
  }
  return true;
}

// Writes out what `out` holds and empties it. False if the write failed (a full disk): the dump
// stops there rather than read the rest for nothing.
bool write_stdout(std::string& out) {
  const bool ok = std::fwrite(out.data(), 1, out.size(), stdout) == out.size();
  out.clear();
  return ok;
}

int stdout_failed() { return fail("<stdout>", write_failed()); }

// --decode-only: the reader alone, as Go's `gtaref -read-only` (tools/bench compares the two).
int decode_only(OpenTrace& trace, const std::string& path) {
  std::uint64_t events = 0;
  for (;;) {
    auto batch = trace.reader->next_batch();
    if (!batch) return report_error(path, batch.error());
    if (batch->events.empty()) break;
    events += batch->events.size();
  }
  std::printf("%llu\n", static_cast<unsigned long long>(events));
  errno = 0;
  if (std::fflush(stdout) != 0) return stdout_failed();
  for (const auto& warning : trace.reader->warnings()) fail(path, "warning: " + warning);
  return kExitOk;
}

}  // namespace

int run_dump(const DumpOptions& options) {
  auto trace = open_trace(options.trace, options.threads);
  if (!trace) return kExitInputError;
  if (options.decode_only) return decode_only(*trace, options.trace);
  analysis::Linker linker;
  Event event;
  std::string out;
  Time origin = 0;
  std::uint64_t printed = 0;
  for (std::uint64_t index = 0;; index++) {
    auto more = trace->reader->next(event);
    if (!more) {
      write_stdout(out);
      std::fflush(stdout);
      return report_error(options.trace, more.error());
    }
    if (!*more) break;
    if (index == 0) origin = event.time;
    const auto link = linker.on_event(index, event);
    if (!selected(options, event, event.time - origin)) continue;
    printed++;
    if (options.go_format) {
      parser::append_event(out, event);
    } else {
      report::append_event_line(out, index, origin, event, link, options.stacks);
    }
    // Flush in pieces: streaming output without a write per event.
    if (out.size() > (1u << 16) && !write_stdout(out)) return stdout_failed();
  }
  errno = 0;
  if (!write_stdout(out) || std::fflush(stdout) != 0) return stdout_failed();
  for (const auto& warning : trace->reader->warnings()) fail(options.trace, "warning: " + warning);
  // An empty result from a mistyped filter should not look like an empty trace.
  std::string filters;
  for (const auto& [given, name] :
       {std::pair{options.goroutine.has_value(), "--goroutine"}, std::pair{!options.type.empty(), "--type"},
        std::pair{options.from.has_value(), "--from"}, std::pair{options.to.has_value(), "--to"}})
    if (given) filters += (filters.empty() ? "" : ", ") + std::string(name);
  if (printed == 0 && !filters.empty()) fail(options.trace, "warning: no event matches " + filters);
  return kExitOk;
}

}  // namespace gtanalyze::cli

// `gtanalyze perfetto TRACE -o OUT`: the trace's timeline as a Perfetto protobuf trace, read in two
// passes (report/timeline.hpp); standard input or a pipe is first copied to a temporary file for that.
#include <unistd.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/open_trace.hpp"
#include "report/perfetto_writer.hpp"
#include "report/timeline.hpp"

namespace gtanalyze::cli {
namespace {

// Past this the Perfetto UI (a 2 GB WebAssembly heap, 2-4x the file in memory) struggles.
constexpr std::uint64_t kBigOutput = 1ull << 30;

// The first pass: what the timeline must know before it draws.
std::optional<report::TimelinePlan> plan(const std::string& path, const std::string& name, unsigned threads) {
  auto trace = open_trace(path, threads, name);
  if (!trace) return std::nullopt;
  report::TimelinePlan plan;
  const bool read = read_events(*trace, name, "planning", [&](std::span<const Event> events) {
    plan.on_events(events);
    return true;
  });
  if (!read) return std::nullopt;
  for (const auto& warning : trace->reader->warnings()) fail(name, "warning: " + warning);
  return plan;
}

}  // namespace

int run_perfetto(const PerfettoOptions& options) {
  if (is_stdout_path(options.output) && ::isatty(STDOUT_FILENO))
    return fail("perfetto", "the timeline is binary: write it to a file with -o FILE, or pipe it");
  std::string path = options.trace;
  File spool;
  if (auto error = make_rereadable(spool, path)) {
    fail(options.trace, *error);
    return kExitInputError;
  }
  auto first = plan(path, options.trace, options.threads);
  if (!first) return kExitInputError;
  for (const std::string& missing : first->unmatched(options.timeline)) fail(options.trace, "warning: " + missing);

  auto trace = open_trace(path, options.threads, options.trace);
  if (!trace) return kExitInputError;
  OutputFile out(options.output);
  std::FILE* file = out.get();
  if (!file) return fail(options.output, out.cannot_open());
  report::PerfettoWriter writer(file);
  report::Timeline timeline(std::move(*first), options.timeline, writer);
  bool warned = false;
  // A failed write (a full disk) ends the drawing: the rest of the trace would be read for nothing.
  const bool read = read_events(*trace, options.trace, "drawing", [&](std::span<const Event> events) {
    const bool more = timeline.on_events(events) && writer.ok();
    if (!warned && writer.bytes_written() > kBigOutput) {
      warned = true;
      fail(options.output,
           "warning: over 1 GB, more than the Perfetto UI handles well; draw a part with --from/--to, "
           "--goroutine or --group (or open it with trace_processor --httpd)");
    }
    return more;
  });
  if (!read) return kExitInputError;
  if (!writer.ok()) return out.close(false, writer.write_error());
  timeline.finish();
  // Not even the first packet: a file the Perfetto UI cannot open, which exit 0 would call done.
  if (writer.bytes_written() == 0)
    return fail(options.trace, "nothing to draw: the window (--from) begins after the trace ends");
  const bool written = writer.flush();
  return out.close(written, writer.write_error());
}

}  // namespace gtanalyze::cli

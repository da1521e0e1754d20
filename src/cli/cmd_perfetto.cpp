// `gtanalyze perfetto TRACE -o OUT`: the trace's timeline as a Perfetto protobuf trace, read in two
// passes (report/timeline.hpp); standard input is first copied to a temporary file for that.
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/open_trace.hpp"
#include "report/perfetto_writer.hpp"
#include "report/timeline.hpp"

namespace gtanalyze::cli {
namespace {

// Past this the Perfetto UI (a 2 GB WebAssembly heap, 2-4x the file in memory) struggles.
constexpr std::uint64_t kBigOutput = 1ull << 30;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Standard input, copied to an unnamed temporary file that a path under /proc reopens.
bool spool_stdin(File& spool, std::string& path) {
  spool.reset(std::tmpfile());
  if (!spool) {
    fail("-", "cannot create a temporary file to read standard input twice");
    return false;
  }
  char buffer[1 << 16];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, stdin)) > 0;) {
    if (std::fwrite(buffer, 1, n, spool.get()) != n) {
      fail("-", "cannot copy standard input to a temporary file");
      return false;
    }
  }
  if (std::ferror(stdin) || std::fflush(spool.get()) != 0) {
    fail("-", "cannot read standard input");
    return false;
  }
  path = "/proc/self/fd/" + std::to_string(::fileno(spool.get()));
  return true;
}

// The first pass: what the timeline must know before it draws.
std::optional<report::TimelinePlan> plan(const std::string& path, const std::string& name, unsigned threads) {
  auto trace = open_trace(path, threads);
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
  std::string path = options.trace;
  File spool;
  if (path == "-" && !spool_stdin(spool, path)) return kExitInputError;
  auto first = plan(path, options.trace, options.threads);
  if (!first) return kExitInputError;

  auto trace = open_trace(path, options.threads);
  if (!trace) return kExitInputError;
  File out(std::fopen(options.output.c_str(), "wb"));
  if (!out) return fail(options.output, "cannot open for writing");
  report::PerfettoWriter writer(out.get());
  report::Timeline timeline(std::move(*first), options.timeline, writer);
  bool warned = false;
  const bool read = read_events(*trace, options.trace, "drawing", [&](std::span<const Event> events) {
    const bool more = timeline.on_events(events);
    if (!warned && writer.bytes_written() > kBigOutput) {
      warned = true;
      fail(options.output,
           "warning: over 1 GB, more than the Perfetto UI handles well; draw a part with --from/--to, "
           "--goroutine or --group (or open it with trace_processor --httpd)");
    }
    return more;
  });
  if (!read) return kExitInputError;
  timeline.finish();
  if (writer.bytes_written() == 0)
    fail(options.output, "warning: nothing drawn: the window (--from) begins after the trace ends");
  if (!writer.flush() || std::fclose(out.release()) != 0) return fail(options.output, "write failed");
  return kExitOk;
}

}  // namespace gtanalyze::cli

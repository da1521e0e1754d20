// `gtanalyze collect` (eBPF capture of a live Go process) and `gtanalyze crosscheck TRACE
// CAPTURE`; both need the collector, which a build may leave out (GTANALYZE_COLLECTOR=OFF).
#include <fmt/core.h>

#include "cli/commands.hpp"
#include "cli/open_trace.hpp"

#if GTANALYZE_WITH_COLLECTOR
#include "collector/capture_reader.hpp"
#include "collector/crosscheck.hpp"
#include "report/crosscheck_text.hpp"
#endif

namespace gtanalyze::cli {

#if GTANALYZE_WITH_COLLECTOR

int run_collect(const CollectCommandOptions& options) { return collector::collect(options).exit_code; }

int run_crosscheck(const CrosscheckCommandOptions& options) {
  if (options.trace == "-" && options.capture == "-")
    return fail("crosscheck", "only one of the trace and the capture can be read from standard input");
  auto trace = open_trace(options.trace, 1);
  if (!trace) return kExitInputError;
  // A capture compared with itself agrees on everything and proves nothing.
  if (dynamic_cast<collector::CaptureReader*>(trace->reader.get()) != nullptr)
    return fail(options.trace, "a capture, not the runtime's trace (give the trace first, then the capture)");
  auto capture = open_trace(options.capture, 1);
  if (!capture) return kExitInputError;
  auto* capture_reader = dynamic_cast<collector::CaptureReader*>(capture->reader.get());
  if (capture_reader == nullptr) return fail(options.capture, "not a capture (gtanalyze collect -o FILE writes one)");
  auto result = collector::crosscheck_readers(*trace->reader, *capture_reader);
  // The capture was read whole when opened: an error now is the trace's.
  if (!result) return report_error(options.trace, result.error());
  const std::string text = options.json ? report::crosscheck_json(*result) : report::crosscheck_text(*result);
  if (int code = write_output(options.output, text); code != kExitOk) return code;
  switch (result->verdict()) {
    case Verdict::Agree: return kExitOk;
    case Verdict::Differ: return kExitRegression;
    case Verdict::Inconclusive: return kExitInconclusive;
  }
  return kExitRegression;
}

#else

int run_collect(const CollectCommandOptions&) {
  return fail("collect", "this gtanalyze was built without the eBPF collector (GTANALYZE_COLLECTOR=OFF)");
}

int run_crosscheck(const CrosscheckCommandOptions&) {
  return fail("crosscheck", "this gtanalyze was built without the eBPF collector (GTANALYZE_COLLECTOR=OFF)");
}

#endif

}  // namespace gtanalyze::cli

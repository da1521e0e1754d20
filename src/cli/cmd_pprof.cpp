// `gtanalyze pprof --type TYPE TRACE -o OUT`: a pprof profile of where goroutines waited, equal to
// `go tool trace -pprof=TYPE` (docs/pprof.md). Two passes: the summary gives each goroutine's
// windows (its life, or its regions of one type), then the intervals are collected; standard input or a pipe is first
// copied to a temporary file.
#include <unistd.h>

#include "analysis/state_profile.hpp"
#include "cli/commands.hpp"
#include "cli/open_trace.hpp"
#include "report/pprof_writer.hpp"

namespace gtanalyze::cli {

int run_pprof(const PprofOptions& options) {
  const auto type = analysis::profile_type(options.type);
  if (!type) return fail("pprof", "unknown --type '" + options.type + "' (net, sync, syscall or sched)");
  if (is_stdout_path(options.output) && ::isatty(STDOUT_FILENO))
    return fail("pprof", "the profile is binary: write it to a file with -o FILE, or pipe it");
  std::string path = options.trace;
  File spool;
  if (auto error = make_rereadable(spool, path)) {
    fail(options.trace, *error);
    return kExitInputError;
  }

  auto first = open_trace(path, options.threads, options.trace);
  if (!first) return kExitInputError;
  // The windows are gathered as the goroutines are summarised: none is kept.
  analysis::ProfileWindowsSink windows_sink(options.region, options.goroutine_name);
  auto analysed = analyse_trace(std::move(*first), options.trace, LeakOptions{}, &windows_sink, UserLogs::Drop);
  if (!analysed) return kExitInputError;
  auto windows = windows_sink.take();
  // As Go: a profile of no goroutines is an error, not an empty profile; of no regions, it is empty.
  if (windows.size() == 0 && !options.region) {
    return fail(options.trace, options.goroutine_name.empty() ? "no goroutines in the trace"
                                                              : "no goroutine named '" + options.goroutine_name + "'");
  }
  if (windows.size() == 0)
    fail(options.trace, "warning: no region of type '" + *options.region + "': the profile is empty");
  for (const auto& warning : analysed->summary.warnings) fail(options.trace, "warning: " + warning);
  // A trace read up to the program's misuse of runtime/trace: Go profiles the events up to the
  // Sync that began its last generation, the summary (the windows) all of them.
  const std::uint64_t last_sync = analysed->ended_at_misuse ? analysed->info.generations : 0;
  analysed.reset();  // the windows are all the second pass needs: a summary per goroutine is not kept

  auto trace = open_trace(path, options.threads, options.trace);
  if (!trace) return kExitInputError;
  analysis::StateProfile profile(*type, std::move(windows));
  std::uint64_t syncs = 0;
  const bool read = read_events(*trace, options.trace, "profiling", [&](std::span<const Event> events) {
    if (last_sync == 0) {
      profile.on_events(events);
      return true;
    }
    for (std::size_t i = 0; i < events.size(); i++) {
      if (events[i].type == EventType::Sync && ++syncs == last_sync) {
        profile.on_events(events.first(i + 1));
        return false;
      }
    }
    profile.on_events(events);
    return true;
  });
  if (!read) return kExitInputError;
  const std::vector<analysis::ProfileSample> samples = profile.finish();
  return write_output(options.output, [&](std::FILE* out) { return report::write_pprof(out, samples); });
}

}  // namespace gtanalyze::cli

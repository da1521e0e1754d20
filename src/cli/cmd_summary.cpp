// `gtanalyze TRACE` and `gtanalyze TRACE --json`: the goroutine analysis rendered as text for a
// person or as the gtanalyze/v1 JSON document.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

#include "cli/commands.hpp"
#include "cli/open_trace.hpp"
#include "report/json.hpp"
#include "report/text.hpp"

namespace gtanalyze::cli {

int write_output(const std::string& path, const std::function<bool(std::FILE*)>& write) {
  std::FILE* out = path.empty() ? stdout : std::fopen(path.c_str(), "w");
  if (!out) return fail(path, "cannot open for writing");
  bool ok = write(out);
  ok = std::fflush(out) == 0 && ok;
  if (out != stdout) ok = std::fclose(out) == 0 && ok;
  if (!ok) return fail(path.empty() ? "<stdout>" : path, "write failed");
  return kExitOk;
}

int write_output(const std::string& path, const std::string& text) {
  return write_output(path,
                      [&text](std::FILE* out) { return std::fwrite(text.data(), 1, text.size(), out) == text.size(); });
}

namespace {

// --color=auto colours only a terminal (and never a file given with -o).
bool use_color(const SummaryOptions& options) {
  if (options.color == "always") return true;
  if (options.color == "never") return false;
  return options.output.empty() && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
}

}  // namespace

int run_summary(const SummaryOptions& options) {
  auto analysed = analyse_trace(options.trace, options.leaks, options.threads);
  if (!analysed) return kExitInputError;
  if (!prove_leaks(analysed->summary, options.trace, options.leak_proof)) return kExitInputError;
  if (options.json) {
    return write_output(options.output, [&](std::FILE* out) { return report::write_json(analysed->summary, out); });
  }
  return write_output(options.output, report::to_text(analysed->summary, analysed->info,
                                                      report::TextOptions{options.top, use_color(options)}));
}

}  // namespace gtanalyze::cli

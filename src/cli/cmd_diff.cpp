// `gtanalyze diff BASE NEW`: each side a trace or a --json export; prints the comparison and
// exits 1 when a --fail-on rule is broken.
#include <fmt/core.h>

#include "analysis/leak_proof.hpp"
#include "cli/commands.hpp"
#include "cli/open_trace.hpp"
#include "input/input.hpp"
#include "io/stderr.hpp"
#include "report/diff.hpp"
#include "report/json.hpp"

namespace gtanalyze::cli {
namespace {

// Reads everything left in a source.
Result<std::string> slurp(ByteSource& source) {
  std::string data;
  char buf[1 << 16];
  for (;;) {
    auto got = source.read(buf, sizeof buf);
    if (!got) return std::move(got).error();
    if (*got == 0) return data;
    data.append(buf, *got);
  }
}

// One side of the diff: a JSON export loaded, a trace (or capture) analysed.
// `leak_proof` ("": none) proves the leaks of a trace; an export holds its own proof.
std::optional<Summary> load_side(const std::string& path, const LeakOptions& leaks, const std::string& leak_proof,
                                 unsigned threads) {
  auto source = ByteSource::open(path);
  if (!source) {
    report_error(path, source.error());
    return std::nullopt;
  }
  auto format = input::detect(**source);
  if (!format) {
    report_error(path, format.error());
    return std::nullopt;
  }
  if (*format != input::Format::JsonExport) {
    auto trace = open_trace(std::move(*source), path, threads);
    if (!trace) return std::nullopt;
    // The diff takes only the goroutines' count: they are not kept (a big trace's are most of
    // its summary's memory, and a diff holds two summaries).
    struct DiscardGoroutines : analysis::GoroutineSink {
      void begin(const Summary& /*head*/) override {}
      void goroutine(const Summary& /*head*/, const GoroutineSummary& /*g*/,
                     analysis::RegionSource& /*regions*/) override {}
    } discard;
    auto analysed = analyse_trace(std::move(*trace), path, leaks, &discard, UserLogs::Drop);  // nor compares logs
    if (!analysed) return std::nullopt;
    if (!prove_leaks(analysed->summary, path, leak_proof)) return std::nullopt;
    return std::move(analysed->summary);
  }
  auto text = slurp(**source);
  if (!text) {
    report_error(path, text.error());
    return std::nullopt;
  }
  auto summary = report::from_json(*text);
  if (!summary) {
    report_error(path, summary.error());
    return std::nullopt;
  }
  if (!leak_proof.empty()) {
    fail(path, "a JSON export holds its own leak proof (give --leak-proof when exporting it)");
    return std::nullopt;
  }
  // --leak-ignore and --leak-min-blocked, as on a trace (they narrowed only the traces' leaks).
  analysis::apply_leak_options(*summary, leaks);
  return std::move(*summary);
}

}  // namespace

int run_diff(const DiffCommandOptions& options) {
  report::DiffOptions diff_options;
  diff_options.floor_ns = options.floor_ns;
  diff_options.floor_percent = options.floor_percent;
  for (const std::string& text : options.fail_on) {
    auto rule = report::parse_rule(text);
    if (!rule) return fail("diff", rule.error().message);
    diff_options.rules.push_back(*rule);
  }
  if (options.base == "-" && options.next == "-") return fail("diff", "only one side can be read from standard input");
  auto base = load_side(options.base, options.leaks, options.base_leak_proof, options.threads);
  if (!base) return kExitInputError;
  auto next = load_side(options.next, options.leaks, options.next_leak_proof, options.threads);
  if (!next) return kExitInputError;

  report::DiffReport report = report::diff(*base, *next, diff_options);
  report.base_name = options.base;
  report.next_name = options.next;
  std::string text;
  if (options.format == "json") {
    text = report::diff_json(report);
  } else if (options.format == "markdown") {
    text = report::diff_markdown(report);
  } else {
    text = report::diff_text(report);
  }
  if (int code = write_output(options.output, text); code != kExitOk) return code;
  for (const auto& w : base->warnings) fail(options.base, "warning: " + w);
  for (const auto& w : next->warnings) fail(options.next, "warning: " + w);
  for (const auto& r : report.rules)
    if (r.named_nowhere) fail("diff", "warning: --fail-on '" + r.rule.text + "': neither run has that name");
  if (!report.regression()) return kExitOk;
  for (const auto& r : report.rules) {
    if (r.broken) io::print_stderr("gtanalyze: diff: rule broken: {}\n", report::rule_line(r));
  }
  return kExitRegression;
}

}  // namespace gtanalyze::cli

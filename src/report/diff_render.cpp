// Renders a DiffReport as text (the terminal), markdown (a CI comment) or JSON
// (gtanalyze-diff/v1).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "base/printable.hpp"
#include "report/diff.hpp"
#include "report/text.hpp"

namespace gtanalyze::report {
namespace {

using nlohmann::json;

// v as an integer: figures are int64 nanoseconds and counts, compared as doubles; one near the
// int64 limit rounds up past it, where llround's result is undefined (it showed as negative).
long long integral(double v) { return std::llround(std::clamp(v, -0x1p63, 0x1p63 - 1024)); }

std::string show(double v, bool duration) {
  if (std::isinf(v)) return v > 0 ? "+inf" : "-inf";
  if (duration) return human_duration(integral(v));
  return fmt::format("{}", integral(v));
}

// A figure in the JSON report: an integer where it is one (as --json writes it), else a double
// (a relative change, or a value beyond the int64 range).
json number(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 0x1p63) return static_cast<std::int64_t>(v);
  return v;
}

std::string show_delta(const MetricChange& m) {
  const double d = m.delta();
  std::string abs = (d > 0 ? "+" : d < 0 ? "-" : "±") + show(std::fabs(d), m.duration);
  const double r = m.relative();
  if (std::isinf(r)) return abs + " (new)";
  return fmt::format("{} ({:+.1f}%)", abs, r);
}

// " (proven 0 → 2)" when a proof proves any of the group on either side, else "".
std::string proven_change(const LeakChange& l) {
  if (l.base_proven == 0 && l.next_proven == 0) return "";
  return fmt::format(" (proven {} → {})", l.base_proven, l.next_proven);
}

// A metric name shortened to `width`: a group's, region's or task's keeps its kind and field and
// shortens the name between them from the left ("group[…ple.com/bench.worker].sched_latency.p99_ns").
std::string fit_metric(const std::string& metric, std::size_t width) {
  const std::size_t open = metric.find('['), close = metric.rfind("].");
  constexpr std::size_t kMinName = 12;
  if (metric.size() <= width || open == std::string::npos || close == std::string::npos || close < open) {
    return fit(metric, width);
  }
  const std::string head = metric.substr(0, open + 1), tail = metric.substr(close);
  if (head.size() + tail.size() + kMinName > width) return fit(metric, width);
  return head + fit(metric.substr(open + 1, close - open - 1), width - head.size() - tail.size()) + tail;
}

}  // namespace

std::string rule_line(const RuleResult& r) {
  const bool duration = r.rule.duration;
  if (r.rule.between_runs) return fmt::format("{}: {} is {}", r.rule.text, r.rule.metric, show(r.next, false));
  const double change = r.under_floor ? r.unfloored : r.measured;
  std::string measured;
  switch (r.rule.mode) {
    case Rule::Mode::Value: measured = show(r.next, duration); break;
    case Rule::Mode::Delta:
      measured = fmt::format("changed by {}{}", change > 0 ? "+" : "", show(change, duration));
      break;
    case Rule::Mode::Percent:
      measured = std::isinf(change) ? "changed from 0" : fmt::format("changed by {:+.1f}%", change);
      break;
  }
  // A change the floor hid says so: "+2187.5%" counted as none must not read as a pass by +0%.
  const std::string floored = r.under_floor ? fmt::format("; under the noise floor of {}{}, so no change",
                                                          show(r.floor, duration), duration ? " (--floor-time)" : "")
                                            : "";
  return fmt::format("{}: {} is {} (base {}, new {}){}{}", r.rule.text, r.rule.metric, measured, show(r.base, duration),
                     show(r.next, duration), floored, r.named_nowhere ? "; neither run has that name" : "");
}

std::string diff_text(const DiffReport& report) {
  std::string out = fmt::format("base  {}\n", printable(report.base_name));
  for (const auto& w : report.base_warnings) out += "      warning: " + printable(w) + "\n";
  out += fmt::format("new   {}\n", printable(report.next_name));
  for (const auto& w : report.next_warnings) out += "      warning: " + printable(w) + "\n";
  out += "\n";
  std::size_t shown = 0;
  out += fmt::format("{:<48} {:>12} {:>12}  {}\n", "metric", "base", "new", "change");
  for (const auto& m : report.metrics) {
    if (!m.shown) continue;
    shown++;
    out += fmt::format("{:<48} {:>12} {:>12}  {}\n", fit_metric(m.name, 48), show(m.base, m.duration),
                       show(m.next, m.duration), show_delta(m));
  }
  if (shown == 0) out += "(no change above the noise floors)\n";
  out += "\nleak groups\n";
  std::size_t leak_lines = 0;
  for (const auto& l : report.leaks) {
    if (!l.changed()) continue;
    leak_lines++;
    out += fmt::format("  {:<7} {} → {}{} × {}   {}\n          created at {}\n          blocked at {}\n", l.kind,
                       l.base_count, l.next_count, proven_change(l), printable(l.reason), printable(l.name),
                       printable(l.create_site), printable(l.block_site));
  }
  if (leak_lines == 0) out += "  (no change)\n";
  if (!report.rules.empty()) {
    out += "\nrules\n";
    for (const auto& r : report.rules)
      out += fmt::format("  {:<6} {}\n", r.broken ? "BROKEN" : "ok", printable(rule_line(r)));
  }
  return out;
}

std::string diff_markdown(const DiffReport& report) {
  auto cell = [](const std::string& text) {
    std::string out;
    for (char c : printable(text)) {
      if (c == '|')
        out += "\\|";
      else
        out += c;
    }
    return out;
  };
  // A code span of a cell: fenced by one backtick more than the longest run of them in it, and
  // padded with a space each side when it starts or ends with a backtick, or starts and ends with
  // spaces (CommonMark strips one each side then), so that the span shows the text as it is. An
  // empty text is an empty cell: `` is no span in CommonMark, but two backticks.
  auto code = [&cell](const std::string& text) {
    const std::string c = cell(text);
    if (c.empty()) return c;
    std::size_t longest = 0, run = 0;
    for (const char ch : c) {
      run = ch == '`' ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    const std::string fence(longest + 1, '`');
    const bool spaces_around = c.front() == ' ' && c.back() == ' ' && c.find_first_not_of(' ') != std::string::npos;
    const bool padded = c.front() == '`' || c.back() == '`' || spaces_around;
    return fence + (padded ? " " + c + " " : c) + fence;
  };
  std::string out = fmt::format("### gtanalyze diff\n\n{} → {}\n\n", code(report.base_name), code(report.next_name));
  for (const auto& [side, warnings] :
       {std::pair{"base", &report.base_warnings}, std::pair{"new", &report.next_warnings}})
    for (const auto& w : *warnings) out += fmt::format("> **warning** ({}): {}\n\n", side, cell(w));
  out += "| metric | base | new | change |\n|---|---:|---:|---:|\n";
  std::size_t shown = 0;
  for (const auto& m : report.metrics) {
    if (!m.shown) continue;
    shown++;
    out += fmt::format("| {} | {} | {} | {} |\n", code(m.name), show(m.base, m.duration), show(m.next, m.duration),
                       show_delta(m));
  }
  if (shown == 0) out += "| (no change above the noise floors) | | | |\n";
  out += "\n**Leak groups**\n\n";
  std::size_t leak_lines = 0;
  for (const auto& l : report.leaks) {
    if (!l.changed()) continue;
    if (leak_lines++ == 0)
      out += "| change | count | reason | start function | created at | blocked at |\n|---|---:|---|---|---|---|\n";
    out += fmt::format("| {} | {} → {}{} | {} | {} | {} | {} |\n", l.kind, l.base_count, l.next_count, proven_change(l),
                       cell(l.reason), code(l.name), code(l.create_site), code(l.block_site));
  }
  if (leak_lines == 0) out += "No change.\n";
  if (!report.rules.empty()) {
    out += "\n**Rules**\n\n";
    for (const auto& r : report.rules)
      out += fmt::format("- {} {}\n", r.broken ? ":x: **broken**" : ":white_check_mark: ok", cell(rule_line(r)));
  }
  return out;
}

std::string diff_json(const DiffReport& report) {
  json doc;
  doc["schema"] = "gtanalyze-diff/v1";
  doc["base"] = report.base_name;
  doc["new"] = report.next_name;
  doc["base_warnings"] = report.base_warnings;
  doc["new_warnings"] = report.next_warnings;
  json metrics = json::array();
  for (const auto& m : report.metrics) {
    json rel = std::isinf(m.relative()) ? json(nullptr) : json(m.relative());
    metrics.push_back({{"name", m.name},
                       {"base", number(m.base)},
                       {"new", number(m.next)},
                       {"delta", number(m.delta())},
                       {"relative_percent", rel},
                       {"shown", m.shown}});
  }
  doc["metrics"] = std::move(metrics);
  json leaks = json::array();
  for (const auto& l : report.leaks) {
    if (!l.changed()) continue;  // as the text and markdown list them (docs/diff-rules.md)
    leaks.push_back({{"change", l.kind},
                     {"name", l.name},
                     {"reason", l.reason},
                     {"create_site", l.create_site},
                     {"block_site", l.block_site},
                     {"base_count", l.base_count},
                     {"new_count", l.next_count},
                     {"base_proven", l.base_proven},
                     {"new_proven", l.next_proven}});
  }
  doc["leak_groups"] = std::move(leaks);
  json rules = json::array();
  for (const auto& r : report.rules) {
    rules.push_back({{"rule", r.rule.text},
                     {"broken", r.broken},
                     // A change between the runs has no value of each run.
                     {"base", r.rule.between_runs ? json(nullptr) : number(r.base)},
                     {"new", r.rule.between_runs ? json(nullptr) : number(r.next)},
                     {"measured", std::isinf(r.measured) ? json(nullptr) : number(r.measured)},
                     {"under_floor", r.under_floor},
                     {"named_nowhere", r.named_nowhere}});
  }
  doc["rules"] = std::move(rules);
  doc["regression"] = report.regression();
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace gtanalyze::report

// Renders a CrosscheckReport as text for the terminal and as JSON (gtanalyze-crosscheck/v1) for tools.
#include "report/crosscheck_text.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace gtanalyze::report {
namespace {

// Why the differences prove nothing, the most telling reason only (the others' differences would
// follow from it): how the items that differ say so, and the verdict's line.
struct Unproven {
  const char* label;
  std::string why;
};

std::optional<Unproven> unproven(const CrosscheckReport& r) {
  if (!r.other_run.empty())
    return Unproven{"differ (not one run)", r.other_run + " (give the trace and the capture of one run)"};
  if (!r.empty_trace.empty()) return Unproven{"DIFFER", r.empty_trace};  // it has no items
  if (!r.trace_gap.empty())
    return Unproven{"differ (trace unaligned)", r.trace_gap + "; the differences may be the trace's"};
  if (!r.capture_gap.empty()) {
    return Unproven{"differ (capture incomplete)",
                    "the capture is incomplete (" + r.capture_gap + "); the differences may be what it missed"};
  }
  return std::nullopt;
}

}  // namespace

std::string crosscheck_text(const CrosscheckReport& r) {
  std::string out;
  for (const auto& n : r.notes) out += "note: " + n + "\n";
  const std::optional<Unproven> reason = unproven(r);
  const char* differ = reason ? reason->label : "DIFFER";
  for (const auto& i : r.items) {
    out += fmt::format("{:<28} {:>5}/{:<5} {}\n", i.name, i.agreed, i.compared, i.ok() ? "agree" : differ);
    for (const auto& d : i.differences) out += "    " + d + "\n";
  }
  out += "known differences (not compared):\n";
  for (const auto& k : r.known_differences) out += "  - " + k + "\n";
  switch (r.verdict()) {
    case Verdict::Agree: out += "crosscheck: the trace and the capture agree\n"; break;
    case Verdict::Differ: out += "crosscheck: the trace and the capture DIFFER\n"; break;
    case Verdict::Inconclusive:
      if (reason) out += "crosscheck: INCONCLUSIVE: " + reason->why + "\n";
      break;
  }
  return out;
}

std::string crosscheck_json(const CrosscheckReport& r) {
  nlohmann::json j;
  j["schema"] = "gtanalyze-crosscheck/v1";
  j["agree"] = r.agree();
  const Verdict v = r.verdict();
  j["verdict"] = v == Verdict::Agree ? "agree" : v == Verdict::Differ ? "differ" : "inconclusive";
  auto text_or_null = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
  j["capture_gap"] = text_or_null(r.capture_gap);
  j["other_run"] = text_or_null(r.other_run);
  j["empty_trace"] = text_or_null(r.empty_trace);
  j["trace_gap"] = text_or_null(r.trace_gap);
  j["notes"] = r.notes;
  j["known_differences"] = r.known_differences;
  auto& items = j["items"] = nlohmann::json::array();
  for (const auto& i : r.items) {
    auto details = nlohmann::json::array();
    for (const auto& d : i.details) {
      details.push_back(
          {{"goroutine", d.goroutine}, {"first_difference", d.first}, {"trace", d.trace}, {"capture", d.capture}});
    }
    items.push_back({{"name", i.name},
                     {"compared", i.compared},
                     {"agreed", i.agreed},
                     {"agree", i.ok()},
                     {"differences", i.differences},
                     {"details", details}});
  }
  return j.dump(2) + "\n";
}

}  // namespace gtanalyze::report

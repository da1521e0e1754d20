// Renders a CrosscheckReport as text for the terminal and as JSON (gtanalyze-crosscheck/v1) for tools.
#include "report/crosscheck_text.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace gtanalyze::report {

std::string crosscheck_text(const CrosscheckReport& r) {
  std::string out;
  for (const auto& n : r.notes) out += "note: " + n + "\n";
  // The reasons in the order of the INCONCLUSIVE line below.
  const char* differ = !r.other_run.empty()     ? "differ (not one run)"
                       : !r.trace_gap.empty()   ? "differ (trace unaligned)"
                       : !r.capture_gap.empty() ? "differ (capture incomplete)"
                                                : "DIFFER";
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
      // One reason, the most telling: the others' differences would follow from it.
      if (!r.other_run.empty()) {
        out += "crosscheck: INCONCLUSIVE: " + r.other_run + " (give the trace and the capture of one run)\n";
      } else if (!r.empty_trace.empty()) {
        out += "crosscheck: INCONCLUSIVE: " + r.empty_trace + "\n";
      } else if (!r.trace_gap.empty()) {
        out += "crosscheck: INCONCLUSIVE: " + r.trace_gap + "; the differences may be the trace's\n";
      } else if (!r.capture_gap.empty()) {
        out += "crosscheck: INCONCLUSIVE: the capture is incomplete (" + r.capture_gap +
               "); the differences may be what it missed\n";
      }
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

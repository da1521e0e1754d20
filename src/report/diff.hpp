// `diff`: compares two analyses (each from a trace or a JSON export, see from_json) metric by
// metric and leak group by leak group, and checks --fail-on rules for CI.
#pragma once

#include <string>
#include <vector>

#include "gtanalyze/error.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::report {

// One compared figure. Durations are in ns; `duration` says how to print them.
struct MetricChange {
  std::string name;  // "goroutines", "sched_latency.p99_ns", "group[main.worker].block_ns", …
  double base = 0, next = 0;
  bool duration = false;
  bool shown = false;  // above the noise floors
  double delta() const { return next - base; }
  // Relative change in percent; +inf when the base is 0 and the value grew.
  double relative() const;
};

// A leak group matched across the two sides by reason, start function, creation site and block
// site (function names, not ids or lines, which differ between runs and builds).
struct LeakChange {
  std::string kind;  // "new", "gone", "grown", "shrunk", "same" (by count)
  std::string name, reason, create_site, block_site;
  std::uint64_t base_count = 0, next_count = 0;
  std::uint64_t base_proven = 0, next_proven = 0;  // of them, proven leaked by the GC (--leak-proof)
  // Worth a line: its count or its proven count changed.
  bool changed() const { return kind != "same" || base_proven != next_proven; }
};

// A --fail-on rule: METRIC OP THRESHOLD (see docs/diff-rules.md).
struct Rule {
  std::string text;
  std::string metric;
  std::string op;        // ">", ">=", "<", "<="
  double threshold = 0;  // ns for durations
  enum class Mode { Value, Delta, Percent } mode = Mode::Value;
  bool duration = false;      // the metric is a duration (ns), not a count
  bool between_runs = false;  // new-leaks, gone-leaks, new-proven-leaks: a figure of the pair of runs
};

struct RuleResult {
  Rule rule;
  bool broken = false;
  // A group, region or task metric whose name neither side has (a typo, most likely): it counts
  // as 0 on both sides, so the rule can never see a change.
  bool named_nowhere = false;
  double base = 0, next = 0, measured = 0;  // measured: the value, the delta or the percentage
  // A percentage rule's change was smaller than the noise floor (`floor`, ns or a count), so
  // `measured` is 0; `unfloored` is the percentage it would have been.
  bool under_floor = false;
  double floor = 0, unfloored = 0;
};

struct DiffOptions {
  double floor_ns = 100'000;  // changes smaller than this many ns are noise (durations)
  double floor_count = 1;     // … or this many (counts)
  double floor_percent = 5;   // … or this relative change
  std::vector<Rule> rules;
};

struct DiffReport {
  std::string base_name, next_name;
  // Each run's warnings (a trace cut short, …): its figures may fall short for that reason.
  std::vector<std::string> base_warnings, next_warnings;
  std::vector<MetricChange> metrics;
  std::vector<LeakChange> leaks;
  std::vector<RuleResult> rules;
  bool regression() const;
};

// Parses "METRIC OP THRESHOLD", e.g. "new-leaks>0", "sched_latency.p99>+20%",
// "group[main.worker].block_ns>+25%", "gc.stw_max>5ms". Errors say what is wrong.
Result<Rule> parse_rule(const std::string& text);

DiffReport diff(const Summary& base, const Summary& next, const DiffOptions& options);

// A rule's line: "RULE: METRIC is …(base …, new …)", with the amount it measured.
std::string rule_line(const RuleResult& r);
std::string diff_text(const DiffReport& report);
std::string diff_markdown(const DiffReport& report);
std::string diff_json(const DiffReport& report);

}  // namespace gtanalyze::report

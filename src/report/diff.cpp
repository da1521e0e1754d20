// Compares two Summaries: flattens each into named metrics, matches leak groups by site and
// evaluates the --fail-on rules (diff_render.cpp renders the result).
#include "report/diff.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "base/utf8.hpp"

namespace gtanalyze::report {
namespace {

struct Figure {
  double value = 0;
  bool duration = false;
};
using Figures = std::map<std::string, Figure>;

// A name as a JSON export holds it (bytes that are not UTF-8 replaced, as every report writes
// them), so that a trace matches its own export: a group with such a name was gone and new.
std::string as_exported(std::string_view name) {
  std::string storage;
  return std::string(as_valid_utf8(name, storage));
}

// The site of a stack for matching and display: its innermost frame outside the runtime and sync
// packages (else the innermost one), as "function (file:line)"; `key` omits the line.
std::string site(StackView stack, bool key) {
  if (stack.empty()) return "(unknown)";
  const FrameInfo* pick = &stack.front();
  for (const FrameInfo& f : stack) {
    const std::string& fn = f.function;
    if (fn.rfind("runtime.", 0) != 0 && fn.rfind("sync.", 0) != 0 && fn.rfind("internal/", 0) != 0) {
      pick = &f;
      break;
    }
  }
  if (key) return as_exported(pick->function);
  return fmt::format("{} ({}:{})", as_exported(pick->function), as_exported(pick->file), pick->line);
}

StackView stack_of(const Summary& s, std::uint32_t id) { return id < s.stacks.size() ? s.stacks[id] : StackView(); }

struct LeakKeyed {
  std::uint64_t count = 0, proven = 0;
  std::string name, reason, create_site, block_site;
};

// A run whose leak candidates have no block stack at all: a capture (its probes see no stacks
// where goroutines park).
bool lacks_block_stacks(const Summary& s) {
  return !s.leak_groups.empty() && std::all_of(s.leak_groups.begin(), s.leak_groups.end(),
                                               [&](const LeakGroup& g) { return stack_of(s, g.block_stack).empty(); });
}

// `by_block_site` false: groups that differ only where they block are one (against a capture).
std::map<std::string, LeakKeyed> leak_groups_by_site(const Summary& s, bool by_block_site) {
  std::map<std::string, LeakKeyed> out;
  for (const LeakGroup& g : s.leak_groups) {
    const StackView create = stack_of(s, g.create_stack);
    const StackView block = stack_of(s, g.block_stack);
    const std::string create_key = create.empty() ? "" : as_exported(create.front().function);
    const std::string name = as_exported(g.name), reason = as_exported(g.reason);
    std::string key = reason + "|" + name + "|" + create_key;
    if (by_block_site) key += "|" + site(block, true);
    LeakKeyed& k = out[key];
    const std::string block_site = site(block, false);
    k.block_site = k.count == 0 || k.block_site == block_site ? block_site : "(several sites)";
    k.count += g.count;
    k.proven += g.proven.value_or(0);
    k.name = name;
    k.reason = reason;
    k.create_site = create.empty()
                        ? "(before the trace)"
                        : fmt::format("{} ({}:{})", create_key, as_exported(create.front().file), create.front().line);
  }
  return out;
}

// The figures of a region name's or task name's statistics, under `prefix`.
void span_figures(Figures& f, const std::string& prefix, const SpanStats& st) {
  f[prefix + "count"] = Figure{static_cast<double>(st.count), false};
  f[prefix + "complete"] = Figure{static_cast<double>(st.complete), false};
  f[prefix + "p50_ns"] = Figure{static_cast<double>(st.p50), true};
  f[prefix + "p90_ns"] = Figure{static_cast<double>(st.p90), true};
  f[prefix + "p99_ns"] = Figure{static_cast<double>(st.p99), true};
  f[prefix + "max_ns"] = Figure{static_cast<double>(st.max), true};
}

// Every compared figure by name, as in docs/diff-rules.md; durations in ns.
Figures figures(const Summary& s) {
  auto count = [](std::uint64_t v) { return Figure{static_cast<double>(v), false}; };
  auto duration = [](Duration v) { return Figure{static_cast<double>(v), true}; };
  Figures f;
  f["goroutines"] = count(s.goroutine_count());
  f["events"] = count(s.events);
  // A run cut short or empty says so in its warnings: `warnings>0` gates on it in CI.
  f["warnings"] = count(s.warnings.size());
  f["duration_ns"] = duration(s.last - s.first);
  f["sched_latency.p50_ns"] = duration(s.sched_latency.p50);
  f["sched_latency.p90_ns"] = duration(s.sched_latency.p90);
  f["sched_latency.p99_ns"] = duration(s.sched_latency.p99);
  f["sched_latency.max_ns"] = duration(s.sched_latency.max);
  f["gc.cycles"] = count(s.gc.cycles);
  f["gc.stw_count"] = count(s.gc.stw_count);
  f["gc.stw_ns"] = duration(s.gc.stw_total);
  f["gc.stw_max_ns"] = duration(s.gc.stw_max);
  f["leaks"] = count(s.leak_candidates.size());
  f["leak_groups"] = count(s.leak_groups.size());
  std::uint64_t proven = 0;
  for (const LeakGroup& g : s.leak_groups) proven += g.proven.value_or(0);
  f["proven-leaks"] = count(proven);
  for (const GroupSummary& g : s.groups) {
    const std::string prefix = "group[" + as_exported(g.name) + "].";
    f[prefix + "count"] = count(g.count);
    f[prefix + "exec_ns"] = duration(g.exec);
    f[prefix + "sched_wait_ns"] = duration(g.sched_wait);
    f[prefix + "block_ns"] = duration(g.block);
    f[prefix + "syscall_ns"] = duration(g.syscall);
    f[prefix + "syscall_block_ns"] = duration(g.syscall_block);
    f[prefix + "gc_ns"] = duration(g.gc);
    f[prefix + "total_ns"] = duration(g.total);
    f[prefix + "sched_latency.p99_ns"] = duration(g.sched_latency.p99);
  }
  for (const auto& [name, st] : s.region_stats) span_figures(f, "region[" + as_exported(name) + "].", st);
  for (const auto& [name, st] : s.task_stats) span_figures(f, "task[" + as_exported(name) + "].", st);
  return f;
}

// Metric names in rules may leave out the "_ns" suffix of durations: in either run's figures (a
// group only the base run has is gone from the new one).
std::string canonical_metric(const std::string& name, const Figures& base, const Figures& next) {
  const auto known = [&](const std::string& n) { return base.count(n) != 0 || next.count(n) != 0; };
  if (known(name) || name == "new-leaks" || name == "gone-leaks" || name == "new-proven-leaks") return name;
  if (known(name + "_ns")) return name + "_ns";
  return name;
}

bool compare(double a, const std::string& op, double b) {
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "<") return a < b;
  return a <= b;
}

// A metric of a named thing: a goroutine group, a region name or a task name.
bool is_named_metric(const std::string& name) {
  return name.rfind("group[", 0) == 0 || name.rfind("region[", 0) == 0 || name.rfind("task[", 0) == 0;
}

}  // namespace

double MetricChange::relative() const {
  if (base == 0)
    return next == 0 ? 0.0
                     : (next > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity());
  return (next - base) / std::fabs(base) * 100.0;
}

bool DiffReport::regression() const {
  for (const auto& r : rules)
    if (r.broken) return true;
  return false;
}

namespace {

// The metrics of rules, each a duration (ns: it may be written with "_ns" and take a time unit)
// or a count, as docs/diff-rules.md lists them.
const std::map<std::string, bool> kTopMetrics = {
    {"goroutines", false},       {"events", false},           {"duration", true},          {"leaks", false},
    {"leak_groups", false},      {"new-leaks", false},        {"gone-leaks", false},       {"proven-leaks", false},
    {"new-proven-leaks", false}, {"sched_latency.p50", true}, {"sched_latency.p90", true}, {"sched_latency.p99", true},
    {"sched_latency.max", true}, {"gc.cycles", false},        {"gc.stw_count", false},     {"gc.stw", true},
    {"gc.stw_max", true},        {"warnings", false}};
const std::map<std::string, bool> kGroupFields = {{"count", false}, {"exec", true},    {"sched_wait", true},
                                                  {"block", true},  {"syscall", true}, {"syscall_block", true},
                                                  {"gc", true},     {"total", true},   {"sched_latency.p99", true}};
const std::map<std::string, bool> kSpanFields = {{"count", false}, {"complete", false}, {"p50", true},
                                                 {"p90", true},    {"p99", true},       {"max", true}};

std::string names_of(const std::map<std::string, bool>& table) {
  std::string out;
  for (const auto& [name, duration] : table) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// Sets rule.duration and rule.between_runs from rule.metric; empty if it is known, else why not.
std::string check_metric(Rule& rule) {
  const std::string& metric = rule.metric;
  const std::map<std::string, bool>* table = &kTopMetrics;
  std::string field = metric, kind;
  if (is_named_metric(metric)) {
    kind = metric.substr(0, metric.find('['));
    // The name is everything up to the ']' matching the first '['.
    std::size_t i = kind.size(), depth = 0;
    for (; i < metric.size(); i++) {
      if (metric[i] == '[') depth++;
      if (metric[i] == ']' && --depth == 0) break;
    }
    if (i + 1 >= metric.size() || metric[i + 1] != '.') {
      return "a group, region or task metric needs a field, e.g. group[main.worker].block_ns or region[commit].p99";
    }
    field = metric.substr(i + 2);
    table = kind == "group" ? &kGroupFields : &kSpanFields;
  }
  std::string bare = field;
  const bool ns = bare.size() > 3 && bare.ends_with("_ns");
  if (ns) bare.resize(bare.size() - 3);
  auto it = table->find(bare);
  if (it == table->end() || (ns && !it->second)) {
    if (!kind.empty()) return "unknown field '" + field + "' of " + kind + "[...] (known: " + names_of(*table) + ")";
    return "unknown metric '" + metric + "' (known: " + names_of(kTopMetrics) +
           ", group[FUNCTION].count|exec|sched_wait|block|syscall|syscall_block|gc|total|sched_latency.p99, "
           "region[NAME].count|complete|p50|p90|p99|max, task[NAME].count|complete|p50|p90|p99|max)";
  }
  rule.duration = it->second;
  rule.between_runs = bare == "new-leaks" || bare == "gone-leaks" || bare == "new-proven-leaks";
  return {};
}

}  // namespace

Result<Rule> parse_rule(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::Corrupt, 0, fmt::format("--fail-on '{}': {}", text, why));
  };
  Rule rule;
  rule.text = text;
  // Spaces around the rule and its operator are allowed ('leaks > 5 '); inside [...] they are the name's.
  const std::size_t first = text.find_first_not_of(' ');
  const std::string_view body = first == std::string::npos
                                    ? std::string_view{}
                                    : std::string_view(text).substr(first, text.find_last_not_of(' ') + 1 - first);
  // The metric may hold '[' … ']' with any characters (a group name); the operator follows it.
  std::size_t i = 0, depth = 0;
  for (; i < body.size(); i++) {
    if (body[i] == '[') depth++;
    if (body[i] == ']' && depth > 0) depth--;
    if (depth == 0 && (body[i] == '>' || body[i] == '<')) break;
  }
  if (i == body.size()) return bad("expected METRIC>VALUE, METRIC>=VALUE, METRIC<VALUE or METRIC<=VALUE");
  rule.metric = std::string(body.substr(0, i));
  while (!rule.metric.empty() && rule.metric.back() == ' ') rule.metric.pop_back();
  if (rule.metric.empty()) return bad("no metric before the comparison");
  rule.op = std::string(body.substr(i, i + 1 < body.size() && body[i + 1] == '=' ? 2 : 1));
  std::string value = std::string(body.substr(i + rule.op.size()));
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  if (value.empty()) return bad("no value after the comparison");
  if (value.front() == '+' || value.front() == '-') rule.mode = Rule::Mode::Delta;
  std::size_t used = 0;
  try {
    rule.threshold = std::stod(value, &used);
    // Decimal only: stod also takes hex, "nan" and "inf".
    if (value.find_first_not_of("+-.0123456789eE") < used) throw std::invalid_argument(value);
  } catch (...) {
    return bad("the value '" + value + "' is not a number");
  }
  std::string unit = value.substr(used);
  unit.erase(0, unit.find_first_not_of(' '));
  if (unit == "%") {
    rule.mode = Rule::Mode::Percent;
  } else if (unit == "ns" || unit.empty()) {
  } else if (unit == "us" || unit == "µs" || unit == "μs") {  // micro sign or Greek mu, as Go takes both
    rule.threshold *= 1e3;
  } else if (unit == "ms") {
    rule.threshold *= 1e6;
  } else if (unit == "s") {
    rule.threshold *= 1e9;
  } else {
    return bad("unknown unit '" + unit + "' (use %, ns, us, ms or s)");
  }
  if (auto known = check_metric(rule); !known.empty()) return bad(known);
  if (rule.between_runs && rule.mode != Rule::Mode::Value) {
    return bad("'" + rule.metric + "' is already a change from base to new: compare its value (e.g. " + rule.metric +
               ">0)");
  }
  const bool time_unit = !unit.empty() && unit != "%";
  if (time_unit && !rule.duration) return bad("'" + rule.metric + "' is a count: its value takes no time unit");
  return rule;
}

namespace {

std::vector<MetricChange> metric_changes(const Figures& fb, const Figures& fn, const DiffOptions& options) {
  std::set<std::string> names;
  for (const auto& [k, v] : fb) names.insert(k);
  for (const auto& [k, v] : fn) names.insert(k);
  std::vector<MetricChange> out;
  for (const std::string& name : names) {
    MetricChange m;
    m.name = name;
    auto b = fb.find(name), n = fn.find(name);
    m.base = b != fb.end() ? b->second.value : 0;
    m.next = n != fn.end() ? n->second.value : 0;
    m.duration = (b != fb.end() ? b->second : n->second).duration;
    const double floor = m.duration ? options.floor_ns : options.floor_count;
    m.shown = std::fabs(m.delta()) >= floor && std::fabs(m.relative()) >= options.floor_percent;
    out.push_back(m);
  }
  return out;
}

struct LeakTotals {
  double new_leaks = 0, gone_leaks = 0;  // goroutines in groups that grew, and that shrank
  double new_proven_leaks = 0;           // proven goroutines in groups whose proven count grew
};

// Leak groups matched by site.
LeakTotals leak_changes(const Summary& base, const Summary& next, std::vector<LeakChange>& out) {
  const bool by_block_site = !lacks_block_stacks(base) && !lacks_block_stacks(next);
  const auto lb = leak_groups_by_site(base, by_block_site), ln = leak_groups_by_site(next, by_block_site);
  LeakTotals totals;
  std::set<std::string> keys;
  for (const auto& [k, v] : lb) keys.insert(k);
  for (const auto& [k, v] : ln) keys.insert(k);
  for (const std::string& key : keys) {
    auto b = lb.find(key), n = ln.find(key);
    const LeakKeyed& any = n != ln.end() ? n->second : b->second;
    // The block site from the side that knows it (a trace, against a capture).
    const bool next_unknown = n == ln.end() || n->second.block_site == site({}, false);
    LeakChange c{"",
                 any.name,
                 any.reason,
                 any.create_site,
                 next_unknown && b != lb.end() ? b->second.block_site : any.block_site,
                 b != lb.end() ? b->second.count : 0,
                 n != ln.end() ? n->second.count : 0,
                 b != lb.end() ? b->second.proven : 0,
                 n != ln.end() ? n->second.proven : 0};
    if (c.base_count == 0) {
      c.kind = "new";
    } else if (c.next_count == 0) {
      c.kind = "gone";
    } else if (c.next_count > c.base_count) {
      c.kind = "grown";
    } else if (c.next_count < c.base_count) {
      c.kind = "shrunk";
    } else {
      c.kind = "same";
    }
    if (c.next_count > c.base_count) totals.new_leaks += static_cast<double>(c.next_count - c.base_count);
    if (c.base_count > c.next_count) totals.gone_leaks += static_cast<double>(c.base_count - c.next_count);
    if (c.next_proven > c.base_proven) totals.new_proven_leaks += static_cast<double>(c.next_proven - c.base_proven);
    out.push_back(std::move(c));
  }
  return totals;
}

RuleResult evaluate(const Rule& rule, const Figures& fb, const Figures& fn, const LeakTotals& leaks,
                    const DiffOptions& options) {
  RuleResult r;
  r.rule = rule;
  const std::string metric = canonical_metric(rule.metric, fb, fn);
  if (metric == "new-leaks" || metric == "gone-leaks" || metric == "new-proven-leaks") {
    r.base = 0;
    r.next = metric == "new-leaks"    ? leaks.new_leaks
             : metric == "gone-leaks" ? leaks.gone_leaks
                                      : leaks.new_proven_leaks;
  } else {
    auto b = fb.find(metric), n = fn.find(metric);
    r.base = b != fb.end() ? b->second.value : 0;
    r.next = n != fn.end() ? n->second.value : 0;
  }
  r.named_nowhere = is_named_metric(metric) && !fb.count(metric) && !fn.count(metric);
  const Figures& holder = fb.count(metric) ? fb : fn;
  auto known = holder.find(metric);
  const bool duration = known != holder.end() && known->second.duration;
  MetricChange m{metric, r.base, r.next, duration, false};
  switch (rule.mode) {
    case Rule::Mode::Value: r.measured = r.next; break;
    // The rule's threshold says what change counts: a noise floor above it would make it dead.
    case Rule::Mode::Delta: r.measured = m.delta(); break;
    // A change below the noise floor is no change, as in the listing: +2000% of a 1µs p99 is jitter.
    case Rule::Mode::Percent:
      r.floor = duration ? options.floor_ns : options.floor_count;
      r.under_floor = std::fabs(m.delta()) < r.floor && m.delta() != 0;
      r.unfloored = m.relative();
      r.measured = r.under_floor ? 0 : r.unfloored;
      break;
  }
  r.broken = compare(r.measured, rule.op, rule.threshold);
  return r;
}

}  // namespace

DiffReport diff(const Summary& base, const Summary& next, const DiffOptions& options) {
  DiffReport report;
  report.base_warnings = base.warnings;
  report.next_warnings = next.warnings;
  const Figures fb = figures(base), fn = figures(next);
  report.metrics = metric_changes(fb, fn, options);
  const LeakTotals leaks = leak_changes(base, next, report.leaks);
  for (const Rule& rule : options.rules) report.rules.push_back(evaluate(rule, fb, fn, leaks, options));
  return report;
}

}  // namespace gtanalyze::report
